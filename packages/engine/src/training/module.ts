import type { AnyTypedArray, NdArray } from '@cellshape/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

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
  /** Frees every variable the module owns. */
  dispose(): void;
}

/** An autoencoder as the clustering and training code need it: any model with encode/decode. */
export interface Autoencoder extends TrainableModule {
  /** Input batch → features `[B, F]`. */
  encode(input: Tensor): Tensor;
  /** Features `[B, F]` → reconstruction with the input's layout. */
  decode(features: Tensor): Tensor;
  /** The number of features F. */
  readonly numFeatures: number;
}
