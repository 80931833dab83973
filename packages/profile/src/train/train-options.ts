import {
  checkBoolean,
  checkInteger,
  checkNumber,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import {
  checkDataset,
  type Dataset,
  DEFAULT_ADAM_OPTIONS,
  type LossParts,
  type LrSchedule,
  type StepContext,
  type TrainableModule,
  type TrainLoopResult,
  type TrainOptimizer,
  trainLoop,
} from '@cellshape/engine';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { CropBatch } from './crop-dataset.js';

/** Stream of the per-step view seeds, distinct from the epoch orders'. */
export const VIEW_STREAM = 0x7e1e;
/** Stream of the per-step dropout seeds. */
export const DROPOUT_STREAM = 0xd0d0;

/** Options every trainer of this package shares (the engine's `trainLoop` underneath). */
export interface TrainImagesOptions {
  /** Total epochs (a resumed run continues up to this many). Default 100. */
  epochs?: number;
  /** Crops per batch. Default 64. */
  batchSize?: number;
  /**
   * Leave out the last, smaller batch of each epoch. Default true: batch norm in training mode
   * (and the Barlow Twins normalisation) needs at least 2 samples.
   */
  dropLast?: boolean;
  /** Adam learning rate (the peak, under warm-up + cosine). Default 1e-3 (the GBM thesis's). */
  lr?: number;
  /** Adam L2 weight decay. Default: the engine's (1e-6). */
  weightDecay?: number;
  /**
   * Warm-up + cosine schedule: linear warm-up over this fraction of all steps, then cosine
   * decay to 0 at the last step. 0 turns warm-up off; `schedule: 'constant'` the whole schedule.
   * Default 0.1.
   */
  warmup?: number;
  /** `'warmupCosine'` (default) or `'constant'`. */
  schedule?: 'warmupCosine' | 'constant';
  /** Seed of the epoch orders, views and dropout masks. Default 0. */
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

/** Defaults of {@link TrainImagesOptions}. */
export const DEFAULT_TRAIN_IMAGES_OPTIONS = {
  epochs: 100,
  batchSize: 64,
  dropLast: true,
  lr: 1e-3,
  weightDecay: DEFAULT_ADAM_OPTIONS.weightDecay,
  warmup: 0.1,
  schedule: 'warmupCosine',
  seed: 0,
} as const;

type Resolved<O> = Required<Pick<TrainImagesOptions, keyof typeof DEFAULT_TRAIN_IMAGES_OPTIONS>> &
  O;

/** Merges and validates the shared options of `fn` over `defaults` (the trainer's own first). */
export function resolveTrainOptions<O extends TrainImagesOptions, D extends object>(
  fn: string,
  defaults: D,
  options: O,
): Resolved<O & D> {
  const o = withDefaults(fn, { ...DEFAULT_TRAIN_IMAGES_OPTIONS, ...defaults }, options) as Resolved<
    O & D
  >;
  checkInteger(fn, 'options.epochs', o.epochs, { min: 0 });
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  checkBoolean(fn, 'options.dropLast', o.dropLast);
  checkNumber(fn, 'options.lr', o.lr, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.weightDecay', o.weightDecay, { min: 0 });
  checkNumber(fn, 'options.warmup', o.warmup, { min: 0, max: 1 });
  checkNumber(fn, 'options.seed', o.seed);
  if (o.schedule !== 'warmupCosine' && o.schedule !== 'constant')
    throw invalidArgument(fn, 'options.schedule', "'warmupCosine' or 'constant'", o.schedule);
  return o;
}

/**
 * Runs the engine's `trainLoop` on `dataset` with the shared options: seeded shuffled epochs,
 * Adam, the warm-up + cosine schedule over all steps, checkpoints and exact resume.
 */
export function runTraining(
  fn: string,
  module: TrainableModule,
  dataset: Dataset<CropBatch>,
  o: Resolved<TrainImagesOptions>,
  loss: (batch: CropBatch, context: StepContext<CropBatch>) => Scalar | LossParts,
): Promise<TrainLoopResult> {
  const minimum = o.dropLast ? o.batchSize : 1;
  checkDataset(fn, 'dataset', dataset, Math.max(2, minimum));
  const steps = o.dropLast
    ? Math.floor(dataset.length / o.batchSize)
    : Math.ceil(dataset.length / o.batchSize);
  const totalSteps = Math.max(1, steps * o.epochs);
  const warmupSteps = Math.min(Math.round(o.warmup * totalSteps), totalSteps - 1);
  const lrSchedule: LrSchedule =
    o.schedule === 'constant'
      ? { kind: 'constant' }
      : { kind: 'warmupCosine', warmupSteps, totalSteps, minLr: 0 };
  return trainLoop<CropBatch>({
    module,
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
    loss: (_m, batch, context) => loss(batch, context),
    stepsPerEpoch: steps,
    lrSchedule,
    adam: { lr: o.lr, weightDecay: o.weightDecay },
    ...(o.optimizer ? { optimizer: o.optimizer } : {}),
    ...(o.checkpointDir !== undefined ? { checkpointDir: o.checkpointDir } : {}),
    ...(o.resume !== undefined ? { resume: o.resume } : {}),
    ...(o.logPath !== undefined ? { logPath: o.logPath } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}
