import {
  checkBoolean,
  checkInteger,
  checkNumber,
  invalidArgument,
  type ProgressCallback,
} from '@cellshape/core';
import type { AdamOptions } from '../optim/adam.js';
import type { Dataset, DatasetBatch } from './dataset.js';
import {
  type TrainLoopOptions,
  type TrainLoopResult,
  type TrainOptimizer,
  trainLoop,
} from './train-loop.js';

/**
 * The options every trainer over a {@link Dataset} shares (`trainAutoencoder`,
 * `trainVoxelAutoencoder`, the 2-D trainers of `@cellshape/profile`): the epochs, the batches,
 * Adam, the seed, checkpoints and progress. Each trainer states its own defaults.
 */
export interface DatasetTrainingOptions {
  /** Total epochs (a resumed run continues up to this many). */
  epochs?: number;
  /** Samples per batch. */
  batchSize?: number;
  /** Leave out the last, smaller batch of each epoch. */
  dropLast?: boolean;
  /** Adam learning rate (the base rate of the schedule). */
  lr?: number;
  /** Adam betas. Default: the engine's `DEFAULT_ADAM_OPTIONS.betas` ([0.9, 0.999]). */
  betas?: [number, number];
  /** Adam epsilon. Default: the engine's `DEFAULT_ADAM_OPTIONS.eps` (1e-8). */
  eps?: number;
  /** Adam L2 weight decay (added to the gradient, as PyTorch's). */
  weightDecay?: number;
  /** Seed of the epoch orders (and of what the trainer draws per step). */
  seed?: number;
  /** Folder for `last.ckpt`, `best.ckpt` and `log.jsonl`. Default: none (nothing written). */
  checkpointDir?: string;
  /** Checkpoint to resume from exactly; `true` means `<checkpointDir>/last.ckpt`. */
  resume?: string | boolean;
  /** JSON-lines log path; default `<checkpointDir>/log.jsonl`, `false` for none. */
  logPath?: string | false;
  /** Progress per batch and per epoch (loss, its parts, learning rate). */
  onProgress?: ProgressCallback;
  /** Use this optimizer instead of a fresh Adam (the caller keeps ownership). */
  optimizer?: TrainOptimizer;
}

/** {@link DatasetTrainingOptions} after a trainer's defaults: the numbers are all there. */
export type ResolvedDatasetTraining = DatasetTrainingOptions &
  Required<Pick<DatasetTrainingOptions, 'epochs' | 'batchSize' | 'dropLast' | 'lr' | 'seed'>> &
  Pick<Required<DatasetTrainingOptions>, 'weightDecay'>;

/** Validates the shared options of trainer `fn` (after its defaults are applied). */
export function checkDatasetTrainingOptions(fn: string, o: ResolvedDatasetTraining): void {
  checkInteger(fn, 'options.epochs', o.epochs, { min: 0 });
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  checkBoolean(fn, 'options.dropLast', o.dropLast);
  checkNumber(fn, 'options.lr', o.lr, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.weightDecay', o.weightDecay, { min: 0 });
  checkNumber(fn, 'options.seed', o.seed);
  if (o.eps !== undefined) checkNumber(fn, 'options.eps', o.eps, { min: 0, exclusiveMin: true });
  if (o.betas !== undefined) {
    const [b1, b2] = Array.isArray(o.betas) ? o.betas : [Number.NaN, Number.NaN];
    if (!(b1 !== undefined && b2 !== undefined && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
      throw invalidArgument(fn, 'options.betas', 'two numbers in [0, 1)', o.betas);
  }
}

/** Optimizer steps per epoch over `length` samples. */
export function stepsPerEpoch(length: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(length / batchSize) : Math.ceil(length / batchSize);
}

/** What a trainer adds to the shared options: the model, its loss, and any schedule or hook. */
export type DatasetTrainingLoop<B> = Pick<TrainLoopOptions<B>, 'module' | 'loss'> &
  Omit<
    Partial<TrainLoopOptions<B>>,
    | 'data'
    | 'epochs'
    | 'seed'
    | 'adam'
    | 'optimizer'
    | 'checkpointDir'
    | 'resume'
    | 'logPath'
    | 'onProgress'
    | 'stepsPerEpoch'
  >;

/**
 * Trains on `dataset` with the engine's `trainLoop`: shuffled epochs whose order is a function of
 * (seed, epoch) only (so that resuming is exact), Adam from `lr`, `betas`, `eps` and
 * `weightDecay` (or the caller's optimizer), checkpoints, log and progress; `loop` brings the
 * module, the loss and whatever else the trainer needs (schedule, `logScale`, hooks).
 */
export function trainOnDataset<B extends DatasetBatch>(
  dataset: Dataset<B>,
  o: ResolvedDatasetTraining,
  loop: DatasetTrainingLoop<B>,
): Promise<TrainLoopResult> {
  const adam: AdamOptions = { lr: o.lr, weightDecay: o.weightDecay };
  if (o.betas !== undefined) adam.betas = o.betas;
  if (o.eps !== undefined) adam.eps = o.eps;
  return trainLoop<B>({
    ...loop,
    epochs: o.epochs,
    seed: o.seed,
    data: (epoch) =>
      dataset.batches({
        batchSize: o.batchSize,
        shuffle: true,
        seed: o.seed,
        epoch,
        dropLast: o.dropLast,
      }),
    stepsPerEpoch: stepsPerEpoch(dataset.length, o.batchSize, o.dropLast),
    adam,
    ...(o.optimizer ? { optimizer: o.optimizer } : {}),
    ...(o.checkpointDir !== undefined ? { checkpointDir: o.checkpointDir } : {}),
    ...(o.resume !== undefined ? { resume: o.resume } : {}),
    ...(o.logPath !== undefined ? { logPath: o.logPath } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}
