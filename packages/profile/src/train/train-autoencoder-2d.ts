import { invalidArgument, mixSeed } from '@cellshape/core';
import {
  type Autoencoder,
  type Dataset,
  isAutoencoder,
  type TrainLoopResult,
} from '@cellshape/engine';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { ImageModel } from '../models/image-model.js';
import type { CropBatch } from './crop-dataset.js';
import {
  DROPOUT_STREAM,
  resolveTrainOptions,
  runTraining,
  type TrainImagesOptions,
} from './train-options.js';

/** Options of {@link trainAutoencoder2D}: the shared {@link TrainImagesOptions}. */
export type TrainAutoencoder2DOptions = TrainImagesOptions;

const FN = 'trainAutoencoder2D';

/**
 * Trains a 2D autoencoder (any engine `Autoencoder` of images, e.g. `ConvAutoEncoder2D`) to
 * reconstruct the crops of a dataset with its `reconstructionLoss` (MSE for
 * `ConvAutoEncoder2D`), Adam under a warm-up + cosine schedule, checkpoints and exact resume.
 *
 * ```ts
 * await trainAutoencoder2D(new ConvAutoEncoder2D(), new CropDataset(crops), { epochs: 30 });
 * ```
 */
export async function trainAutoencoder2D(
  model: Autoencoder,
  dataset: Dataset<CropBatch>,
  options: TrainAutoencoder2DOptions = {},
): Promise<TrainLoopResult> {
  if (!isAutoencoder(model))
    throw invalidArgument(
      FN,
      'model',
      'an Autoencoder (encode, decode, reconstructionLoss)',
      model,
    );
  const o = resolveTrainOptions(FN, {}, options);
  const reseed = (model as unknown as Partial<ImageModel>).reseedDropout?.bind(model);
  return runTraining(FN, model, dataset, o, (batch, { step }): Scalar => {
    reseed?.(mixSeed(o.seed, DROPOUT_STREAM, step));
    return model.reconstructionLoss(batch.input, model.decode(model.encode(batch.input)));
  });
}
