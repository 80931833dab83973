import { invalidArgument, type Rng } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ConvOptions,
  type ConvTransposeOptions,
  type ResolvedConv,
  resolveConvOptions,
} from './conv-options.js';
import { type StateEntry, weightAndBiasEntries } from './module-state.js';
import { biasParameter, fanIn, type Parameter, weightParameter } from './parameter.js';

/**
 * What the convolution layers share: PyTorch's weight and bias (default initialisation drawn
 * from the seeded `rng`, weight then bias, as PyTorch's `reset_parameters`), their state-dict
 * entries and the checks of channels-last inputs `[B, …spatial, C]`.
 */
export abstract class Convolution {
  /** The weight, PyTorch `[out, in, k…]` (transposed: `[in, out, k…]`), held in tfjs's layout. */
  readonly weight: Parameter;
  /** The bias `[out]`, or undefined with `bias: false`. */
  readonly bias: Parameter | undefined;
  /** The options, one size per spatial axis. */
  readonly options: Readonly<ResolvedConv>;

  protected constructor(
    /** The layer's name in messages (`Conv3d`). */
    protected readonly fn: string,
    /** Spatial axes: 2 or 3. */
    readonly dims: 2 | 3,
    rng: Rng,
    options: ConvOptions | ConvTransposeOptions,
    transposed: boolean,
  ) {
    this.options = resolveConvOptions(fn, dims, options, transposed);
    const { inChannels, outChannels, kernelSize } = this.options;
    const torchShape = transposed
      ? [inChannels, outChannels, ...kernelSize]
      : [outChannels, inChannels, ...kernelSize];
    this.weight = weightParameter(rng, torchShape);
    this.bias = this.options.bias ? biasParameter(rng, outChannels, fanIn(torchShape)) : undefined;
  }

  /** Spatial output sizes for spatial input sizes (PyTorch's formula). */
  protected abstract outputSizes(sizes: readonly number[]): number[];

  /** The channels-last output shape `[B, …spatial, out]` for an input shape `[B, …spatial, in]`. */
  outputShape(inputShape: readonly number[]): number[] {
    const spatial = inputShape.slice(1, -1);
    return [inputShape[0] as number, ...this.outputSizes(spatial), this.options.outChannels];
  }

  /** `x` channels-last `[B, …spatial, in]` → `[B, …spatial', out]` (a new tensor). */
  abstract forward(x: Tensor): Tensor;

  /** Checks `x` (a float32 `[B, …spatial, in]` whose output is not empty) for `forward`. */
  protected checkInput(x: Tensor): void {
    const fn = `${this.fn}.forward`;
    const rank = this.dims + 2;
    const { inChannels } = this.options;
    const layout = this.dims === 2 ? `[B, H, W, ${inChannels}]` : `[B, D, H, W, ${inChannels}]`;
    if (!(x instanceof tf.Tensor)) throw invalidArgument(fn, 'x', `a tf.Tensor ${layout}`, x);
    if (x.rank !== rank || x.shape[rank - 1] !== inChannels || x.dtype !== 'float32')
      throw invalidArgument(fn, 'x', `a float32 tensor of shape ${layout}`, x.shape);
    const out = this.outputShape(x.shape);
    if (out.some((size) => !(size >= 1)))
      throw invalidArgument(
        fn,
        'x',
        `spatial sizes with a non-empty output (would be [${out.join(', ')}])`,
        x.shape,
      );
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
