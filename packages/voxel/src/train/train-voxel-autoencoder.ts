import {
  checkInteger,
  checkNumber,
  checkOneOf,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import {
  type Autoencoder,
  checkDataset,
  type Dataset,
  type DatasetBatch,
  DEFAULT_ADAM_OPTIONS,
  isAutoencoder,
  type TrainLoopResult,
  type TrainOptimizer,
  trainLoop,
} from '@cellshape/engine';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { VOXEL_LOSS_NAMES, type VoxelLossName, voxelLoss } from '../losses/voxel-loss.js';

/** Options of {@link trainVoxelAutoencoder}. */
export interface TrainVoxelAutoencoderOptions {
  /** Total epochs (a resumed run continues up to this many). Default 100. */
  epochs?: number;
  /** Volumes per batch. Default 16. */
  batchSize?: number;
  /** Leave out the last, smaller batch of each epoch. Default false. */
  dropLast?: boolean;
  /** Adam learning rate. Default: the engine's `DEFAULT_ADAM_OPTIONS.lr` (1e-4). */
  lr?: number;
  /** Adam betas. Default: the engine's ([0.9, 0.999]). */
  betas?: [number, number];
  /** Adam epsilon. Default: the engine's (1e-8). */
  eps?: number;
  /** Adam L2 weight decay (added to the gradient, as PyTorch). Default: the engine's (1e-6). */
  weightDecay?: number;
  /** Exponential learning-rate decay per epoch (gamma); 1 is off. Default 1. */
  lrDecay?: number;
  /**
   * The loss: `'model'` (the model's `reconstructionLoss`; `VoxelAutoEncoder`'s is its
   * `loss` option, binary cross-entropy by default) or a {@link VoxelLossName}. Every voxel
   * loss is a batch mean, logged as is. Default `'model'`.
   */
  loss?: 'model' | VoxelLossName;
  /** Seed of the shuffling (and of the dataset's augmentation). Default 0. */
  seed?: number;
  /** Folder for `last.ckpt`, `best.ckpt` and `log.jsonl`. Default: none (nothing written). */
  checkpointDir?: string;
  /** Checkpoint to resume from exactly; `true` means `<checkpointDir>/last.ckpt`. */
  resume?: string | boolean;
  /** JSON-lines log path; default `<checkpointDir>/log.jsonl`, `false` for none. */
  logPath?: string | false;
  /** Progress per batch and per epoch (loss, learning rate). */
  onProgress?: ProgressCallback;
  /** Use this optimizer instead of a fresh Adam (the caller keeps ownership). */
  optimizer?: TrainOptimizer;
}

/** Defaults of {@link TrainVoxelAutoencoderOptions}; Adam's are the engine's. */
export const DEFAULT_TRAIN_VOXEL_AUTOENCODER_OPTIONS = {
  epochs: 100,
  batchSize: 16,
  dropLast: false,
  lr: DEFAULT_ADAM_OPTIONS.lr,
  betas: DEFAULT_ADAM_OPTIONS.betas,
  eps: DEFAULT_ADAM_OPTIONS.eps,
  weightDecay: DEFAULT_ADAM_OPTIONS.weightDecay,
  lrDecay: 1,
  loss: 'model',
  seed: 0,
} as const satisfies TrainVoxelAutoencoderOptions;

const FN = 'trainVoxelAutoencoder';

function resolveOptions(options: TrainVoxelAutoencoderOptions) {
  const o = withDefaults(FN, DEFAULT_TRAIN_VOXEL_AUTOENCODER_OPTIONS, options);
  checkInteger(FN, 'options.epochs', o.epochs, { min: 0 });
  checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
  checkNumber(FN, 'options.lr', o.lr, { min: 0, exclusiveMin: true });
  checkNumber(FN, 'options.eps', o.eps, { min: 0, exclusiveMin: true });
  checkNumber(FN, 'options.weightDecay', o.weightDecay, { min: 0 });
  checkNumber(FN, 'options.lrDecay', o.lrDecay, { min: 0, exclusiveMin: true });
  const [b1, b2] = Array.isArray(o.betas) ? o.betas : [Number.NaN, Number.NaN];
  if (!(b1 !== undefined && b2 !== undefined && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
    throw invalidArgument(FN, 'options.betas', 'two numbers in [0, 1)', o.betas);
  checkOneOf(FN, 'options.loss', o.loss, ['model', ...VOXEL_LOSS_NAMES]);
  return o;
}

/**
 * Trains a voxel autoencoder (any engine `Autoencoder`, e.g. `VoxelAutoEncoder`) to reconstruct
 * the volumes of a dataset (any engine `Dataset` whose batches carry `input` `[B, D, H, W, 1]`
 * masks), with Adam, seeded shuffling, checkpoints and exact resume (the engine's `trainLoop`).
 * Returns the loss history; the model is trained in place.
 *
 * ```ts
 * const model = new VoxelAutoEncoder({ inputShape: [64, 64, 64, 1] });
 * await trainVoxelAutoencoder(model, dataset, { epochs: 50, batchSize: 8, checkpointDir: 'runs/voxel' });
 * ```
 */
export async function trainVoxelAutoencoder(
  model: Autoencoder,
  dataset: Dataset,
  options: TrainVoxelAutoencoderOptions = {},
): Promise<TrainLoopResult> {
  if (!isAutoencoder(model))
    throw invalidArgument(
      FN,
      'model',
      'an Autoencoder (encode, decode, reconstructionLoss)',
      model,
    );
  checkDataset(FN, 'dataset', dataset);
  const o = resolveOptions(options);
  const lossName = o.loss;
  const loss = (x: Tensor, y: Tensor): Scalar =>
    lossName === 'model' ? model.reconstructionLoss(x, y) : voxelLoss(lossName, x, y);
  const steps = o.dropLast
    ? Math.floor(dataset.length / o.batchSize)
    : Math.ceil(dataset.length / o.batchSize);
  return trainLoop<DatasetBatch>({
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
    loss: (_module, batch): Scalar => loss(batch.input, model.decode(model.encode(batch.input))),
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
