import type { AnyTypedArray, NdArray } from '@cellshape/core';
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';

/**
 * A named tensor in a PyTorch-style state dict: float32 parameters and buffers, and int64
 * counters such as `num_batches_tracked` (as `BigInt64Array` or `Int32Array`).
 */
export type StateArray = NdArray<AnyTypedArray>;

/** An ordered state dict: keys and order exactly as PyTorch's `state_dict()`. */
export type StateDict = Map<string, StateArray>;

/**
 * What every trainable model of cellshape exposes, so that the training loop, the optimizer,
 * checkpoints and PyTorch import work for any of them (point cloud, voxel, IDEC wrapper).
 */
export interface TrainableModule {
  /** Trainable variables in PyTorch `named_parameters()` order, with PyTorch names. */
  namedParameters(): Array<[name: string, variable: Variable]>;
  /** Copy of the full state (parameters and buffers) as plain arrays, in `state_dict()` order. */
  stateDict(): StateDict;
  /**
   * Loads a state dict. With `strict` (default true) missing or unexpected keys and shape
   * mismatches throw an `IncompatibleError` that lists them.
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options?: { strict?: boolean },
  ): void;
  /** Switches batch-norm (and dropout) between training and evaluation behaviour. */
  train(mode?: boolean): this;
  /** Same as `train(false)`. */
  eval(): this;
  /** True in training mode. */
  readonly training: boolean;
  /** A JSON-serialisable description from which an identical (untrained) model is built. */
  config(): Record<string, unknown>;
  /** The model family (see {@link Encoder.family}); checkpoints record it. */
  readonly family?: string;
  /** Frees every variable the module owns. */
  dispose(): void;
}

/**
 * A model that turns a batch of inputs into features: the contract of feature extraction,
 * k-means and every analysis. Models without a decoder (Siamese encoders, classifiers) are
 * Encoders; an {@link Autoencoder} is one too.
 */
export interface Encoder extends TrainableModule {
  /**
   * The registered name of the model family (`'cloud'` for the point-cloud autoencoder): the
   * run layer finds the family's plugin by it, and checkpoints record it.
   */
  readonly family: string;
  /** The number of features F. */
  readonly numFeatures: number;
  /** Input batch (the family's layout, batch first) → features `[B, F]`; the caller owns them. */
  encode(input: Tensor): Tensor2D;
}

/**
 * An Encoder with a decoder and its reconstruction loss: what the training of autoencoders and
 * IDEC (deep embedded clustering) need, whatever the input (point clouds, voxels, images).
 */
export interface Autoencoder extends Encoder {
  /** Features `[B, F]` → reconstruction in the input's layout. */
  decode(features: Tensor): Tensor;
  /**
   * The family's reconstruction loss of a batch (a scalar, summed or averaged over the batch as
   * the family's reference implementation does), e.g. the Chamfer distance for point clouds.
   */
  reconstructionLoss(input: Tensor, reconstruction: Tensor): Scalar;
}

/** Whether `value` has the methods of an {@link Encoder}. */
export function isEncoder(value: unknown): value is Encoder {
  const m = value as Partial<Encoder> | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.encode === 'function' &&
    typeof m.namedParameters === 'function' &&
    typeof m.stateDict === 'function' &&
    typeof m.numFeatures === 'number'
  );
}

/** Whether `value` has the methods of an {@link Autoencoder}. */
export function isAutoencoder(value: unknown): value is Autoencoder {
  const m = value as Partial<Autoencoder> | null;
  return (
    isEncoder(value) &&
    typeof m?.decode === 'function' &&
    typeof m.reconstructionLoss === 'function'
  );
}
