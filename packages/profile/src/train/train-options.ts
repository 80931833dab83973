import { checkNumber, invalidArgument, withDefaults } from '@cellshape/core';
import {
  checkDataset,
  checkDatasetTrainingOptions,
  type Dataset,
  type DatasetTrainingOptions,
  DEFAULT_ADAM_OPTIONS,
  type LossParts,
  type LrSchedule,
  type StepContext,
  stepsPerEpoch,
  type TrainableModule,
  type TrainLoopResult,
  trainOnDataset,
} from '@cellshape/engine';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { CropBatch } from './crop-dataset.js';

/** Stream of the per-step view seeds, distinct from the epoch orders'. */
export const VIEW_STREAM = 0x7e1e;
/** Stream of the per-step dropout seeds. */
export const DROPOUT_STREAM = 0xd0d0;

/**
 * Options every trainer of this package shares: the engine's {@link DatasetTrainingOptions}
 * (epochs, batches, Adam, seed — of the epoch orders, views and dropout masks —, checkpoints,
 * progress) with the defaults of {@link DEFAULT_TRAIN_IMAGES_OPTIONS} (100 epochs of 64 crops,
 * `dropLast` true since batch norm in training mode and the Barlow Twins normalisation need at
 * least 2 samples, Adam lr 1e-3 — the GBM thesis's, the peak of the schedule), and:
 */
export interface TrainImagesOptions extends DatasetTrainingOptions {
  /**
   * Warm-up + cosine schedule: linear warm-up over this fraction of all steps, then cosine
   * decay to 0 at the last step. 0 turns warm-up off; `schedule: 'constant'` the whole schedule.
   * Default 0.1.
   */
  warmup?: number;
  /** `'warmupCosine'` (default) or `'constant'`. */
  schedule?: 'warmupCosine' | 'constant';
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
  checkDatasetTrainingOptions(fn, o);
  checkNumber(fn, 'options.warmup', o.warmup, { min: 0, max: 1 });
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
  const totalSteps = Math.max(1, stepsPerEpoch(dataset.length, o.batchSize, o.dropLast) * o.epochs);
  const warmupSteps = Math.min(Math.round(o.warmup * totalSteps), totalSteps - 1);
  const lrSchedule: LrSchedule =
    o.schedule === 'constant'
      ? { kind: 'constant' }
      : { kind: 'warmupCosine', warmupSteps, totalSteps, minLr: 0 };
  return trainOnDataset<CropBatch>(dataset, o, {
    module,
    loss: (_m, batch, context) => loss(batch, context),
    lrSchedule,
  });
}
