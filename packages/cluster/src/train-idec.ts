import { IncompatibleError, invalidArgument } from '@cellshape/core';
import {
  type Autoencoder,
  checkDatasetBatch,
  type Dataset,
  type DatasetBatch,
  encodeDataset,
  type LossParts,
  type StopSignal,
  type TrainableModule,
  type TrainLoopOptions,
  type TrainLoopResult,
  trainLoop,
} from '@cellshape/engine';
import { add, mul, type Scalar, Tensor } from '@tensorflow/tfjs-core';
import { ClusteringLayer } from './clustering-layer.js';
import { DeepEmbeddedClustering } from './deep-embedded-clustering.js';
import type { DenseMatrix } from './dense-matrix.js';
import {
  type ClusteringReduction,
  type IdecSettings,
  resolveIdecOptions,
  type TrainIdecOptions,
} from './idec-options.js';
import { type IdecUpdate, IdecUpdateLog } from './idec-update-log.js';
import { kmeans } from './kmeans.js';
import { hardLabels, softAssignment } from './soft-assignment.js';
import { klDivergenceOp } from './soft-assignment-ops.js';
import { TargetDistribution } from './target-distribution.js';

/** What {@link trainIdec} returns: per-cell outputs (dataset order) and the trained model. */
export interface IdecResult {
  /** Cell ids, in dataset order. */
  ids: string[];
  /** Features of the trained encoder, `n × F`. */
  features: DenseMatrix<Float32Array>;
  /** Soft labels q (the 3DQMS vector of each cell), `n × K`. */
  q: DenseMatrix<Float64Array>;
  /** Hard labels (argmax of q). */
  labels: Int32Array;
  /** Trained centres, `K × F`. */
  centres: DenseMatrix<Float32Array>;
  /** Centres at the start of IDEC (k-means or `options.centres`), `K × F`. */
  initialCentres: DenseMatrix<Float32Array>;
  /**
   * Hard labels of the pretrained features under the initial centres (the k-means labels when
   * the centres come from k-means), computed at the start of this call before any checkpoint is
   * resumed: what IDEC starts from, to compare with `labels`.
   */
  initialLabels: Int32Array;
  /** The P updates of this call, in order (the first is the initialisation). */
  updates: IdecUpdate[];
  /** True when the label-change tolerance stopped training (false: epochs ran out). */
  converged: boolean;
  /** The engine's training result (loss history, checkpoints, stop reason). */
  training: TrainLoopResult;
  /**
   * The trained model (autoencoder + centres; it wraps — and `dispose()` frees — the
   * autoencoder passed in).
   */
  model: DeepEmbeddedClustering;
}

/** One IDEC call in progress: its inputs, the model it trains and the state around it. */
interface IdecRun<B extends DatasetBatch> {
  readonly autoencoder: Autoencoder;
  readonly dataset: Dataset<B>;
  readonly settings: IdecSettings;
  readonly layer: ClusteringLayer;
  readonly model: DeepEmbeddedClustering;
  readonly target: TargetDistribution;
  readonly initialCentres: DenseMatrix<Float32Array>;
  readonly initialLabels: Int32Array;
  readonly log: IdecUpdateLog;
  converged: boolean;
}

/**
 * Improved deep embedded clustering (IDEC; Guo et al. 2017, as in the cellshape paper) on any
 * `Autoencoder` of `@cellshape/engine` and any engine `Dataset` (batches carry `input`):
 *
 * 1. features of the pretrained encoder → k-means (`kmeansRestarts`, seeded) → K centres;
 * 2. encoder, decoder and centres trained together on L = L_rec + γ·KL(P‖Q) with Adam through
 *    the engine's `trainLoop` (checkpoints, resume, log); q is the Student-t soft assignment,
 *    P the target distribution, recomputed over the whole dataset every `updateInterval`
 *    epochs or steps and looked up by sample index (shuffling and a last partial batch are
 *    safe);
 * 3. at each update the share of cells whose hard label changed is compared with `tolerance`;
 *    training stops below it, or after `epochs`.
 *
 * L_rec is the autoencoder's own `reconstructionLoss` unless `options.reconstructionLoss` is
 * given. The autoencoder is trained in place and wrapped in the returned `model`.
 *
 * ```ts
 * const result = await trainIdec(autoencoder, dataset, {
 *   numClusters: 5,
 *   checkpointDir: 'runs/idec',
 * });
 * await writeIdecCsv('runs/idec/cells.csv', result);
 * ```
 */
export async function trainIdec<B extends DatasetBatch>(
  autoencoder: Autoencoder,
  dataset: Dataset<B>,
  options: TrainIdecOptions,
): Promise<IdecResult> {
  const settings = resolveIdecOptions(autoencoder, dataset, options);
  const run = await startIdec(autoencoder, dataset, settings);
  // The evaluation-mode view keeps the model in evaluation mode; give it back as it came.
  const wasTraining = autoencoder.training;
  const training = await trainLoop<B>(idecLoopOptions(run)).finally(() =>
    run.model.train(wasTraining),
  );
  return finishIdec(run, training);
}

/**
 * The features of every cell, dataset order (evaluation mode, dataset epoch 0, so that a
 * dataset which resamples per epoch does not move labels by resampling alone), checking with
 * `knownIds` that the dataset kept its order.
 */
async function encodeCells<B extends DatasetBatch>(
  autoencoder: Autoencoder,
  dataset: Dataset<B>,
  settings: IdecSettings,
  knownIds?: readonly string[],
): Promise<{ ids: string[]; features: DenseMatrix<Float32Array> }> {
  const { batchSize, seed } = settings;
  const pass = await encodeDataset(autoencoder, dataset, { batchSize, seed });
  if (knownIds !== undefined)
    for (const [index, id] of pass.ids.entries()) checkSameId(knownIds, index, id);
  return {
    ids: pass.ids,
    features: { data: pass.features, shape: [pass.ids.length, pass.numFeatures] },
  };
}

/** Throws unless sample `index` still has the id it had when IDEC started. */
function checkSameId(knownIds: readonly string[], index: number, id: string): void {
  if (knownIds[index] !== id) {
    const fn = 'trainIdec';
    throw new IncompatibleError(
      `${fn}: the dataset's order changed: index ${index} was ${JSON.stringify(knownIds[index])}, now ${JSON.stringify(id)}; targets are looked up by index, so the dataset must keep its order`,
      { fn, arg: 'dataset' },
    );
  }
}

/** The starting centres: `options.centres`, else seeded k-means on the pretrained features. */
function initialCentres(
  features: DenseMatrix<Float32Array>,
  settings: IdecSettings,
): DenseMatrix<Float32Array> {
  const { numClusters: k, numFeatures: f, centres } = settings;
  if (centres !== undefined) return { data: Float32Array.from(centres.data), shape: [k, f] };
  const km = kmeans(features, k, {
    restarts: settings.kmeansRestarts,
    seed: settings.seed,
    maxIterations: settings.kmeansMaxIterations,
  });
  return { data: Float32Array.from(km.centres.data), shape: [k, f] };
}

/**
 * Stage 1: pretrained features → initial centres → the model (autoencoder + clustering layer),
 * the first target distribution and the update log (with the initial update of a fresh run).
 */
async function startIdec<B extends DatasetBatch>(
  autoencoder: Autoencoder,
  dataset: Dataset<B>,
  settings: IdecSettings,
): Promise<IdecRun<B>> {
  const initial = await encodeCells(autoencoder, dataset, settings);
  const centres = initialCentres(initial.features, settings);
  const layer = new ClusteringLayer({
    numClusters: settings.numClusters,
    numFeatures: settings.numFeatures,
    alpha: settings.alpha,
    centres,
  });
  const target = new TargetDistribution(initial.ids, initial.features, centres, settings.alpha);
  const log = new IdecUpdateLog({
    path: settings.updateLogPath,
    append: settings.resuming,
    onProgress: settings.onProgress,
    onUpdate: settings.onUpdate,
  });
  if (!settings.resuming)
    log.record(0, 0, target.labels, settings.numClusters, {
      labelChange: null,
      featureShift: null,
      centreShift: null,
    });
  return {
    autoencoder,
    dataset,
    settings,
    layer,
    model: new DeepEmbeddedClustering(autoencoder, layer),
    target,
    initialCentres: centres,
    initialLabels: target.labels,
    log,
    converged: false,
  };
}

/**
 * Stage 2, at every update: P recomputed from the current features and centres, the update
 * recorded, and a stop when the share of changed labels is below `tolerance`.
 */
async function updateTarget<B extends DatasetBatch>(
  run: IdecRun<B>,
  epoch: number,
  step: number,
  at: number,
): Promise<StopSignal | undefined> {
  const { settings, target } = run;
  const current = await encodeCells(run.autoencoder, run.dataset, settings, target.ids);
  const change = target.update(current.features, run.layer.centres(), at);
  run.log.record(epoch, step, target.labels, settings.numClusters, change);
  const labelChange = change.labelChange!;
  if (labelChange < settings.tolerance) {
    run.converged = true;
    return { stop: true, reason: `label change ${labelChange} < tolerance ${settings.tolerance}` };
  }
  return undefined;
}

/** Stage 2: the training loop's options — data, loss, Adam, the P-update hooks, checkpoints. */
function idecLoopOptions<B extends DatasetBatch>(run: IdecRun<B>): TrainLoopOptions<B> {
  const s = run.settings;
  const { target } = run;
  const T = s.updateInterval;
  return {
    module: s.autoencoderMode === 'eval' ? evalModeView(run.model) : run.model,
    epochs: s.epochs,
    seed: s.seed,
    data: (epoch) =>
      run.dataset.batches({
        batchSize: s.batchSize,
        shuffle: true,
        ...(s.resampleEachEpoch ? { seed: s.seed, epoch } : { seed: s.seed + epoch, epoch: 0 }),
        dropLast: false,
      }),
    loss: (_module, batch) => idecLoss(run, batch),
    stepsPerEpoch: Math.ceil(s.numCells / s.batchSize),
    adam: s.adam,
    checkpointDir: s.checkpointDir,
    resume: s.resume,
    logPath: s.logPath,
    onProgress: s.onProgress,
    beforeEpoch: ({ epoch, step }) =>
      s.updateUnit === 'epoch' && epoch > 0 && epoch % T === 0 && target.lastUpdate !== epoch
        ? updateTarget(run, epoch, step, epoch)
        : undefined,
    beforeStep: ({ epoch, step }) =>
      s.updateUnit === 'step' && step > 0 && step % T === 0 && target.lastUpdate !== step
        ? updateTarget(run, epoch, step, step)
        : undefined,
    afterStep: ({ parts }) => run.log.addStep(parts),
    extraState: () => target.stateDict(),
    restoreExtraState: (saved) => target.load(saved),
  };
}

/** The loss of a training batch: L = L_rec + γ·KL(P‖Q), P looked up by sample index. */
function idecLoss<B extends DatasetBatch>(run: IdecRun<B>, batch: B): LossParts {
  const fn = 'trainIdec';
  const { settings: s, autoencoder } = run;
  const { input, indices } = batch;
  checkDatasetBatch(fn, batch, run.target.ids.length);
  for (const [b, index] of indices.entries()) checkSameId(run.target.ids, index, batch.ids[b]!);
  const z = autoencoder.encode(input);
  const reconstruction = s.reconstructionLoss(input, autoencoder.decode(z));
  if (!(reconstruction instanceof Tensor) || reconstruction.rank !== 0)
    throw invalidArgument(
      fn,
      'options.reconstructionLoss',
      'a function returning a tf.Scalar',
      reconstruction,
    );
  const klMean = klDivergenceOp(run.target.lookup(indices), run.layer.logForward(z));
  const clustering = reduceClustering(klMean, indices.length, s.clusteringReduction);
  // γ = 0 leaves the centres out of the graph: plain autoencoder training.
  const total = s.gamma > 0 ? add(reconstruction, mul(clustering, s.gamma)) : reconstruction;
  return { total: total as Scalar, reconstruction, clustering };
}

/** The batch-mean KL reduced as asked: summed over the batch's `size` cells, or kept. */
function reduceClustering(klMean: Scalar, size: number, reduction: ClusteringReduction): Scalar {
  switch (reduction) {
    case 'sum':
      return mul(klMean, size);
    case 'mean':
      return klMean;
    default: {
      const never: never = reduction;
      throw invalidArgument('trainIdec', 'options.clusteringReduction', "'sum' or 'mean'", never);
    }
  }
}

/**
 * `model` as the training loop sees it with `autoencoderMode: 'eval'`: the same parameters and
 * state, but switching it to training mode keeps it in evaluation mode.
 */
function evalModeView(model: DeepEmbeddedClustering): TrainableModule {
  const view: TrainableModule = {
    namedParameters: () => model.namedParameters(),
    stateDict: () => model.stateDict(),
    loadStateDict: (state, options) => model.loadStateDict(state, options),
    train: () => {
      model.eval();
      return view;
    },
    eval: () => {
      model.eval();
      return view;
    },
    get training() {
      return model.training;
    },
    config: () => model.config(),
    dispose: () => model.dispose(),
  };
  return view;
}

/** Stage 3: the trained encoder's features of every cell, their soft and hard labels. */
async function finishIdec<B extends DatasetBatch>(
  run: IdecRun<B>,
  training: TrainLoopResult,
): Promise<IdecResult> {
  const final = await encodeCells(run.autoencoder, run.dataset, run.settings, run.target.ids);
  const centres = run.layer.centres();
  const q = softAssignment(final.features, centres, { alpha: run.settings.alpha });
  return {
    ids: final.ids,
    features: final.features,
    q,
    labels: hardLabels(q),
    centres,
    initialCentres: run.initialCentres,
    initialLabels: run.initialLabels,
    updates: run.log.updates,
    converged: run.converged,
    training,
    model: run.model,
  };
}
