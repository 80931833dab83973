import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ChamferForm, writeFeaturesCsv } from '@cellshape/cloud';
import { chooseK, type IdecAutoencoderMode, trainIdec } from '@cellshape/cluster';
import {
  cellTableCsv,
  InvalidArgumentError,
  invalidArgument,
  type ProgressEvent,
  writeFileAtomic,
} from '@cellshape/core';
import { type BackendName, loadCheckpoint, saveCheckpoint, selectBackend } from '@cellshape/engine';
import type { NormalisePreset } from '@cellshape/helper';
import { chooseExemplars, exemplarClusters } from './exemplars.js';
import { describeInitSource, type InitSource, initialiseAutoencoder } from './init-weights.js';
import type { AutoencoderSettings, ModelKind } from './model-plugin.js';
import { modelPlugin } from './models.js';
import {
  type RunConfig,
  type RunSummary,
  runPaths,
  type StageSummary,
  writeJson,
} from './run-directory.js';
import { versions } from './versions.js';

/** The stages of a run, as progress events name them. */
export type RunStage = 'pretrain' | 'choose-k' | 'idec' | 'extract' | 'exemplars';

/** Options of {@link trainRun}: every hyper-parameter, with the paper's defaults. */
export interface TrainRunOptions {
  /** Model family. Default `'cloud'` (`'voxel'` is not available in this version). */
  model?: ModelKind;
  /** Metadata CSV (Treatment, PlateNumber, serialNumber, …). Default none. */
  metadata?: string;
  /** Metadata column holding the cell id. Default `'serialNumber'`. */
  idColumn?: string;
  /** Points per cloud. Default 2048. */
  numPoints?: number;
  /** Normalisation of each cloud. Default `'fixed20'` (centre, divide by 20). */
  normalise?: NormalisePreset;
  /** Encoder. Default `'dgcnn'`. */
  encoder?: string;
  /** Decoder: `'foldingnet'` or `'foldingnetbasic'`. Default `'foldingnet'`. */
  decoder?: string;
  /** Features F. Default 128. */
  features?: number;
  /** Neighbours of the encoder's graphs. Default 20. */
  k?: number;
  /** Decoder source shape: `'plane'`, `'sphere'` or `'gaussian'`. Default `'plane'`. */
  sourceShape?: string;
  /** Source (reconstructed) points M; a perfect square for a plane. Default 2025 (45 × 45). */
  sourcePoints?: number;
  /** Scale of the source points. Default 0.3. */
  sourceStd?: number;
  /**
   * A checkpoint whose weights initialise the autoencoder before pretraining: a cellshape
   * checkpoint (`.ckpt`, e.g. `pretrain/best.ckpt` or `idec/last.ckpt` of another run) or a
   * cellshape-cloud PyTorch `.pt` (or `.npz` of its state dict). Its architecture must be the
   * one the options give (a `.pt` holds no `k` and no source points: the options give them).
   * With `epochs: 0`, IDEC starts straight from it. It is read only while the run has no
   * pretraining checkpoint of its own: a resumed run continues from `pretrain/last.ckpt`.
   * Default none (seeded random weights).
   */
  init?: string;
  /** Pretraining epochs. Default 250. */
  epochs?: number;
  /** Clouds per batch (pretraining and IDEC). Default 16. */
  batchSize?: number;
  /** Adam learning rate of the pretraining (and IDEC's default, at most 1e-4). Default 1e-4. */
  lr?: number;
  /**
   * Adam learning rate of IDEC. Default: `lr`, at most 1e-4 (the paper's): IDEC at a faster
   * pretraining's 1e-3 collapsed every cell into one cluster (the cluster README).
   */
  idecLr?: number;
  /**
   * Learning rate of the cluster centres as a multiple of IDEC's (`trainIdec`'s
   * `centreLrScale`: at the network's lr the centres cannot follow the features). 0 freezes
   * them. Default 100.
   */
  centreLrScale?: number;
  /**
   * Batch norm of the autoencoder during IDEC: `'train'` (batch statistics, running statistics
   * updated; as cellshape-cluster) or `'eval'` (the pretrained running statistics, unchanged:
   * the features IDEC trains are those its targets come from). `'eval'` is the safer choice for
   * small data sets and batches (see `trainIdec`'s `autoencoderMode`). Default `'train'`.
   */
  idecBatchNorm?: IdecAutoencoderMode;
  /** Adam weight decay. Default 1e-6. */
  weightDecay?: number;
  /** Exponential learning-rate decay per epoch of pretraining (1 = off). Default 1. */
  lrDecay?: number;
  /** Chamfer form: `'sum'` (training loss of the original) or `'extended'`. Default `'sum'`. */
  loss?: ChamferForm;
  /** Clusters K, or `'auto'` for the elbow (Kneedle) of k-means inertia over `kRange`. Default `'auto'`. */
  clusters?: number | 'auto';
  /** The k tried by `clusters: 'auto'`, inclusive. Default [2, 15] (capped at the number of cells). */
  kRange?: [number, number];
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
  idecEpochs?: number;
  /** k-means restarts for the initial centres (and for `clusters: 'auto'`). Default 20. */
  kmeansRestarts?: number;
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

/**
 * The note for clusters that IDEC left empty (undefined when none is): the features collapsed
 * onto fewer clusters than K, whatever the label-change rule says about convergence.
 */
export function emptyClustersNote(sizes: readonly number[]): string | undefined {
  const empty = sizes.filter((size) => size === 0).length;
  if (empty === 0) return undefined;
  return `IDEC left ${empty} of ${sizes.length} clusters empty (sizes ${sizes.join(', ')}): the features collapsed onto fewer clusters; a lower --idec-lr, --idec-batch-norm eval or a longer pretraining usually helps`;
}

/** The largest default IDEC learning rate (the paper's 1e-4); see `idecLr`. */
const IDEC_LR_MAX = 1e-4;

/** Defaults of {@link TrainRunOptions}. */
export const DEFAULT_TRAIN_RUN_OPTIONS = {
  model: 'cloud',
  idColumn: 'serialNumber',
  numPoints: 2048,
  normalise: 'fixed20',
  encoder: 'dgcnn',
  decoder: 'foldingnet',
  features: 128,
  k: 20,
  sourceShape: 'plane',
  sourcePoints: 2025,
  sourceStd: 0.3,
  epochs: 250,
  batchSize: 16,
  lr: 1e-4,
  weightDecay: 1e-6,
  lrDecay: 1,
  loss: 'sum',
  clusters: 'auto',
  kRange: [2, 15],
  gamma: 100,
  alpha: 1,
  updateInterval: 1,
  updateUnit: 'epoch',
  tolerance: 0.001,
  idecEpochs: 100,
  idecBatchNorm: 'train',
  centreLrScale: 100,
  kmeansRestarts: 20,
  seed: 0,
  resume: false,
  overwrite: false,
} as const satisfies TrainRunOptions;

/** The options of a run as `config.json` records them (no callbacks). */
export type ResolvedTrainRunOptions = Omit<
  Required<TrainRunOptions>,
  'onProgress' | 'onNote' | 'metadata' | 'backend' | 'idecLr' | 'init'
> & {
  metadata: string | null;
  backend: BackendName | null;
  idecLr: number | null;
  init: string | null;
};

/** What {@link trainRun} returns. */
export interface TrainRunResult {
  /** Absolute path of the run directory. */
  runDir: string;
  /** The summary written to `summary.json`. */
  summary: RunSummary;
  /**
   * Per cell (dataset order): its id, its IDEC hard label and the k-means label on the
   * pretrained features that IDEC started from (to measure what IDEC changed).
   */
  assignments: { ids: string[]; labels: Int32Array; initialLabels: Int32Array };
  /** The checkpoint the autoencoder was initialised from by this call (`options.init`), else null. */
  init: InitSource | null;
}

const FN = 'trainRun';

function resolveOptions(options: TrainRunOptions): ResolvedTrainRunOptions {
  if (options === null || typeof options !== 'object')
    throw invalidArgument(FN, 'options', 'an object', options);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = {
    ...DEFAULT_TRAIN_RUN_OPTIONS,
    metadata: null,
    backend: null,
    idecLr: null,
    init: null,
    ...defined,
  } as ResolvedTrainRunOptions & Pick<TrainRunOptions, 'onProgress' | 'onNote'>;
  const int = (name: keyof ResolvedTrainRunOptions, min: number) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw invalidArgument(FN, `options.${name}`, `an integer ≥ ${min}`, v);
  };
  const positive = (name: keyof ResolvedTrainRunOptions, allowZero = false) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
      throw invalidArgument(
        FN,
        `options.${name}`,
        allowZero ? 'a number ≥ 0' : 'a positive number',
        v,
      );
  };
  int('numPoints', 1);
  int('features', 2);
  int('k', 1);
  int('sourcePoints', 4);
  int('epochs', 0);
  int('batchSize', 1);
  int('updateInterval', 1);
  int('idecEpochs', 0);
  int('kmeansRestarts', 1);
  positive('lr');
  if (o.idecLr !== null) positive('idecLr');
  if (o.idecBatchNorm !== 'train' && o.idecBatchNorm !== 'eval')
    throw invalidArgument(FN, 'options.idecBatchNorm', "'train' or 'eval'", o.idecBatchNorm);
  positive('weightDecay', true);
  positive('gamma', true);
  positive('centreLrScale', true);
  positive('alpha');
  positive('tolerance');
  positive('sourceStd');
  if (!(o.lrDecay > 0 && o.lrDecay <= 1))
    throw invalidArgument(FN, 'options.lrDecay', 'a number in (0, 1]', o.lrDecay);
  if (!Number.isInteger(o.seed)) throw invalidArgument(FN, 'options.seed', 'an integer', o.seed);
  if (o.init !== null && (typeof o.init !== 'string' || o.init.length === 0))
    throw invalidArgument(FN, 'options.init', 'a checkpoint path', o.init);
  if (o.clusters !== 'auto' && !(Number.isInteger(o.clusters) && o.clusters >= 1))
    throw invalidArgument(FN, 'options.clusters', "'auto' or an integer ≥ 1", o.clusters);
  const [lo, hi] = o.kRange;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo + 2))
    throw invalidArgument(
      FN,
      'options.kRange',
      '[lo, hi] integers with 1 ≤ lo and hi ≥ lo + 2',
      o.kRange,
    );
  return o;
}

function stageSummary(
  result: {
    epochs: number;
    history: { loss: number }[];
    bestLoss: number;
    stopped?: { reason: string };
  },
  seconds: number,
): StageSummary {
  const last = result.history.at(-1);
  return {
    epochs: result.epochs,
    epochsThisRun: result.history.length,
    finalLoss: last ? last.loss : null,
    bestLoss: Number.isFinite(result.bestLoss) ? result.bestLoss : null,
    stopped: result.stopped?.reason ?? null,
    seconds,
  };
}

/** Seconds since `start` (a `performance.now()` time), to the millisecond. */
function since(start: number): number {
  return Math.round(performance.now() - start) / 1000;
}

/**
 * Trains a model on a folder of point clouds and writes a complete run directory (see
 * `RUN_LAYOUT`): the autoencoder is pretrained, K is chosen (fixed or by the elbow), IDEC trains
 * the autoencoder and the cluster centres together, and features, assignments, exemplars and a
 * summary are written. With `resume`, an interrupted run continues where it stopped: the
 * pretraining from `pretrain/last.ckpt`, IDEC from `idec/last.ckpt` (IDEC starts over when the
 * pretraining trained further). With `init`, the autoencoder starts from the weights of a
 * checkpoint; with `init` and `epochs: 0`, IDEC clusters straight from a saved autoencoder.
 *
 * ```ts
 * const { summary } = await trainRun('out/points', 'runs/exp1', { metadata: 'cells.csv', clusters: 5 });
 * await trainRun('out/points', 'runs/idec', { init: 'dfn_128.pt', epochs: 0, clusters: 5 });
 * ```
 *
 * @throws InvalidArgumentError for invalid options or a directory that already holds a run
 *   (without `resume` or `overwrite`); FileSystemError for an unreadable input;
 *   IncompatibleError when a checkpoint to resume belongs to another model, InitMismatchError
 *   (an IncompatibleError) when the `init` checkpoint does not fit the options' architecture.
 */
export async function trainRun(
  points: string,
  runDir: string,
  options: TrainRunOptions = {},
): Promise<TrainRunResult> {
  if (typeof points !== 'string' || points.length === 0)
    throw invalidArgument(FN, 'points', 'a folder path', points);
  const o = resolveOptions(options);
  const onProgress = options.onProgress;
  const note = (text: string) => options.onNote?.(text);
  const progress = (stage: RunStage) => (event: ProgressEvent) => onProgress?.(stage, event);
  const paths = runPaths(runDir);
  const started = performance.now();
  const hasRun = existsSync(paths.pretrainLast) || existsSync(paths.idecLast);
  if (hasRun && !o.resume && !o.overwrite)
    throw new InvalidArgumentError(
      `${FN}: ${paths.root} already holds a training run; resume it or overwrite it`,
      { fn: FN, arg: 'runDir' },
    );
  const plugin = modelPlugin(o.model);
  const backend = await selectBackend(o.backend ?? undefined);
  const input = resolve(points);
  const metadata = o.metadata === null ? null : resolve(o.metadata);
  const dataset = await plugin.openDataset(input, {
    ...(metadata ? { metadata } : {}),
    idColumn: o.idColumn,
    numPoints: o.numPoints,
    normalise: o.normalise,
    seed: o.seed,
  });
  if (dataset.length < 2)
    throw new InvalidArgumentError(
      `${FN}: ${input} holds ${dataset.length} usable cell(s); training needs at least 2`,
      {
        fn: FN,
        arg: 'points',
      },
    );
  if (dataset.skipped.length > 0)
    note(`${dataset.skipped.length} cloud(s) or metadata row(s) left out (see summary.json)`);
  const init = o.init === null ? null : resolve(o.init);

  // 1. Pretraining, from the init checkpoint unless the run resumes from its own.
  const settings: AutoencoderSettings = {
    encoder: o.encoder,
    decoder: o.decoder,
    numFeatures: o.features,
    k: o.k,
    sourceShape: o.sourceShape,
    sourcePoints: o.sourcePoints,
    sourceStd: o.sourceStd,
    seed: o.seed,
  };
  const autoencoder = plugin.createAutoencoder(settings);
  let owner: { dispose(): void } = autoencoder;
  try {
    const resumePretrain = o.resume && existsSync(paths.pretrainLast);
    let initialised: InitSource | null = null;
    if (resumePretrain)
      note(
        `resuming pretraining from ${paths.pretrainLast}${init === null ? '' : ` (its weights, not those of ${init})`}`,
      );
    else if (init !== null) {
      initialised = await initialiseAutoencoder(autoencoder, init, plugin, settings, FN);
      note(`initialised the autoencoder from ${describeInitSource(initialised)}`);
    }
    if (o.overwrite && !o.resume)
      for (const path of [
        paths.pretrainDir,
        paths.idecDir,
        paths.features,
        paths.assignments,
        paths.exemplars,
        paths.summary,
      ])
        await rm(path, { recursive: true, force: true });
    const config: RunConfig = {
      formatVersion: 1,
      createdAt: new Date().toISOString(),
      versions: versions(),
      seed: o.seed,
      backend,
      model: o.model,
      inputs: { points: input, metadata, idColumn: o.idColumn },
      options: { ...o, metadata, backend, init },
    };
    await writeJson(paths.config, config);
    let t = performance.now();
    const pretrained = await plugin.pretrain(autoencoder, dataset, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      weightDecay: o.weightDecay,
      lrDecay: o.lrDecay,
      loss: o.loss,
      seed: o.seed,
      checkpointDir: paths.pretrainDir,
      resume: resumePretrain,
      onProgress: progress('pretrain'),
    });
    const pretrainSummary = stageSummary(pretrained, since(t));
    // Resumed with nothing left to train: the final loss is that of the checkpoint's last epoch.
    if (pretrainSummary.finalLoss === null && existsSync(paths.pretrainLast)) {
      const { loss } = await loadCheckpoint(paths.pretrainLast);
      if (Number.isFinite(loss)) pretrainSummary.finalLoss = loss;
    }
    // IDEC starts from the best pretrained weights, as cellshape does.
    if (existsSync(paths.pretrainBest))
      autoencoder.loadStateDict((await loadCheckpoint(paths.pretrainBest)).stateDict);

    // 2. Number of clusters.
    t = performance.now();
    let k: number;
    let chosen: RunSummary['chooseK'] = null;
    if (o.clusters === 'auto') {
      const hi = Math.min(o.kRange[1], dataset.length);
      if (hi < o.kRange[0] + 2)
        throw new InvalidArgumentError(
          `${FN}: clusters 'auto' needs at least ${o.kRange[0] + 2} cells for the elbow, got ${dataset.length}; give a number of clusters`,
          { fn: FN, arg: 'clusters' },
        );
      const extracted = await plugin.extractFeatures(autoencoder, dataset, {
        batchSize: o.batchSize,
        onProgress: progress('choose-k'),
      });
      const result = chooseK(
        { data: extracted.features, shape: [dataset.length, extracted.numFeatures] },
        { range: [o.kRange[0], hi], restarts: o.kmeansRestarts, seed: o.seed },
      );
      chosen = { ks: result.ks, inertias: result.inertias, k: result.k };
      if (result.k === null)
        throw new InvalidArgumentError(
          `${FN}: the k-means inertia over k = ${o.kRange[0]}…${hi} has no elbow; give a number of clusters (the pretraining is saved: resume with it)`,
          { fn: FN, arg: 'clusters' },
        );
      k = result.k;
      note(`chose ${k} clusters (elbow of the k-means inertia over k = ${o.kRange[0]}…${hi})`);
    } else k = o.clusters;
    if (k > dataset.length)
      throw new InvalidArgumentError(
        `${FN}: ${k} clusters for ${dataset.length} cells; give at most one cluster per cell`,
        {
          fn: FN,
          arg: 'clusters',
        },
      );
    const chooseSeconds = since(t);

    // 3. IDEC: restart it when the pretraining moved on since its checkpoint.
    t = performance.now();
    const resumeIdec = o.resume && pretrained.history.length === 0 && existsSync(paths.idecLast);
    if (!resumeIdec) await rm(paths.idecDir, { recursive: true, force: true });
    else note(`resuming IDEC from ${paths.idecLast}`);
    if (o.idecBatchNorm === 'train' && o.batchSize < 8 && o.idecEpochs > 0)
      note(
        `IDEC with batch norm in train mode on batches of ${o.batchSize}: the statistics of so few cells move labels; idecBatchNorm 'eval' (--idec-batch-norm eval) is steadier`,
      );
    const idec = await trainIdec(autoencoder, dataset, {
      numClusters: k,
      reconstructionLoss: plugin.reconstructionLoss(o.loss),
      gamma: o.gamma,
      alpha: o.alpha,
      updateInterval: o.updateInterval,
      updateUnit: o.updateUnit,
      tolerance: o.tolerance,
      autoencoderMode: o.idecBatchNorm,
      centreLrScale: o.centreLrScale,
      epochs: o.idecEpochs,
      batchSize: o.batchSize,
      seed: o.seed,
      kmeansRestarts: o.kmeansRestarts,
      adam: { lr: o.idecLr ?? Math.min(o.lr, IDEC_LR_MAX), weightDecay: o.weightDecay },
      checkpointDir: paths.idecDir,
      ...(resumeIdec ? { resume: true } : {}),
      onProgress: progress('idec'),
    });
    owner = idec.model;
    if (!existsSync(paths.idecLast)) {
      // No IDEC epoch ran (idecEpochs 0): keep the k-means model so that `extract` finds it.
      await saveCheckpoint(paths.idecLast, {
        config: idec.model.config(),
        stateDict: idec.model.stateDict(),
        epoch: 0,
        step: 0,
        // No epoch ran: no loss yet (the training loop starts from an infinite best loss too).
        loss: Number.POSITIVE_INFINITY,
        bestLoss: Number.POSITIVE_INFINITY,
        seed: o.seed,
      });
    }
    const idecSeconds = since(t);

    // 4. Outputs.
    t = performance.now();
    const meta = dataset.metadata;
    await writeFeaturesCsv(paths.features, {
      ids: idec.ids,
      metadata: meta,
      features: idec.features.data,
      numFeatures: idec.features.shape[1],
    });
    await writeFileAtomic(
      paths.assignments,
      cellTableCsv({
        ids: idec.ids,
        metadata: meta,
        labels: { column: 'cluster', values: idec.labels },
        q: idec.q,
      }),
    );
    const clusters = await exemplarClusters(chooseExemplars(idec.q, idec.labels), idec.ids, (i) =>
      dataset.filePoints(i, 1024),
    );
    await writeJson(paths.exemplars, { clusters });
    const lastUpdate = idec.updates.at(-1);
    const summary: RunSummary = {
      cells: dataset.length,
      skipped: dataset.skipped.map((s) => ({ ...s })),
      clusters: k,
      clusterSizes: clusters.map((c) => c.size),
      chooseK: chosen,
      pretrain: pretrainSummary,
      idec: {
        ...stageSummary(idec.training, idecSeconds),
        converged: idec.converged,
        lastLabelChange: lastUpdate?.labelChange ?? null,
      },
      timings: {
        pretrain: pretrainSummary.seconds,
        chooseK: chooseSeconds,
        idec: idecSeconds,
        outputs: since(t),
        total: since(started),
      },
      backend,
    };
    await writeJson(paths.summary, summary);
    const emptied = emptyClustersNote(summary.clusterSizes);
    if (emptied) note(emptied);
    return {
      runDir: paths.root,
      summary,
      assignments: { ids: idec.ids, labels: idec.labels, initialLabels: idec.initialLabels },
      init: initialised,
    };
  } finally {
    owner.dispose();
  }
}
