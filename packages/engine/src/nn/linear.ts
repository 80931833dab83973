import {
  checkBoolean,
  checkInteger,
  checkObject,
  invalidArgument,
  type Rng,
  withDefaults,
} from '@cellshape/core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { biasAdd } from './bias-add.js';
import { dense } from './dense.js';
import { type StateEntry, weightAndBiasEntries } from './module-state.js';
import { biasParameter, matrixWeight, type Parameter } from './parameter.js';

/** Options of {@link Linear} (PyTorch's `nn.Linear` arguments). */
export interface LinearOptions {
  /** Input features. */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/** Defaults of {@link LinearOptions}. */
export const DEFAULT_LINEAR_OPTIONS: Readonly<{ bias: boolean }> = Object.freeze({ bias: true });

/**
 * PyTorch's `nn.Linear` on the last axis: `[..., in]` → `[..., out]`, `y = x·Wᵀ + b`. State
 * dict: `weight` `[out, in]` (held as `[in, out]`, so the forward pass is an untransposed
 * {@link dense} product), `bias` `[out]` (summed in two levels in the gradient,
 * {@link biasAdd}). PyTorch's default initialisation drawn from `rng`, weight then bias.
 *
 * ```ts
 * const fc = new Linear(createRng(0), { inFeatures: 256, outFeatures: 8 });
 * const y = fc.forward(x); // [B, 256] → [B, 8]
 * ```
 */
export class Linear {
  /** `[out, in]` in PyTorch, held as `[in, out]`. */
  readonly weight: Parameter;
  /** `[out]`, or undefined with `bias: false`. */
  readonly bias: Parameter | undefined;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(rng: Rng, options: LinearOptions) {
    const fn = 'Linear';
    checkObject(fn, 'options', options);
    const o = withDefaults(fn, DEFAULT_LINEAR_OPTIONS, options);
    this.inFeatures = checkInteger(fn, 'options.inFeatures', o.inFeatures, { min: 1 });
    this.outFeatures = checkInteger(fn, 'options.outFeatures', o.outFeatures, { min: 1 });
    this.weight = matrixWeight(rng, [this.outFeatures, this.inFeatures]);
    this.bias = checkBoolean(fn, 'options.bias', o.bias)
      ? biasParameter(rng, this.outFeatures, this.inFeatures)
      : undefined;
  }

  /** `x` float32 `[..., in]` → `[..., out]` (a new tensor). */
  forward(x: Tensor): Tensor {
    const fn = 'Linear.forward';
    if (!(x instanceof tf.Tensor))
      throw invalidArgument(fn, 'x', `a tf.Tensor [..., ${this.inFeatures}]`, x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures || x.dtype !== 'float32')
      throw invalidArgument(
        fn,
        'x',
        `a float32 tensor of shape [..., ${this.inFeatures}]`,
        x.shape,
      );
    return tf.tidy(() => {
      const rows = tf.reshape(x, [-1, this.inFeatures]) as Tensor2D;
      const product = dense(rows, this.weight.variable as Tensor2D);
      const y = this.bias ? biasAdd(product, this.bias.variable) : product;
      return tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }

  /** PyTorch's `weight` and (with a bias) `bias` under `prefix`. */
  stateEntries(prefix: string): StateEntry[] {
    return weightAndBiasEntries(prefix, this.weight, this.bias);
  }

  /** Frees the weight and bias. */
  dispose(): void {
    this.weight.variable.dispose();
    this.bias?.variable.dispose();
  }
}
