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
import { type ChamferForm, chamferLoss } from '../losses/index.js';

/** Options of {@link trainAutoencoder}; the defaults are those of cellshape-cloud. */
export interface TrainAutoencoderOptions {
  /** Total epochs (a resumed run continues up to this many). Default 250. */
  epochs?: number;
  /** Clouds per batch. Default 16. */
  batchSize?: number;
  /** Leave out the last, smaller batch of each epoch. Default false. */
  dropLast?: boolean;
  /** Adam learning rate. Default: the engine's `DEFAULT_ADAM_OPTIONS.lr` (1e-4). */
  lr?: number;
  /** Adam betas. Default: the engine's `DEFAULT_ADAM_OPTIONS.betas` ([0.9, 0.999]). */
  betas?: [number, number];
  /** Adam epsilon. Default: the engine's `DEFAULT_ADAM_OPTIONS.eps` (1e-8). */
  eps?: number;
  /**
   * Adam L2 weight decay (added to the gradient, as PyTorch). Default: the engine's
   * `DEFAULT_ADAM_OPTIONS.weightDecay` (1e-6).
   */
  weightDecay?: number;
  /** Exponential learning-rate decay per epoch (gamma); 1 is off. Default 1. */
  lrDecay?: number;
  /**
   * The loss: `'model'` (the model's `reconstructionLoss`; `CloudAutoEncoder`'s is the `'sum'`
   * form) or a Chamfer form: `'sum'` (the original training loss, summed over the batch) or
   * `'extended'` (the paper's form, a batch mean). Losses summed over the batch (`'model'` and
   * `'sum'`) are logged divided by the batch size, as the original logs them. Default `'model'`.
   */
  loss?: 'model' | ChamferForm;
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
  checkInteger(fn, 'options.epochs', o.epochs, { min: 0 });
  checkInteger(fn, 'options.batchSize', o.batchSize, { min: 1 });
  checkNumber(fn, 'options.lr', o.lr, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.eps', o.eps, { min: 0, exclusiveMin: true });
  checkNumber(fn, 'options.weightDecay', o.weightDecay, { min: 0 });
  const [b1, b2] = Array.isArray(o.betas) ? o.betas : [Number.NaN, Number.NaN];
  if (!(b1 !== undefined && b2 !== undefined && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
    throw invalidArgument(fn, 'options.betas', 'two numbers in [0, 1)', o.betas);
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
