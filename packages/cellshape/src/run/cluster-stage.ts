import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  type DenseMatrix,
  hardLabels,
  kmeans,
  softAssignment,
  trainIdec,
} from '@cellshape/cluster';
import { type Autoencoder, type Encoder, encodeDataset, saveCheckpoint } from '@cellshape/engine';
import { encoderKMeansCheckpoint } from './clustered-checkpoint.js';
import { stageSummary } from './pretrain-stage.js';
import { type RunContext, since } from './run-context.js';
import type { RunSummary } from './run-directory.js';
import { idecLearningRate } from './train-run-options.js';

/** Per cell (dataset order) what clustering gave, and the model to free at the end. */
export interface ClusteringOutcome {
  /** IDEC (an autoencoder) or k-means (an encoder-only family). */
  kind: 'idec' | 'kmeans';
  ids: string[];
  /** Features of the final model, `n × F`. */
  features: DenseMatrix<Float32Array>;
  /** Soft labels (Student-t to the centres), `n × K`. */
  q: DenseMatrix<Float64Array>;
  labels: Int32Array;
  /** The k-means labels of the features clustering started from. */
  initialLabels: Int32Array;
  summary: RunSummary['idec'];
  /** The final model (it owns the family's model): disposed by the run. */
  owner: { dispose(): void };
}

/** A checkpoint with no epoch behind it: no loss yet (as the training loop's initial best). */
const NO_EPOCH = {
  epoch: 0,
  step: 0,
  loss: Number.POSITIVE_INFINITY,
  bestLoss: Number.POSITIVE_INFINITY,
};

/**
 * IDEC: the autoencoder and K centres (k-means on its features) trained together; resumed from
 * `idec/last.ckpt` when the run resumes and the pretraining did not move on since.
 */
export async function idecStage(
  run: RunContext,
  model: Autoencoder,
  k: number,
  pretrainedThisRun: boolean,
): Promise<ClusteringOutcome> {
  const { options: o, paths, plugin } = run;
  const t = performance.now();
  const resume = o.runtime.resume && !pretrainedThisRun && existsSync(paths.idecLast);
  if (!resume) await rm(paths.idecDir, { recursive: true, force: true });
  else run.note(`resuming IDEC from ${paths.idecLast}`);
  if (o.idec.batchNorm === 'train' && o.data.batchSize < 8 && o.idec.epochs > 0)
    run.note(
      `IDEC with batch norm in train mode on batches of ${o.data.batchSize}: the statistics of so few cells move labels; idecBatchNorm 'eval' (--idec-batch-norm eval) is steadier`,
    );
  const { clusters: _c, kRange: _r, batchNorm, lr: _lr, ...idec } = o.idec;
  const result = await trainIdec(model, run.dataset, {
    ...idec,
    numClusters: k,
    // The family's loss for its settings (e.g. a Chamfer form), else the model's own.
    ...(plugin.reconstructionLoss
      ? { reconstructionLoss: plugin.reconstructionLoss(o.model.settings) }
      : {}),
    autoencoderMode: batchNorm,
    batchSize: o.data.batchSize,
    seed: o.runtime.seed,
    adam: { lr: idecLearningRate(o), weightDecay: o.pretrain.weightDecay },
    checkpointDir: paths.idecDir,
    ...(resume ? { resume: true } : {}),
    onProgress: run.progress('idec'),
  });
  // No IDEC epoch ran (epochs 0): keep the k-means model so that `extract` finds it.
  if (!existsSync(paths.idecLast))
    await saveCheckpoint(paths.idecLast, {
      config: result.model.config(),
      family: plugin.name,
      stateDict: result.model.stateDict(),
      seed: o.runtime.seed,
      ...NO_EPOCH,
    });
  const last = result.updates.at(-1);
  return {
    kind: 'idec',
    ids: result.ids,
    features: result.features,
    q: result.q,
    labels: result.labels,
    initialLabels: result.initialLabels,
    summary: {
      ...stageSummary(result.training, since(t)),
      converged: result.converged,
      lastLabelChange: last?.labelChange ?? null,
    },
    owner: result.model,
  };
}

/**
 * An encoder-only family: k-means on its features (the IDEC-free clustering), soft labels by
 * the Student-t kernel to the k-means centres, and the clustered model saved for `extract`.
 */
export async function kmeansStage(
  run: RunContext,
  model: Encoder,
  k: number,
  encoded?: Float32Array,
): Promise<ClusteringOutcome> {
  const { options: o, dataset } = run;
  const t = performance.now();
  // The model does not change after the elbow search: its features are reused when it ran.
  const data =
    encoded ??
    (
      await encodeDataset(model, dataset, {
        batchSize: o.data.batchSize,
        onProgress: run.progress('idec'),
      })
    ).features;
  const features = { data, shape: [dataset.length, model.numFeatures] as [number, number] };
  const result = kmeans(features, k, { restarts: o.idec.kmeansRestarts, seed: o.runtime.seed });
  const centres = { data: Float32Array.from(result.centres.data), shape: result.centres.shape };
  const q = softAssignment(features, centres, { alpha: o.idec.alpha });
  const { config, stateDict } = encoderKMeansCheckpoint(model, centres, o.idec.alpha);
  await saveCheckpoint(run.paths.clusters, {
    config,
    family: run.plugin.name,
    stateDict,
    seed: o.runtime.seed,
    ...NO_EPOCH,
  });
  const none = { epochs: 0, history: [], bestLoss: Number.POSITIVE_INFINITY };
  return {
    kind: 'kmeans',
    ids: [...dataset.ids],
    features,
    q,
    labels: hardLabels(q),
    initialLabels: result.labels,
    summary: { ...stageSummary(none, since(t)), converged: true, lastLabelChange: null },
    owner: model,
  };
}
