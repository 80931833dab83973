import { checkNumber, checkOneOf, invalidArgument, withDefaults } from '@cellshape/core';
import {
  type Autoencoder,
  checkDataset,
  checkDatasetTrainingOptions,
  type Dataset,
  type DatasetBatch,
  type DatasetTrainingOptions,
  DEFAULT_ADAM_OPTIONS,
  isAutoencoder,
  type TrainLoopResult,
  trainOnDataset,
} from '@cellshape/engine';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { VOXEL_LOSS_NAMES, type VoxelLossName, voxelLoss } from '../losses/voxel-loss.js';

/**
 * Options of {@link trainVoxelAutoencoder}: the engine's shared {@link DatasetTrainingOptions}
 * (epochs, batches, Adam, seed, checkpoints, progress; defaults in
 * {@link DEFAULT_TRAIN_VOXEL_AUTOENCODER_OPTIONS}: 100 epochs of 16 volumes, Adam lr 1e-4), and:
 */
export interface TrainVoxelAutoencoderOptions extends DatasetTrainingOptions {
  /** Exponential learning-rate decay per epoch (gamma); 1 is off. Default 1. */
  lrDecay?: number;
  /**
   * The loss: `'model'` (the model's `reconstructionLoss`; `VoxelAutoEncoder`'s is its
   * `loss` option, binary cross-entropy by default) or a {@link VoxelLossName}. Every voxel
   * loss is a batch mean, logged as is. Default `'model'`.
   */
  loss?: 'model' | VoxelLossName;
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
  checkDatasetTrainingOptions(FN, o);
  checkNumber(FN, 'options.lrDecay', o.lrDecay, { min: 0, exclusiveMin: true });
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
  return trainOnDataset<DatasetBatch>(dataset, o, {
    module: model,
    loss: (_module, batch): Scalar => loss(batch.input, model.decode(model.encode(batch.input))),
    lrDecay: o.lrDecay,
  });
}
