import { invalidArgument, type ProgressCallback } from '@cellshape/core';
import {
  type Autoencoder,
  type TrainLoopResult,
  type TrainOptimizer,
  trainLoop,
} from '@cellshape/engine';
import type { Scalar, Tensor3D } from '@tensorflow/tfjs-core';
import { type PointCloudBatch, PointCloudDataset } from '../data/index.js';
import { chamferLoss } from '../losses/index.js';

/** Options of {@link trainAutoencoder}; the defaults are those of cellshape-cloud. */
export interface TrainAutoencoderOptions {
  /** Total epochs (a resumed run continues up to this many). Default 250. */
  epochs?: number;
  /** Clouds per batch. Default 16. */
  batchSize?: number;
  /** Leave out the last, smaller batch of each epoch. Default false. */
  dropLast?: boolean;
  /** Adam learning rate. Default 1e-4. */
  lr?: number;
  /** Adam betas. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Adam epsilon. Default 1e-8. */
  eps?: number;
  /** Adam L2 weight decay (added to the gradient, as PyTorch). Default 1e-6. */
  weightDecay?: number;
  /** Exponential learning-rate decay per epoch (gamma); 1 is off. Default 1. */
  lrDecay?: number;
  /**
   * Chamfer form: `'sum'` (the original training loss, summed over the batch; logged divided
   * by the batch size as the original does) or `'extended'` (the paper's form, a batch mean).
   * Default `'sum'`.
   */
  loss?: 'sum' | 'extended';
  /** Seed of the shuffling and resampling. Default 0. */
  seed?: number;
  /** Folder for `last.ckpt`, `best.ckpt` and `log.jsonl`. Default: none (nothing written). */
  checkpointDir?: string;
  /** Checkpoint to resume from; `true` means `<checkpointDir>/last.ckpt`. */
  resume?: string | boolean;
  /** JSON-lines log path; default `<checkpointDir>/log.jsonl`, `false` for none. */
  logPath?: string | false;
  /** Progress per batch and per epoch (loss, learning rate). */
  onProgress?: ProgressCallback;
  /** Use this optimizer instead of a fresh Adam (the caller keeps ownership). */
  optimizer?: TrainOptimizer;
}

/** Defaults of {@link TrainAutoencoderOptions}. */
export const DEFAULT_TRAIN_AUTOENCODER_OPTIONS = {
  epochs: 250,
  batchSize: 16,
  dropLast: false,
  lr: 1e-4,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 1e-6,
  lrDecay: 1,
  loss: 'sum',
  seed: 0,
} as const;

function checkPositive(fn: string, arg: string, value: number, integer: boolean): void {
  const ok = Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok)
    throw invalidArgument(fn, arg, integer ? 'a positive integer' : 'a positive number', value);
}

/**
 * Trains a point-cloud autoencoder (any {@link Autoencoder} whose `encode` takes `[B, N, 3]`
 * and whose `decode` returns `[B, M, 3]`) to reconstruct the clouds of `dataset` under the
 * Chamfer distance, with Adam, seeded shuffling, checkpoints and resume (see `trainLoop` of
 * `@cellshape/engine`). Returns the loss history; the model is trained in place.
 */
export async function trainAutoencoder(
  model: Autoencoder,
  dataset: PointCloudDataset,
  options: TrainAutoencoderOptions = {},
): Promise<TrainLoopResult> {
  const fn = 'trainAutoencoder';
  if (!model || typeof model.encode !== 'function' || typeof model.decode !== 'function')
    throw invalidArgument(fn, 'model', 'an Autoencoder (encode, decode, namedParameters)', model);
  if (!(dataset instanceof PointCloudDataset))
    throw invalidArgument(fn, 'dataset', 'a PointCloudDataset', dataset);
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  const o = { ...DEFAULT_TRAIN_AUTOENCODER_OPTIONS, ...options };
  if (!Number.isInteger(o.epochs) || o.epochs < 0)
    throw invalidArgument(fn, 'options.epochs', 'a non-negative integer', o.epochs);
  checkPositive(fn, 'options.batchSize', o.batchSize, true);
  checkPositive(fn, 'options.lr', o.lr, false);
  checkPositive(fn, 'options.eps', o.eps, false);
  if (!(Number.isFinite(o.weightDecay) && o.weightDecay >= 0))
    throw invalidArgument(fn, 'options.weightDecay', 'a non-negative number', o.weightDecay);
  const [b1, b2] = Array.isArray(o.betas) ? o.betas : [Number.NaN, Number.NaN];
  if (!(b1 !== undefined && b2 !== undefined && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
    throw invalidArgument(fn, 'options.betas', 'two numbers in [0, 1)', o.betas);
  let logScale: (batch: PointCloudBatch) => number;
  switch (o.loss) {
    case 'sum':
      logScale = (batch) => 1 / batch.ids.length;
      break;
    case 'extended':
      logScale = () => 1;
      break;
    default: {
      const never: never = o.loss;
      throw invalidArgument(fn, 'options.loss', "'sum' or 'extended'", never);
    }
  }
  const form = o.loss;
  const steps = o.dropLast
    ? Math.floor(dataset.length / o.batchSize)
    : Math.ceil(dataset.length / o.batchSize);
  return trainLoop<PointCloudBatch>({
    module: model,
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
    loss: (_module, batch): Scalar => {
      const reconstruction = model.decode(model.encode(batch.points)) as Tensor3D;
      return chamferLoss(batch.points, reconstruction, { form });
    },
    logScale,
    stepsPerEpoch: steps,
    lrDecay: o.lrDecay,
    adam: { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay },
    optimizer: o.optimizer,
    checkpointDir: o.checkpointDir,
    resume: o.resume,
    logPath: o.logPath,
    onProgress: o.onProgress,
  });
}
