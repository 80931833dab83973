import { join } from 'node:path';
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  checkPositive,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import {
  type AdamOptions,
  type Autoencoder,
  checkDataset,
  type Dataset,
  type DatasetBatch,
  DEFAULT_ADAM_OPTIONS,
} from '@cellshape/engine';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { CLUSTERING_WEIGHT_KEY, checkAutoencoder } from './deep-embedded-clustering.js';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import type { IdecUpdate } from './idec-update-log.js';
import { checkAlpha } from './soft-assignment.js';

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

/** Options of {@link trainIdec}. Only `numClusters` is required. */
export interface TrainIdecOptions {
  /** Number of clusters K (≤ number of cells). Required. */
  numClusters: number;
  /**
   * The reconstruction loss L_rec. Default: the autoencoder's own `reconstructionLoss` (for the
   * point-cloud autoencoder the Chamfer distance summed over the batch, as cellshape).
   */
  reconstructionLoss?: ReconstructionLoss;
  /** Weight γ of the clustering loss: L = L_rec + γ · KL(P‖Q). 0 trains the autoencoder alone. Default 100. */
  gamma?: number;
  /**
   * How the KL term is reduced over a batch. `'mean'` (default): the batch mean, as
   * cellshape-cluster's Lightning module (`KLDivLoss(reduction='batchmean')`, L = L_rec + 100·KL,
   * the paper's formula). `'sum'`: the sum over the batch's cells, as its older `train()`
   * (`KLDivLoss(reduction='sum')`); next to a batch-summed reconstruction loss this weighs each
   * cell's KL against that cell's reconstruction loss, a clustering term `batchSize` times
   * stronger. γ's meaning depends on the reconstruction loss's scale (points per cloud, units).
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
   * features that thousands of encoder weights move, and cells follow stale centres (the
   * package README has measurements). 0 freezes the centres. Default 100.
   */
  centreLrScale?: number;
  /** Adam hyper-parameters; the unset ones are engine's `DEFAULT_ADAM_OPTIONS`. */
  adam?: AdamOptions;
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
  adam: DEFAULT_ADAM_OPTIONS,
};

/** {@link TrainIdecOptions} resolved: defaults filled in, validated, paths and losses chosen. */
export interface IdecSettings
  extends Required<Omit<TrainIdecOptions, 'centres' | OptionalPassThrough>>,
    Pick<TrainIdecOptions, 'centres' | OptionalPassThrough> {
  /** Number of cells n. */
  numCells: number;
  /** Number of features F. */
  numFeatures: number;
  /** The update log's path, or undefined for none. */
  updateLogPath: string | undefined;
  /** Whether this call resumes a checkpoint. */
  resuming: boolean;
}

type OptionalPassThrough =
  | 'checkpointDir'
  | 'resume'
  | 'logPath'
  | 'updateLogPath'
  | 'onProgress'
  | 'onUpdate';

/** Validates {@link trainIdec}'s arguments and fills in the defaults. */
export function resolveIdecOptions<B extends DatasetBatch>(
  autoencoder: Autoencoder,
  dataset: Dataset<B>,
  options: TrainIdecOptions,
): IdecSettings {
  const fn = 'trainIdec';
  checkAutoencoder(fn, autoencoder);
  const n = checkDataset(fn, 'dataset', dataset, 1).length;
  checkObject(fn, 'options', options);
  const o = withDefaults(fn, DEFAULT_TRAIN_IDEC_OPTIONS, options);
  const k = checkInteger(fn, 'options.numClusters', o.numClusters, { min: 1 });
  if (k > n)
    throw invalidArgument(fn, 'options.numClusters', `at most the number of cells (${n})`, k);
  const reconstructionLoss =
    o.reconstructionLoss ?? ((input, output) => autoencoder.reconstructionLoss(input, output));
  if (typeof reconstructionLoss !== 'function')
    throw invalidArgument(
      fn,
      'options.reconstructionLoss',
      'a function (input, reconstruction) => tf.Scalar',
      reconstructionLoss,
    );
  checkTrainingOptions(fn, o);
  const f = autoencoder.numFeatures;
  if (o.centres !== undefined) checkMatrix(fn, 'options.centres', o.centres, { rows: k, cols: f });
  return {
    ...o,
    reconstructionLoss,
    adam: idecAdam(fn, o.adam, o.centreLrScale),
    updateLogPath: updateLogPath(fn, o),
    resuming: o.resume !== undefined && o.resume !== false,
    numCells: n,
    numFeatures: f,
  };
}

/** Validates the numeric and choice options (everything but the model, data and centres). */
function checkTrainingOptions(
  fn: string,
  o: Omit<typeof DEFAULT_TRAIN_IDEC_OPTIONS, 'adam'>,
): void {
  checkPositive(fn, 'options.gamma', o.gamma, true);
  checkOneOf(fn, 'options.clusteringReduction', o.clusteringReduction, ['sum', 'mean']);
  checkOneOf(fn, 'options.autoencoderMode', o.autoencoderMode, ['eval', 'train']);
  checkAlpha(fn, o.alpha);
  checkPositive(fn, 'options.centreLrScale', o.centreLrScale, true);
  checkInteger(fn, 'options.updateInterval', o.updateInterval, { min: 1 });
  checkOneOf(fn, 'options.updateUnit', o.updateUnit, ['epoch', 'step']);
  checkPositive(fn, 'options.tolerance', o.tolerance, true);
  checkInteger(fn, 'options.epochs', o.epochs, { min: 0 });
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  checkInteger(fn, 'options.kmeansRestarts', o.kmeansRestarts, { min: 1 });
  checkInteger(fn, 'options.kmeansMaxIterations', o.kmeansMaxIterations, { min: 1 });
  checkNumber(fn, 'options.seed', o.seed);
  checkBoolean(fn, 'options.resampleEachEpoch', o.resampleEachEpoch);
}

/**
 * Adam's options for IDEC: the given ones over engine's defaults, the centres' learning rate
 * scaled by `centreLrScale` (on top of any `lrScale` given).
 */
function idecAdam(fn: string, adam: AdamOptions, centreLrScale: number): AdamOptions {
  checkObject(fn, 'options.adam', adam);
  const o = withDefaults(fn, DEFAULT_TRAIN_IDEC_OPTIONS.adam, adam);
  return { ...o, lrScale: { ...o.lrScale, [CLUSTERING_WEIGHT_KEY]: centreLrScale } };
}

/** The update log: the path given, else `<checkpointDir>/updates.jsonl`, else none. */
function updateLogPath(fn: string, o: TrainIdecOptions): string | undefined {
  const path = o.updateLogPath;
  if (path === false) return undefined;
  if (path !== undefined && (typeof path !== 'string' || path.length === 0))
    throw invalidArgument(fn, 'options.updateLogPath', 'a file path or false', path);
  return path ?? (o.checkpointDir ? join(o.checkpointDir, 'updates.jsonl') : undefined);
}
