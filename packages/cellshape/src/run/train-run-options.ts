import {
  DEFAULT_POINT_CLOUD_DATASET_OPTIONS,
  DEFAULT_TRAIN_AUTOENCODER_OPTIONS,
} from '@cellshape/cloud';
import {
  DEFAULT_CHOOSE_K_OPTIONS,
  DEFAULT_TRAIN_IDEC_OPTIONS,
  type IdecAutoencoderMode,
} from '@cellshape/cluster';
import {
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  checkPositive,
  checkString,
  InvalidArgumentError,
  invalidArgument,
  type ProgressEvent,
  withDefaults,
} from '@cellshape/core';
import {
  type BackendName,
  DEFAULT_ADAM_OPTIONS,
  DEFAULT_TRAIN_LOOP_OPTIONS,
} from '@cellshape/engine';
import type { ModelPlugin } from './model-plugin.js';
import { DEFAULT_MODEL, modelPlugin } from './model-registry.js';

/** The stages of a run, as progress events name them. */
export type RunStage = 'pretrain' | 'choose-k' | 'idec' | 'extract' | 'exemplars';

/** The model: its family, the family's settings and where its first weights come from. */
export interface RunModelOptions {
  /** A registered model family (`registerModel`). Default `'cloud'`. */
  family?: string;
  /**
   * The family's settings (for `cloud`: `numPoints`, `normalise`, `encoder`, `decoder`,
   * `features`, `k`, `sourceShape`, `sourcePoints`, `sourceStd`, `loss`); unset ones take the
   * family's defaults (`plugin.defaults`).
   */
  settings?: Record<string, unknown>;
  /**
   * A checkpoint whose weights initialise the model before pretraining: a cellshape checkpoint
   * (`.ckpt`, e.g. `pretrain/best.ckpt` or `idec/last.ckpt` of another run) or a checkpoint of
   * the family's reference implementation (for `cloud`, a cellshape-cloud `.pt` or `.npz`). Its
   * architecture must be that of the settings. With `pretrain.epochs: 0`, clustering starts
   * straight from it. It is read only while the run has no pretraining checkpoint of its own.
   * Default none (seeded random weights).
   */
  init?: string;
}

/** The input data. */
export interface RunDataOptions {
  /** Metadata CSV (Treatment, PlateNumber, serialNumber, …). Default none. */
  metadata?: string;
  /** Metadata column naming each cell's file. Default `'serialNumber'`. */
  idColumn?: string;
  /** Cells per batch (pretraining, IDEC and feature extraction). Default 16. */
  batchSize?: number;
}

/** The pretraining of the model (Adam). */
export interface RunPretrainOptions {
  /** Epochs. Default 250. */
  epochs?: number;
  /** Adam learning rate. Default 1e-4 (engine's `DEFAULT_ADAM_OPTIONS`). */
  lr?: number;
  /** Adam weight decay (pretraining and IDEC). Default 1e-6. */
  weightDecay?: number;
  /** Exponential learning-rate decay per epoch (1 = off). Default 1. */
  lrDecay?: number;
}

/** Choosing K and clustering: IDEC for autoencoders, k-means for encoder-only families. */
export interface RunIdecOptions {
  /** Clusters K, or `'auto'`: the elbow (Kneedle) of k-means inertia over `kRange`. Default `'auto'`. */
  clusters?: number | 'auto';
  /** The k tried by `clusters: 'auto'`, inclusive (capped at the number of cells). Default [2, 15]. */
  kRange?: [number, number];
  /** k-means restarts for the initial centres (and for `clusters: 'auto'`). Default 20. */
  kmeansRestarts?: number;
  /** Weight γ of the clustering loss. Default 100. */
  gamma?: number;
  /** Student-t degrees of freedom α. Default 1. */
  alpha?: number;
  /** The target distribution is refreshed every `updateInterval` units. Default 1. */
  updateInterval?: number;
  /** Unit of `updateInterval`. Default `'epoch'`. */
  updateUnit?: 'epoch' | 'step';
  /** IDEC stops when fewer than this share of cells change cluster between updates. Default 0.001. */
  tolerance?: number;
  /** Maximum IDEC epochs. Default 100. */
  epochs?: number;
  /**
   * Adam learning rate of IDEC. Default: `pretrain.lr`, at most 1e-4 (the paper's), because
   * IDEC at a faster pretraining's rate can collapse the clusters (the cluster README).
   */
  lr?: number;
  /** Learning rate of the cluster centres as a multiple of IDEC's; 0 freezes them. Default 100. */
  centreLrScale?: number;
  /**
   * Batch norm of the autoencoder during IDEC: `'train'` (batch statistics, as
   * cellshape-cluster) or `'eval'` (the pretrained running statistics; steadier on small
   * batches). Default `'train'`.
   */
  batchNorm?: IdecAutoencoderMode;
}

/** How the run executes. */
export interface RunRuntimeOptions {
  /** Base seed (shuffling, resampling, initialisation, k-means). Default 0. */
  seed?: number;
  /** tfjs backend; default: the fastest available (`CELLSHAPE_BACKEND` is honoured). */
  backend?: BackendName;
  /** Continue an interrupted run in the same directory (pretraining or IDEC). Default false. */
  resume?: boolean;
  /** Replace a finished or interrupted run in the directory. Default false. */
  overwrite?: boolean;
  /** Progress of every stage. */
  onProgress?: (stage: RunStage, event: ProgressEvent) => void;
  /** Notes worth telling the user (resuming, chosen K, …). */
  onNote?: (text: string) => void;
}

/** Options of `trainRun`, grouped by concern; every field is optional. */
export interface TrainRunOptions {
  model?: RunModelOptions;
  data?: RunDataOptions;
  pretrain?: RunPretrainOptions;
  idec?: RunIdecOptions;
  runtime?: RunRuntimeOptions;
}

/** The largest default IDEC learning rate (the paper's 1e-4); see `idec.lr`. */
export const IDEC_LR_MAX = 1e-4;

/** IDEC's learning rate: `idec.lr`, else the pretraining's capped at {@link IDEC_LR_MAX}. */
export function idecLearningRate(options: ResolvedTrainRunOptions): number {
  return options.idec.lr ?? Math.min(options.pretrain.lr, IDEC_LR_MAX);
}

/** Defaults of {@link TrainRunOptions}, taken from the packages that own them. */
export const DEFAULT_TRAIN_RUN_OPTIONS = Object.freeze({
  model: Object.freeze({ family: DEFAULT_MODEL }),
  data: Object.freeze({
    idColumn: DEFAULT_POINT_CLOUD_DATASET_OPTIONS.idColumn,
    batchSize: DEFAULT_TRAIN_AUTOENCODER_OPTIONS.batchSize,
  }),
  pretrain: Object.freeze({
    epochs: DEFAULT_TRAIN_AUTOENCODER_OPTIONS.epochs,
    lr: DEFAULT_ADAM_OPTIONS.lr,
    weightDecay: DEFAULT_ADAM_OPTIONS.weightDecay,
    lrDecay: DEFAULT_TRAIN_LOOP_OPTIONS.lrDecay,
  }),
  idec: Object.freeze({
    clusters: 'auto' as number | 'auto',
    kRange: DEFAULT_CHOOSE_K_OPTIONS.range,
    kmeansRestarts: DEFAULT_TRAIN_IDEC_OPTIONS.kmeansRestarts,
    gamma: DEFAULT_TRAIN_IDEC_OPTIONS.gamma,
    alpha: DEFAULT_TRAIN_IDEC_OPTIONS.alpha,
    updateInterval: DEFAULT_TRAIN_IDEC_OPTIONS.updateInterval,
    updateUnit: DEFAULT_TRAIN_IDEC_OPTIONS.updateUnit,
    tolerance: DEFAULT_TRAIN_IDEC_OPTIONS.tolerance,
    epochs: DEFAULT_TRAIN_IDEC_OPTIONS.epochs,
    centreLrScale: DEFAULT_TRAIN_IDEC_OPTIONS.centreLrScale,
    batchNorm: DEFAULT_TRAIN_IDEC_OPTIONS.autoencoderMode,
  }),
  runtime: Object.freeze({ seed: 0, resume: false, overwrite: false }),
});

/** The options of a run as `config.json` records them: every default filled in, no callbacks. */
export interface ResolvedTrainRunOptions {
  model: { family: string; settings: Record<string, unknown>; init: string | null };
  data: { metadata: string | null; idColumn: string; batchSize: number };
  pretrain: Required<RunPretrainOptions>;
  /** `lr` null: IDEC's default, `pretrain.lr` capped at {@link IDEC_LR_MAX} (see {@link idecLearningRate}). */
  idec: Omit<Required<RunIdecOptions>, 'lr'> & { lr: number | null };
  runtime: { seed: number; backend: BackendName | null; resume: boolean; overwrite: boolean };
}

const FN = 'trainRun';

/** A group of the options: an object or undefined, merged over its defaults. */
function group<D extends object>(
  name: string,
  defaults: D,
  value: unknown,
): D & Record<string, unknown> {
  if (value !== undefined) checkObject(FN, `options.${name}`, value);
  return withDefaults(`${FN}`, defaults, value as object | undefined) as D &
    Record<string, unknown>;
}

function resolveModel(value: unknown): {
  plugin: ModelPlugin<object>;
  model: ResolvedTrainRunOptions['model'];
} {
  const m = group('model', DEFAULT_TRAIN_RUN_OPTIONS.model, value);
  const family = checkString(FN, 'options.model.family', m.family);
  const plugin = modelPlugin(family);
  if (m.settings !== undefined) checkObject(FN, 'options.model.settings', m.settings);
  const settings = plugin.resolveSettings((m.settings ?? {}) as Record<string, unknown>);
  const init = m.init === undefined ? null : checkString(FN, 'options.model.init', m.init);
  return { plugin, model: { family, settings: { ...settings }, init } };
}

function resolveData(value: unknown): ResolvedTrainRunOptions['data'] {
  const d = group('data', DEFAULT_TRAIN_RUN_OPTIONS.data, value);
  return {
    metadata:
      d.metadata === undefined ? null : checkString(FN, 'options.data.metadata', d.metadata),
    idColumn: checkString(FN, 'options.data.idColumn', d.idColumn),
    batchSize: checkInteger(FN, 'options.data.batchSize', d.batchSize, { min: 1 }),
  };
}

function resolvePretrain(value: unknown): ResolvedTrainRunOptions['pretrain'] {
  const p = group('pretrain', DEFAULT_TRAIN_RUN_OPTIONS.pretrain, value);
  return {
    epochs: checkInteger(FN, 'options.pretrain.epochs', p.epochs, { min: 0 }),
    lr: checkPositive(FN, 'options.pretrain.lr', p.lr),
    weightDecay: checkPositive(FN, 'options.pretrain.weightDecay', p.weightDecay, true),
    lrDecay: checkNumber(FN, 'options.pretrain.lrDecay', p.lrDecay, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
  };
}

function resolveKRange(value: unknown): [number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => Number.isInteger(v)) &&
    value[0] >= 1 &&
    value[1] >= value[0] + 2;
  if (!ok)
    throw invalidArgument(
      FN,
      'options.idec.kRange',
      '[lo, hi] integers with 1 ≤ lo and hi ≥ lo + 2',
      value,
    );
  return [value[0], value[1]];
}

function resolveIdec(value: unknown): ResolvedTrainRunOptions['idec'] {
  const i = group('idec', DEFAULT_TRAIN_RUN_OPTIONS.idec, value);
  const p = (name: string) => `options.idec.${name}`;
  if (i.clusters !== 'auto') checkInteger(FN, p('clusters'), i.clusters, { min: 1 });
  return {
    clusters: i.clusters,
    kRange: resolveKRange(i.kRange),
    kmeansRestarts: checkInteger(FN, p('kmeansRestarts'), i.kmeansRestarts, { min: 1 }),
    gamma: checkPositive(FN, p('gamma'), i.gamma, true),
    alpha: checkPositive(FN, p('alpha'), i.alpha),
    updateInterval: checkInteger(FN, p('updateInterval'), i.updateInterval, { min: 1 }),
    updateUnit: checkOneOf(FN, p('updateUnit'), i.updateUnit, ['epoch', 'step']),
    tolerance: checkPositive(FN, p('tolerance'), i.tolerance),
    epochs: checkInteger(FN, p('epochs'), i.epochs, { min: 0 }),
    lr: i.lr === undefined || i.lr === null ? null : checkPositive(FN, p('lr'), i.lr),
    centreLrScale: checkPositive(FN, p('centreLrScale'), i.centreLrScale, true),
    batchNorm: checkOneOf(FN, p('batchNorm'), i.batchNorm, ['train', 'eval']),
  };
}

function resolveRuntime(value: unknown): ResolvedTrainRunOptions['runtime'] {
  const r = group('runtime', DEFAULT_TRAIN_RUN_OPTIONS.runtime, value);
  for (const hook of ['onProgress', 'onNote'])
    if (r[hook] !== undefined && typeof r[hook] !== 'function')
      throw invalidArgument(FN, `options.runtime.${hook}`, 'a function', r[hook]);
  return {
    seed: checkInteger(FN, 'options.runtime.seed', r.seed),
    backend: (r.backend as BackendName | undefined) ?? null,
    resume: (r.resume as boolean) === true,
    overwrite: (r.overwrite as boolean) === true,
  };
}

/**
 * Every option of a run with its default, validated, and the model family's plugin.
 *
 * @throws InvalidArgumentError naming the option; UnsupportedError for an unregistered family.
 */
export function resolveTrainRunOptions(options: TrainRunOptions): {
  plugin: ModelPlugin<object>;
  options: ResolvedTrainRunOptions;
} {
  checkObject(FN, 'options', options);
  const known = new Set(Object.keys(DEFAULT_TRAIN_RUN_OPTIONS));
  for (const key of Object.keys(options))
    if (!known.has(key))
      throw new InvalidArgumentError(
        `${FN}: unknown option group '${key}' (groups: ${[...known].join(', ')})`,
        { fn: FN, arg: `options.${key}` },
      );
  const { plugin, model } = resolveModel(options.model);
  const pretrain = resolvePretrain(options.pretrain);
  return {
    plugin,
    options: {
      model,
      data: resolveData(options.data),
      pretrain,
      idec: resolveIdec(options.idec),
      runtime: resolveRuntime(options.runtime),
    },
  };
}
