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
import { type ChamferForm, chamferLoss } from '../losses/index.js';

/**
 * Options of {@link trainAutoencoder}: the engine's shared {@link DatasetTrainingOptions}
 * (epochs, batches, Adam, seed, checkpoints, progress) with the defaults of cellshape-cloud
 * ({@link DEFAULT_TRAIN_AUTOENCODER_OPTIONS}: 250 epochs of 16 clouds, Adam lr 1e-4), and:
 */
export interface TrainAutoencoderOptions extends DatasetTrainingOptions {
  /** Exponential learning-rate decay per epoch (gamma); 1 is off. Default 1. */
  lrDecay?: number;
  /**
   * The loss: `'model'` (the model's `reconstructionLoss`; `CloudAutoEncoder`'s is the `'sum'`
   * form) or a Chamfer form: `'sum'` (the original training loss, summed over the batch) or
   * `'extended'` (the paper's form, a batch mean). Losses summed over the batch (`'model'` and
   * `'sum'`) are logged divided by the batch size, as the original logs them. Default `'model'`.
   */
  loss?: 'model' | ChamferForm;
}

/** Defaults of {@link TrainAutoencoderOptions}; Adam's are the engine's. */
export const DEFAULT_TRAIN_AUTOENCODER_OPTIONS = {
  epochs: 250,
  batchSize: 16,
  dropLast: false,
  lr: DEFAULT_ADAM_OPTIONS.lr,
  betas: DEFAULT_ADAM_OPTIONS.betas,
  eps: DEFAULT_ADAM_OPTIONS.eps,
  weightDecay: DEFAULT_ADAM_OPTIONS.weightDecay,
  lrDecay: 1,
  loss: 'model',
  seed: 0,
} as const satisfies TrainAutoencoderOptions;

const LOSSES = ['model', 'sum', 'extended'] as const;

type Resolved = ReturnType<typeof resolveOptions>;

/** The options over their defaults (an `undefined` value keeps the default), validated. */
function resolveOptions(fn: string, options: TrainAutoencoderOptions) {
  const o = withDefaults(fn, DEFAULT_TRAIN_AUTOENCODER_OPTIONS, options);
  checkDatasetTrainingOptions(fn, o);
  checkNumber(fn, 'options.lrDecay', o.lrDecay, { min: 0, exclusiveMin: true });
  checkOneOf(fn, 'options.loss', o.loss, LOSSES);
  return o;
}

/** The loss of a batch, and the factor that turns it into the logged per-cloud loss. */
function lossOf(
  model: Autoencoder,
  o: Resolved,
): {
  loss: (input: Tensor, reconstruction: Tensor) => Scalar;
  logScale: (batch: DatasetBatch) => number;
} {
  const perCloud = (batch: DatasetBatch): number => 1 / batch.ids.length;
  switch (o.loss) {
    case 'model':
      return { loss: (x, y) => model.reconstructionLoss(x, y), logScale: perCloud };
    case 'sum':
    case 'extended': {
      const form = o.loss;
      return {
        loss: (x, y) => chamferLoss(x, y, { form }),
        logScale: form === 'sum' ? perCloud : () => 1,
      };
    }
    default: {
      const never: never = o.loss;
      throw invalidArgument('trainAutoencoder', 'options.loss', 'a known loss', never);
    }
  }
}

/**
 * Trains an autoencoder (any engine `Autoencoder`, e.g. `CloudAutoEncoder`) to reconstruct the
 * samples of a dataset (any engine `Dataset`, e.g. a `PointCloudDataset`; the Chamfer forms of
 * `loss` need point clouds `[B, N, 3]`), with Adam, seeded shuffling, checkpoints and resume
 * (see `trainLoop` of `@cellshape/engine`). Returns the loss history; the model is trained in
 * place.
 */
export async function trainAutoencoder(
  model: Autoencoder,
  dataset: Dataset,
  options: TrainAutoencoderOptions = {},
): Promise<TrainLoopResult> {
  const fn = 'trainAutoencoder';
  if (!isAutoencoder(model))
    throw invalidArgument(
      fn,
      'model',
      'an Autoencoder (encode, decode, reconstructionLoss, namedParameters)',
      model,
    );
  checkDataset(fn, 'dataset', dataset);
  const o = resolveOptions(fn, options);
  const { loss, logScale } = lossOf(model, o);
  return trainOnDataset<DatasetBatch>(dataset, o, {
    module: model,
    loss: (_module, batch): Scalar => loss(batch.input, model.decode(model.encode(batch.input))),
    logScale,
    lrDecay: o.lrDecay,
  });
}
