import { checkString } from '@cellshape/core';
import { isAutoencoder } from '@cellshape/engine';
import { chooseKStage } from './choose-k-stage.js';
import { type ClusteringOutcome, idecStage, kmeansStage } from './cluster-stage.js';
import type { InitSource } from './init-weights.js';
import { initStage, pretrainStage } from './pretrain-stage.js';
import { openRun, since } from './run-context.js';
import type { RunSummary } from './run-directory.js';
import { writeRunOutputs } from './run-outputs.js';
import { resolveTrainRunOptions, type TrainRunOptions } from './train-run-options.js';

/** What {@link trainRun} returns. */
export interface TrainRunResult {
  /** Absolute path of the run directory. */
  runDir: string;
  /** The summary written to `summary.json`. */
  summary: RunSummary;
  /**
   * Per cell (dataset order): its id, its final hard label and the k-means label of the
   * features clustering started from (to measure what IDEC changed).
   */
  assignments: { ids: string[]; labels: Int32Array; initialLabels: Int32Array };
  /** The checkpoint the model was initialised from by this call (`model.init`), else null. */
  init: InitSource | null;
}

/**
 * The note for clusters that clustering left empty (undefined when none is): the features
 * collapsed onto fewer clusters than K, whatever the label-change rule says about convergence.
 */
export function emptyClustersNote(sizes: readonly number[]): string | undefined {
  const empty = sizes.filter((size) => size === 0).length;
  if (empty === 0) return undefined;
  return `IDEC left ${empty} of ${sizes.length} clusters empty (sizes ${sizes.join(', ')}): the features collapsed onto fewer clusters; a lower --idec-lr, --idec-batch-norm eval or a longer pretraining usually helps`;
}

const FN = 'trainRun';

/**
 * Trains a model of a registered family on a folder of its inputs and writes a complete run
 * directory (see `RUN_LAYOUT`), in named stages: the model is initialised (`model.init`) and
 * pretrained, K is chosen (fixed or by the elbow), the cells are clustered — IDEC trains an
 * autoencoder and the cluster centres together; an encoder-only family is clustered by k-means
 * on its features — and features, assignments, exemplars and a summary are written. With
 * `runtime.resume`, an interrupted run continues where it stopped: the pretraining from
 * `pretrain/last.ckpt`, IDEC from `idec/last.ckpt` (IDEC starts over when the pretraining
 * trained further).
 *
 * ```ts
 * const { summary } = await trainRun('out/points', 'runs/exp1', {
 *   data: { metadata: 'cells.csv' },
 *   idec: { clusters: 5 },
 * });
 * await trainRun('out/points', 'runs/idec', { model: { init: 'dfn_128.pt' }, pretrain: { epochs: 0 }, idec: { clusters: 5 } });
 * ```
 *
 * @throws InvalidArgumentError for invalid options or a directory that already holds a run
 *   (without `resume` or `overwrite`); UnsupportedError for an unregistered model family;
 *   FileSystemError for an unreadable input; IncompatibleError when a checkpoint to resume
 *   belongs to another model, InitMismatchError (an IncompatibleError) when the `init`
 *   checkpoint does not fit the settings' architecture.
 */
export async function trainRun(
  input: string,
  runDir: string,
  options: TrainRunOptions = {},
): Promise<TrainRunResult> {
  checkString(FN, 'input', input);
  const { plugin, options: o } = resolveTrainRunOptions(options);
  const run = await openRun(FN, input, runDir, plugin, o, options.runtime ?? {});
  const model = plugin.createModel(o.model.settings, o.runtime.seed);
  let owner: { dispose(): void } = model;
  try {
    const init = await initStage(run, model);
    const pretrained = await pretrainStage(run, model);
    let t = performance.now();
    const { k, chosen, features } = await chooseKStage(run, model);
    const chooseK = since(t);
    t = performance.now();
    const clustered: ClusteringOutcome = isAutoencoder(model)
      ? await idecStage(run, model, k, pretrained.trainedThisRun)
      : await kmeansStage(run, model, k, features);
    owner = clustered.owner;
    const summary = await writeRunOutputs(
      run,
      clustered,
      {
        pretrain: pretrained.summary,
        chooseK: chosen,
        k,
        seconds: { pretrain: pretrained.summary.seconds, chooseK, idec: since(t) },
      },
      model,
    );
    const emptied = emptyClustersNote(summary.clusterSizes);
    if (emptied) run.note(emptied);
    const { ids, labels, initialLabels } = clustered;
    return { runDir: run.paths.root, summary, assignments: { ids, labels, initialLabels }, init };
  } finally {
    owner.dispose();
  }
}
