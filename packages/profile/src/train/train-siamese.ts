import { checkNumber, createRng, invalidArgument, mixSeed } from '@cellshape/core';
import {
  type Dataset,
  type Encoder,
  isEncoder,
  type LossParts,
  type TrainLoopResult,
} from '@cellshape/engine';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  barlowTwinsTerms,
  DEFAULT_BARLOW_TWINS_LOSS_OPTIONS,
} from '../models/barlow-twins-loss.js';
import type { ImageModel } from '../models/image-model.js';
import type { SiameseEncoder } from '../models/siamese-encoder.js';
import type { CropBatch } from './crop-dataset.js';
import {
  DROPOUT_STREAM,
  resolveTrainOptions,
  runTraining,
  type TrainImagesOptions,
  VIEW_STREAM,
} from './train-options.js';
import { dihedralBlurViews, type View, type ViewFunction } from './views.js';

/** Options of {@link trainSiamese}. */
export interface TrainSiameseOptions extends TrainImagesOptions {
  /** λ, the off-diagonal weight of the Barlow Twins loss. Default 0.005. */
  lambda?: number;
  /**
   * The two views of each batch, drawn fresh at every step from an rng seeded by (seed, step).
   * Default {@link dihedralBlurViews}`()` (90° rotations, flips, mild blur).
   */
  views?: ViewFunction;
}

/** Defaults of {@link TrainSiameseOptions} (the shared ones are `DEFAULT_TRAIN_IMAGES_OPTIONS`). */
export const DEFAULT_TRAIN_SIAMESE_OPTIONS = {
  lambda: DEFAULT_BARLOW_TWINS_LOSS_OPTIONS.lambda,
} as const;

const FN = 'trainSiamese';

/** A view as a float32 tensor of the batch's shape. */
function viewTensor(fn: string, view: View, batch: CropBatch): Tensor {
  const shape = [...batch.shape];
  if (view instanceof tf.Tensor) {
    if (view.shape.join() !== shape.join())
      throw invalidArgument(
        fn,
        'options.views',
        `views of the batch's shape [${shape}]`,
        view.shape,
      );
    return view;
  }
  if (!(view instanceof Float32Array) || view.length !== batch.data.length)
    throw invalidArgument(
      fn,
      'options.views',
      `a pair of tensors or Float32Arrays of ${batch.data.length} values`,
      view,
    );
  return tf.tensor4d(view, shape as [number, number, number, number]);
}

/**
 * Trains a Siamese encoder (any engine `Encoder` of images, e.g. {@link SiameseEncoder}) with
 * the Barlow Twins loss: at every step two views of the batch are drawn fresh (`options.views`,
 * seeded by (seed, step)), both go through the one encoder (shared weights), and
 * `barlowTwinsLoss(z1, z2, { lambda })` is minimised with Adam under a warm-up + cosine
 * schedule, with checkpoints and exact resume (the engine's `trainLoop`). Logs the loss and its
 * `onDiagonal` / `offDiagonal` terms. The encoder is trained in place.
 *
 * ```ts
 * const encoder = new SiameseEncoder({ inputShape: [64, 64, 1] });
 * await trainSiamese(encoder, new CropDataset(crops), { epochs: 20, batchSize: 64, checkpointDir: 'runs/bt' });
 * ```
 */
export async function trainSiamese(
  encoder: Encoder,
  dataset: Dataset<CropBatch>,
  options: TrainSiameseOptions = {},
): Promise<TrainLoopResult> {
  if (!isEncoder(encoder))
    throw invalidArgument(FN, 'encoder', 'an Encoder (encode, numFeatures)', encoder);
  const o = resolveTrainOptions(FN, DEFAULT_TRAIN_SIAMESE_OPTIONS, options);
  const lambda = checkNumber(FN, 'options.lambda', o.lambda, { min: 0 });
  const views = o.views ?? dihedralBlurViews();
  if (typeof views !== 'function')
    throw invalidArgument(FN, 'options.views', 'a function (batch, rng) => [view1, view2]', views);
  const reseed = (encoder as unknown as Partial<ImageModel>).reseedDropout?.bind(encoder);
  return runTraining(FN, encoder, dataset, o, (batch, { step }): LossParts => {
    const [v1, v2] = views(batch, createRng(mixSeed(o.seed, VIEW_STREAM, step)));
    reseed?.(mixSeed(o.seed, DROPOUT_STREAM, step));
    const z1 = encoder.encode(viewTensor(FN, v1, batch));
    const z2 = encoder.encode(viewTensor(FN, v2, batch));
    return { ...barlowTwinsTerms(z1, z2, { lambda }) };
  });
}
