import type { Rng } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { convolution } from '../kernels/conv/convolution.js';
import { type ConvOptions, convOutputSize } from './conv-options.js';
import { Convolution } from './convolution.js';

/**
 * A convolution with PyTorch's semantics on channels-last tensors (zero padding on both sides,
 * output size per axis `⌊(n + 2p − k)/s⌋ + 1`), then the bias: the engine's `convolution`
 * kernel (columns × filter products on every core, with its own gradients).
 */
abstract class Conv extends Convolution {
  protected outputSizes(sizes: readonly number[]): number[] {
    const { kernelSize, stride, padding } = this.options;
    return sizes.map((n, i) =>
      convOutputSize(n, kernelSize[i] as number, stride[i] as number, padding[i] as number),
    );
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const { padding, stride } = this.options;
    return tf.tidy(() => {
      return convolution(x, this.weight.variable, { stride, padding }, this.bias?.variable);
    });
  }
}

/**
 * PyTorch's `nn.Conv2d` (dilation 1, groups 1) on channels-last images: `[B, H, W, in]` →
 * `[B, H', W', out]`. State dict: `weight` `[out, in, kh, kw]` (held as tfjs's filter
 * `[kh, kw, in, out]`), `bias` `[out]`.
 *
 * ```ts
 * const conv = new Conv2d(createRng(0), { inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 });
 * const y = conv.forward(images); // [B, 64, 64, 3] → [B, 64, 64, 8]
 * ```
 */
export class Conv2d extends Conv {
  constructor(rng: Rng, options: ConvOptions) {
    super('Conv2d', 2, rng, options, false);
  }
}

/**
 * PyTorch's `nn.Conv3d` (dilation 1, groups 1) on channels-last volumes: `[B, D, H, W, in]` →
 * `[B, D', H', W', out]`. State dict: `weight` `[out, in, kd, kh, kw]` (held as tfjs's filter
 * `[kd, kh, kw, in, out]`), `bias` `[out]`.
 *
 * ```ts
 * const conv = new Conv3d(createRng(0), { inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 });
 * const y = conv.forward(volumes); // [B, 8, 8, 8, 1] → [B, 4, 4, 4, 4]
 * ```
 */
export class Conv3d extends Conv {
  constructor(rng: Rng, options: ConvOptions) {
    super('Conv3d', 3, rng, options, false);
  }
}
