import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  FileSystemError,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  type ProgressCallback,
  reportProgress,
} from '@cellshape/core';
import {
  type AdamOptions,
  type Autoencoder,
  type LossParts,
  type StopSignal,
  type TrainableModule,
  type TrainLoopResult,
  trainLoop,
} from '@cellshape/engine';
import {
  add,
  mul,
  type Scalar,
  type Tensor,
  Tensor as TensorClass,
  tensor2d,
  tidy,
} from '@tensorflow/tfjs-core';
import type { ClusterBatch, ClusterDataset } from './cluster-dataset.js';
import { ClusteringLayer } from './clustering-layer.js';
import {
  assertAutoencoder,
  CLUSTERING_WEIGHT_KEY,
  DeepEmbeddedClustering,
} from './deep-embedded-clustering.js';
import {
  checkInteger,
  checkMatrix,
  checkPositive,
  type DenseMatrix,
  mergeOptions,
} from './dense-matrix.js';
import { kmeans } from './kmeans.js';
import {
  checkAlpha,
  hardLabels,
  labelChangeShare,
  softAssignment,
  targetDistribution,
} from './soft-assignment.js';
import { klDivergenceOp } from './soft-assignment-ops.js';

/** When the target distribution P is recomputed: every `updateInterval` epochs or steps. */
export type IdecUpdateUnit = 'epoch' | 'step';

/**
 * How KL(P‖Q) is reduced over a batch: `'sum'` over its cells or `'mean'` (PyTorch's
 * `'batchmean'`).
 */
export type ClusteringReduction = 'sum' | 'mean';

/**
 * The autoencoder's mode while IDEC trains it: `'eval'` (batch norm uses, and keeps, its running
 * statistics) or `'train'` (batch statistics; running statistics updated every step).
 */
export type IdecAutoencoderMode = 'eval' | 'train';

/** A reconstruction loss: input batch and the autoencoder's reconstruction → a scalar. */
export type ReconstructionLoss = (input: Tensor, reconstruction: Tensor) => Scalar;

/** Options of {@link trainIdec}. `numClusters` and `reconstructionLoss` are required. */
export interface TrainIdecOptions<B extends ClusterBatch = ClusterBatch> {
  /** Number of clusters K (≤ number of cells). Required. */
  numClusters: number;
  /**
   * The autoencoder's reconstruction loss L_rec, e.g. `chamferLoss` of `@cellshape/cloud` for
   * point clouds (its `'sum'` form sums over the batch, as cellshape does). Required.
   */
  reconstructionLoss: ReconstructionLoss;
  /** Weight γ of the clustering loss: L = L_rec + γ · KL(P‖Q). 0 trains the autoencoder alone. Default 100. */
  gamma?: number;
  /**
   * How the KL term is reduced over a batch. `'mean'` (default): the batch mean, as
   * cellshape-cluster's Lightning module (`KLDivLoss(reduction='batchmean')`, L = L_rec + 100·KL,
   * the paper's formula). `'sum'`: the sum over the batch's cells, as its older `train()`
   * (`KLDivLoss(reduction='sum')`); next to the batch-summed `'sum'` Chamfer loss this weighs each
   * cell's KL against that cell's reconstruction loss, a clustering term `batchSize` times
   * stronger. γ's meaning depends on the reconstruction loss's scale (points per cloud, units);
   * the package README has measurements on small data sets.
   */
  clusteringReduction?: ClusteringReduction;
  /**
   * The autoencoder's mode during the IDEC steps. `'train'` (default, as cellshape-cluster):
   * batch norm normalises each batch by its own statistics and updates its running statistics,
   * which alone moves hard labels between P updates (the passes behind P use the running
   * statistics). `'eval'`: batch norm uses its pretrained running statistics and leaves them
   * unchanged, so the q of the loss is computed exactly as the q behind P and a cell changes
   * cluster only when weights or centres move; weight changes are then not renormalised, so at
   * the same learning rate the features move more.
   */
  autoencoderMode?: IdecAutoencoderMode;
  /** Student-t degrees of freedom α. Default 1. */
  alpha?: number;
  /** P is recomputed over the whole dataset every `updateInterval` units. Default 1. */
  updateInterval?: number;
  /**
   * Unit of `updateInterval`: `'epoch'` (P refreshed before every T-th epoch) or `'step'`
   * (before every T-th optimizer step, as the paper). Default `'epoch'`.
   */
  updateUnit?: IdecUpdateUnit;
  /** Stop when the share of cells whose hard label changed since the last update is below this. Default 0.001. */
  tolerance?: number;
  /** Maximum epochs (a resumed run continues up to this many). Default 100. */
  epochs?: number;
  /** Samples per batch. Default 16. */
  batchSize?: number;
  /** Seed of the shuffling and the k-means initialisation. Default 0. */
  seed?: number;
  /**
   * Read training batches at the dataset's epoch (`true`: a dataset that resamples per epoch,
   * such as a `PointCloudDataset` with fewer `numPoints` than its files, shows new points every
   * epoch) or always at epoch 0 (`false`: one fixed view of every cell, the order still shuffled
   * per epoch through the seed `seed + epoch`). The encoding passes behind k-means, P and the
   * label change always read epoch 0, so the label change measures what the model learnt, not
   * resampling noise; with `false` the loss's q also sees the very clouds P was computed from.
   * Default false.
   */
  resampleEachEpoch?: boolean;
  /** k-means restarts for the initial centres. Default 20. */
  kmeansRestarts?: number;
  /** k-means iterations per restart. Default 300. */
  kmeansMaxIterations?: number;
  /** Initial centres `K × F` instead of k-means (e.g. from a previous analysis). */
  centres?: DenseMatrix;
  /**
   * The centres' learning rate as a multiple of `adam.lr`. Adam moves each parameter by about
   * `lr` per step whatever its gradient, so K·F centres at the autoencoder's lr cannot follow
   * features that thousands of encoder weights move: at lr 1e-4 the features of a small DFN
   * drifted by half their spread in 60 steps while the centres moved 1 % of it, and cells
   * followed stale centres (package README). 0 freezes the centres (as the Python original
   * accidentally did). Default 100.
   */
  centreLrScale?: number;
  /** Adam hyper-parameters (default lr 1e-4, betas [0.9, 0.999], eps 1e-8, weight decay 1e-6). */
  adam?: AdamOptions;
  /** The model input of a batch; default `batch.input`, else `batch.points`. */
  input?: (batch: B) => Tensor;
  /** Folder for `last.ckpt`, `best.ckpt` and `log.jsonl` (the engine's training loop). */
  checkpointDir?: string;
  /** Checkpoint to resume from; `true` means `<checkpointDir>/last.ckpt`. */
  resume?: string | boolean;
  /** Per-epoch JSON-lines log; default `<checkpointDir>/log.jsonl`, `false` for none. */
  logPath?: string | false;
  /**
   * Per-update JSON-lines log (one {@link IdecUpdate} per line: label change, cluster sizes,
   * loss parts, shifts); default `<checkpointDir>/updates.jsonl`, `false` for none. A fresh run
   * starts it anew, a resumed one appends.
   */
  updateLogPath?: string | false;
  /** Progress per batch, per epoch and per P update (`phase: 'update'`). */
  onProgress?: ProgressCallback;
  /** Called after each P update with its log entry. */
  onUpdate?: (update: IdecUpdate) => void;
}

/** Defaults of the optional {@link TrainIdecOptions}. */
export const DEFAULT_TRAIN_IDEC_OPTIONS = {
  gamma: 100,
  clusteringReduction: 'mean' as ClusteringReduction,
  autoencoderMode: 'train' as IdecAutoencoderMode,
  alpha: 1,
  centreLrScale: 100,
  updateInterval: 1,
  updateUnit: 'epoch' as IdecUpdateUnit,
  tolerance: 0.001,
  epochs: 100,
  batchSize: 16,
  seed: 0,
  resampleEachEpoch: false,
  kmeansRestarts: 20,
  kmeansMaxIterations: 300,
};

/** One P update: where it happened, the label change and the losses since the previous one. */
export interface IdecUpdate {
  /** Epoch (0-based) at which P was recomputed. */
  epoch: number;
  /** Optimizer steps completed before the update. */
  step: number;
  /** Share of cells whose hard label changed since the previous update (null for the first). */
  labelChange: number | null;
  /** Cells per cluster after the update. */
  clusterSizes: number[];
  /** Mean reconstruction loss of the steps since the previous update (NaN when none). */
  reconstruction: number;
  /** Mean KL(P‖Q) of the steps since the previous update (NaN when none). */
  clustering: number;
  /**
   * Root mean square distance the cells' features moved since the previous update (null for the
   * first, and for the first after a resume). Much larger than `centreShift` means the centres
   * lag behind the features (see `centreLrScale`).
   */
  featureShift: number | null;
  /** Root mean square distance the centres moved since the previous update (null as `featureShift`). */
  centreShift: number | null;
}

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

/** The model input of a batch: `input`, else `points`. */
function defaultInput(batch: ClusterBatch): Tensor {
  const b = batch as ClusterBatch & { input?: unknown; points?: unknown };
  const value = b.input instanceof TensorClass ? b.input : b.points;
  if (!(value instanceof TensorClass)) {
    throw invalidArgument(
      'trainIdec',
      'dataset',
      "batches with an 'input' or 'points' tensor (or set options.input)",
      batch,
    );
  }
  return value;
}

interface Pass {
  ids: string[];
  features: Float32Array;
}

/**
 * Encodes every sample (evaluation mode, dataset epoch 0 — one fixed view of every cell —, dataset
 * order as given by `indices`), checking that
 * every index appears once and, when `knownIds` is given, that each index still has its id.
 */
async function encodeAll<B extends ClusterBatch>(
  model: Autoencoder,
  dataset: ClusterDataset<B>,
  inputOf: (batch: B) => Tensor,
  batchSize: number,
  seed: number,
  knownIds?: readonly string[],
): Promise<Pass> {
  const fn = 'trainIdec';
  const n = dataset.length;
  const f = model.numFeatures;
  const features = new Float32Array(n * f);
  const ids: string[] = new Array(n);
  const seen = new Uint8Array(n);
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of dataset.batches({
      batchSize,
      shuffle: false,
      seed,
      epoch: 0,
      dropLast: false,
    })) {
      try {
        checkBatch(batch, n, knownIds);
        const z = tidy(() => model.encode(inputOf(batch)));
        const values = z.dataSync();
        z.dispose();
        if (values.length !== batch.indices.length * f) {
          throw new IncompatibleError(
            `${fn}: the autoencoder returned ${values.length} values for ${batch.indices.length} samples, expected [${batch.indices.length}, ${f}]`,
            { fn, arg: 'autoencoder' },
          );
        }
        batch.indices.forEach((index, b) => {
          if (seen[index])
            throw invalidArgument(
              fn,
              'dataset',
              'to yield every index once per pass',
              `index ${index} twice`,
            );
          seen[index] = 1;
          ids[index] = batch.ids[b]!;
          for (let c = 0; c < f; c++) {
            const v = values[b * f + c]!;
            if (!Number.isFinite(v)) {
              throw new InvalidArgumentError(
                `${fn}: the features of sample ${JSON.stringify(batch.ids[b])} are not finite (${v}); check the input and the autoencoder's weights for NaN`,
                { fn, arg: 'dataset' },
              );
            }
            features[index * f + c] = v;
          }
        });
      } finally {
        disposeTensors(batch);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  const missing = seen.indexOf(0);
  if (missing >= 0)
    throw invalidArgument(
      fn,
      'dataset',
      `to yield all ${n} indices per pass`,
      `index ${missing} missing`,
    );
  return { ids, features };
}

/** Disposes the top-level tensors of a batch (the consumer owns them). */
function disposeTensors(batch: object): void {
  for (const value of Object.values(batch)) if (value instanceof TensorClass) value.dispose();
}

/** Validates a batch's indices and, with `knownIds`, that the dataset order is unchanged. */
function checkBatch(batch: ClusterBatch, n: number, knownIds?: readonly string[]): void {
  const fn = 'trainIdec';
  const { indices, ids } = batch;
  if (
    !Array.isArray(indices) ||
    !Array.isArray(ids) ||
    indices.length !== ids.length ||
    indices.length === 0
  )
    throw invalidArgument(
      fn,
      'dataset',
      "batches with non-empty, equally long 'indices' and 'ids'",
      batch,
    );
  indices.forEach((index, b) => {
    if (!Number.isInteger(index) || index < 0 || index >= n)
      throw invalidArgument(fn, 'dataset', `batch indices in [0, ${n})`, index);
    if (knownIds !== undefined && knownIds[index] !== ids[b]) {
      throw new IncompatibleError(
        `${fn}: the dataset's order changed: index ${index} was ${JSON.stringify(knownIds[index])}, now ${JSON.stringify(ids[b])}; targets are looked up by index, so the dataset must keep its order`,
        { fn, arg: 'dataset' },
      );
    }
  });
}

function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l]!++;
  return sizes;
}

/** What IDEC keeps between P updates (saved in checkpoints as the loop's extra state). */
interface IdecState {
  /** Target distribution over the whole dataset, n × K, dataset order. */
  p: Float64Array;
  /** Hard labels at the last update. */
  labels: Int32Array;
  /** Epoch or step of the last update (−1: only the initial one). */
  lastUpdate: number;
  /** Ids by dataset index at initialisation. */
  ids: string[];
  /** Features and centres at the last update, for the shifts (not checkpointed: after a resume the next shifts are null). */
  features?: Float32Array;
  centres?: Float32Array;
}

/** Appends one update to the JSON-lines update log (NaN losses, before any step, as null). */
function appendUpdate(path: string, update: IdecUpdate): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(update)}\n`);
  } catch (error) {
    throw new FileSystemError(
      `trainIdec: could not append to the update log ${JSON.stringify(path)}`,
      {
        fn: 'trainIdec',
        arg: 'updateLogPath',
        cause: error,
      },
    );
  }
}

/** Root mean square over rows of the Euclidean distance between two `rows × cols` matrices. */
function rmsRowDistance(a: Float32Array, b: Float32Array, rows: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum / rows);
}

/**
 * Improved deep embedded clustering (IDEC; Guo et al. 2017, as in the cellshape paper) on any
 * {@link Autoencoder}:
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
 * The autoencoder is trained in place and wrapped in the returned `model`.
 *
 * ```ts
 * const result = await trainIdec(autoencoder, dataset, {
 *   numClusters: 5,
 *   reconstructionLoss: (x, y) => chamferLoss(x, y),
 *   checkpointDir: 'runs/idec',
 * });
 * await writeIdecCsv('runs/idec/cells.csv', result);
 * ```
 */
export async function trainIdec<B extends ClusterBatch>(
  autoencoder: Autoencoder,
  dataset: ClusterDataset<B>,
  options: TrainIdecOptions<B>,
): Promise<IdecResult> {
  const fn = 'trainIdec';
  assertAutoencoder(fn, autoencoder);
  if (
    !dataset ||
    typeof dataset.batches !== 'function' ||
    !Number.isInteger(dataset.length) ||
    dataset.length < 1
  )
    throw invalidArgument(fn, 'dataset', 'a non-empty ClusterDataset (length, batches)', dataset);
  if (options === null || typeof options !== 'object')
    throw invalidArgument(
      fn,
      'options',
      'an object with numClusters and reconstructionLoss',
      options,
    );
  const o = mergeOptions(fn, DEFAULT_TRAIN_IDEC_OPTIONS, options);
  const n = dataset.length;
  const k = checkInteger(fn, 'options.numClusters', o.numClusters, 1);
  if (k > n)
    throw invalidArgument(fn, 'options.numClusters', `at most the number of cells (${n})`, k);
  if (typeof o.reconstructionLoss !== 'function')
    throw invalidArgument(
      fn,
      'options.reconstructionLoss',
      'a function (input, reconstruction) => tf.Scalar',
      o.reconstructionLoss,
    );
  checkPositive(fn, 'options.gamma', o.gamma, true);
  if (o.clusteringReduction !== 'sum' && o.clusteringReduction !== 'mean')
    throw invalidArgument(
      fn,
      'options.clusteringReduction',
      "'sum' or 'mean'",
      o.clusteringReduction,
    );
  if (o.autoencoderMode !== 'eval' && o.autoencoderMode !== 'train')
    throw invalidArgument(fn, 'options.autoencoderMode', "'eval' or 'train'", o.autoencoderMode);
  checkAlpha(fn, o.alpha);
  checkPositive(fn, 'options.centreLrScale', o.centreLrScale, true);
  checkInteger(fn, 'options.updateInterval', o.updateInterval, 1);
  if (o.updateUnit !== 'epoch' && o.updateUnit !== 'step')
    throw invalidArgument(fn, 'options.updateUnit', "'epoch' or 'step'", o.updateUnit);
  checkPositive(fn, 'options.tolerance', o.tolerance, true);
  checkInteger(fn, 'options.epochs', o.epochs, 0);
  checkInteger(fn, 'options.batchSize', o.batchSize, 1);
  checkInteger(fn, 'options.kmeansRestarts', o.kmeansRestarts, 1);
  checkInteger(fn, 'options.kmeansMaxIterations', o.kmeansMaxIterations, 1);
  if (!Number.isFinite(o.seed))
    throw invalidArgument(fn, 'options.seed', 'a finite number', o.seed);
  if (typeof o.resampleEachEpoch !== 'boolean')
    throw invalidArgument(fn, 'options.resampleEachEpoch', 'a boolean', o.resampleEachEpoch);
  if (
    o.updateLogPath !== undefined &&
    o.updateLogPath !== false &&
    (typeof o.updateLogPath !== 'string' || o.updateLogPath.length === 0)
  )
    throw invalidArgument(fn, 'options.updateLogPath', 'a file path or false', o.updateLogPath);
  if (o.input !== undefined && typeof o.input !== 'function')
    throw invalidArgument(fn, 'options.input', 'a function (batch) => tf.Tensor', o.input);
  const f = autoencoder.numFeatures;
  if (o.centres !== undefined) checkMatrix(fn, 'options.centres', o.centres, { rows: k, cols: f });
  const inputOf = o.input ?? (defaultInput as (batch: B) => Tensor);
  // Every pass reads epoch 0: resampled views of the cells would change up to a third of the
  // hard labels of a small point-cloud model with no training at all.
  const pass = (knownIds?: readonly string[]) =>
    encodeAll(autoencoder, dataset, inputOf, o.batchSize, o.seed, knownIds);

  // 1. Pretrained features → initial centres.
  const initial = await pass();
  const featureMatrix: DenseMatrix<Float32Array> = { data: initial.features, shape: [n, f] };
  const initialCentres: DenseMatrix<Float32Array> =
    o.centres !== undefined
      ? { data: Float32Array.from(o.centres.data), shape: [k, f] }
      : (() => {
          const km = kmeans(featureMatrix, k, {
            restarts: o.kmeansRestarts,
            seed: o.seed,
            maxIterations: o.kmeansMaxIterations,
          });
          return { data: Float32Array.from(km.centres.data), shape: [k, f] };
        })();
  const layer = new ClusteringLayer({
    numClusters: k,
    numFeatures: f,
    alpha: o.alpha,
    centres: initialCentres,
  });
  const model = new DeepEmbeddedClustering(autoencoder, layer);
  const q0 = softAssignment(featureMatrix, initialCentres, { alpha: o.alpha });
  const state: IdecState = {
    p: targetDistribution(q0).data,
    labels: hardLabels(q0),
    lastUpdate: -1,
    ids: initial.ids,
    features: initial.features,
    centres: initialCentres.data,
  };
  const initialLabels = state.labels;
  const updates: IdecUpdate[] = [];
  const updateLog =
    o.updateLogPath === false
      ? undefined
      : (o.updateLogPath ?? (o.checkpointDir ? join(o.checkpointDir, 'updates.jsonl') : undefined));
  const sums = { reconstruction: 0, clustering: 0, steps: 0 };
  let converged = false;

  const record = (
    epoch: number,
    step: number,
    labelChange: number | null,
    shifts: { featureShift: number | null; centreShift: number | null } = {
      featureShift: null,
      centreShift: null,
    },
  ) => {
    const update: IdecUpdate = {
      epoch,
      step,
      labelChange,
      clusterSizes: clusterSizes(state.labels, k),
      reconstruction: sums.steps > 0 ? sums.reconstruction / sums.steps : Number.NaN,
      clustering: sums.steps > 0 ? sums.clustering / sums.steps : Number.NaN,
      ...shifts,
    };
    sums.reconstruction = 0;
    sums.clustering = 0;
    sums.steps = 0;
    updates.push(update);
    if (updateLog) appendUpdate(updateLog, update);
    reportProgress(o.onProgress, {
      phase: 'update',
      done: updates.length,
      message:
        labelChange === null
          ? `IDEC initialised: cluster sizes ${update.clusterSizes.join(', ')}`
          : `P updated at epoch ${epoch}, step ${step}: label change ${labelChange.toFixed(4)}, cluster sizes ${update.clusterSizes.join(', ')}${
              update.featureShift === null || update.centreShift === null
                ? ''
                : `; moved (rms): features ${update.featureShift.toPrecision(2)}, centres ${update.centreShift.toPrecision(2)}`
            }`,
      metrics: {
        epoch,
        step,
        ...(labelChange === null ? {} : { labelChange }),
        ...(update.featureShift === null ? {} : { featureShift: update.featureShift }),
        ...(update.centreShift === null ? {} : { centreShift: update.centreShift }),
        reconstruction: update.reconstruction,
        clustering: update.clustering,
      },
    });
    try {
      o.onUpdate?.(update);
    } catch {
      // A logging callback must not abort training.
    }
  };

  // 2.–3. P refresh and the stopping rule.
  const refresh = async (
    epoch: number,
    step: number,
    at: number,
  ): Promise<StopSignal | undefined> => {
    const current = await pass(state.ids);
    const centres = layer.centres();
    const q = softAssignment({ data: current.features, shape: [n, f] }, centres, {
      alpha: o.alpha,
    });
    const labels = hardLabels(q);
    const change = labelChangeShare(state.labels, labels);
    const shifts = {
      featureShift: state.features ? rmsRowDistance(current.features, state.features, n) : null,
      centreShift: state.centres ? rmsRowDistance(centres.data, state.centres, k) : null,
    };
    state.p = targetDistribution(q).data;
    state.labels = labels;
    state.lastUpdate = at;
    state.features = current.features;
    state.centres = centres.data;
    record(epoch, step, change, shifts);
    if (change < o.tolerance) {
      converged = true;
      return { stop: true, reason: `label change ${change} < tolerance ${o.tolerance}` };
    }
    return undefined;
  };

  const resuming = o.resume !== undefined && o.resume !== false;
  if (updateLog && !resuming) rmSync(updateLog, { force: true });
  if (!resuming) record(0, 0, null);
  const T = o.updateInterval;
  // The evaluation-mode view keeps the model in evaluation mode; give it back as it came.
  const wasTraining = autoencoder.training;
  const training = await trainLoop<B>({
    module: o.autoencoderMode === 'eval' ? evalModeView(model) : model,
    epochs: o.epochs,
    seed: o.seed,
    data: (epoch) =>
      dataset.batches({
        batchSize: o.batchSize,
        shuffle: true,
        ...(o.resampleEachEpoch ? { seed: o.seed, epoch } : { seed: o.seed + epoch, epoch: 0 }),
        dropLast: false,
      }),
    loss: (_module, batch): LossParts => {
      checkBatch(batch, n, state.ids);
      const input = inputOf(batch);
      if (input.shape[0] !== batch.indices.length) {
        throw invalidArgument(
          fn,
          'dataset',
          `batch inputs with ${batch.indices.length} samples (one per index)`,
          input.shape,
        );
      }
      const z = autoencoder.encode(input);
      const reconstruction = o.reconstructionLoss(input, autoencoder.decode(z));
      if (!(reconstruction instanceof TensorClass) || reconstruction.rank !== 0)
        throw invalidArgument(
          fn,
          'options.reconstructionLoss',
          'a function returning a tf.Scalar',
          reconstruction,
        );
      const rows = new Float32Array(batch.indices.length * k);
      batch.indices.forEach((index, b) => {
        for (let j = 0; j < k; j++) rows[b * k + j] = state.p[index * k + j]!;
      });
      const klMean = klDivergenceOp(tensor2d(rows, [batch.indices.length, k]), layer.logForward(z));
      const clustering = reduceClustering(klMean, batch.indices.length, o.clusteringReduction);
      // γ = 0 leaves the centres out of the graph: plain autoencoder training.
      const total = o.gamma > 0 ? add(reconstruction, mul(clustering, o.gamma)) : reconstruction;
      return { total: total as Scalar, reconstruction, clustering };
    },
    stepsPerEpoch: Math.ceil(n / o.batchSize),
    adam: { ...o.adam, lrScale: { ...o.adam?.lrScale, [CLUSTERING_WEIGHT_KEY]: o.centreLrScale } },
    checkpointDir: o.checkpointDir,
    resume: o.resume,
    logPath: o.logPath,
    onProgress: o.onProgress,
    beforeEpoch: ({ epoch, step }) =>
      o.updateUnit === 'epoch' && epoch > 0 && epoch % T === 0 && state.lastUpdate !== epoch
        ? refresh(epoch, step, epoch)
        : undefined,
    beforeStep: ({ epoch, step }) =>
      o.updateUnit === 'step' && step > 0 && step % T === 0 && state.lastUpdate !== step
        ? refresh(epoch, step, step)
        : undefined,
    afterStep: ({ parts }) => {
      sums.reconstruction += parts.reconstruction ?? 0;
      sums.clustering += parts.clustering ?? 0;
      sums.steps++;
    },
    extraState: () => ({
      p: { data: state.p, shape: [n, k] },
      labels: state.labels,
      lastUpdate: state.lastUpdate,
      ids: state.ids,
    }),
    restoreExtraState: (saved) => restoreState(saved, state, n, k),
  }).finally(() => model.train(wasTraining));

  const final = await pass(state.ids);
  const centres = layer.centres();
  const q = softAssignment({ data: final.features, shape: [n, f] }, centres, { alpha: o.alpha });
  return {
    ids: final.ids,
    features: { data: final.features, shape: [n, f] },
    q,
    labels: hardLabels(q),
    centres,
    initialCentres,
    initialLabels,
    updates,
    converged,
    training,
    model,
  };
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

/** Restores the IDEC state of a checkpoint, refusing one made for another dataset. */
function restoreState(saved: unknown, state: IdecState, n: number, k: number): void {
  const fn = 'trainIdec';
  const s = saved as Partial<{
    p: { data: unknown; shape: unknown };
    labels: unknown;
    lastUpdate: unknown;
    ids: unknown;
  }>;
  const p = s?.p?.data;
  const ok =
    p instanceof Float64Array &&
    p.length === n * k &&
    s.labels instanceof Int32Array &&
    s.labels.length === n &&
    typeof s.lastUpdate === 'number' &&
    Array.isArray(s.ids) &&
    s.ids.length === n;
  if (!ok) {
    throw new IncompatibleError(
      `${fn}: the checkpoint's IDEC state does not fit this run (${n} cells, ${k} clusters)`,
      { fn, arg: 'resume' },
    );
  }
  const ids = s.ids as string[];
  const moved = ids.findIndex((id, i) => id !== state.ids[i]);
  if (moved >= 0) {
    throw new IncompatibleError(
      `${fn}: the checkpoint was made on another dataset order: index ${moved} was ${JSON.stringify(ids[moved])}, now ${JSON.stringify(state.ids[moved])}`,
      { fn, arg: 'resume' },
    );
  }
  state.p = p;
  state.labels = s.labels as Int32Array;
  state.lastUpdate = s.lastUpdate as number;
  // Features and centres at the last update are not in the checkpoint: no shifts until the next.
  state.features = undefined;
  state.centres = undefined;
}
