import type { Rng } from '@cellshape/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { convolutionTranspose } from '../kernels/conv/convolution.js';
import { biasAdd } from './bias-add.js';
import { type ConvTransposeOptions, convTransposeOutputSize } from './conv-options.js';
import { Convolution } from './convolution.js';

/**
 * A transposed convolution with PyTorch's semantics on channels-last tensors (output size per
 * axis `(n − 1)·s − 2p + k + outputPadding`), then the bias: the engine's
 * `convolutionTranspose` kernel, the input gradient of the convolution it undoes ("col2vol"),
 * on every backend (tfjs-backend-wasm 4.22's own `conv3dTranspose` gives wrong values).
 */
abstract class ConvTranspose extends Convolution {
  protected outputSizes(sizes: readonly number[]): number[] {
    const { kernelSize: k, stride: s, padding: p, outputPadding: op } = this.options;
    return sizes.map((n, i) =>
      convTransposeOutputSize(n, k[i] as number, s[i] as number, p[i] as number, op[i] as number),
    );
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const { stride, padding, outputPadding } = this.options;
    return tf.tidy(() => {
      const y = convolutionTranspose(x, this.weight.variable, { stride, padding, outputPadding });
      return this.bias ? biasAdd(y, this.bias.variable) : y;
    });
  }
}

/**
 * PyTorch's `nn.ConvTranspose2d` (dilation 1, groups 1) on channels-last images:
 * `[B, H, W, in]` → `[B, H', W', out]`, `H' = (H − 1)·s − 2p + k + outputPadding`. State dict:
 * `weight` `[in, out, kh, kw]` (held as tfjs's transposed filter `[kh, kw, out, in]`), `bias`
 * `[out]`; default initialisation with PyTorch's fan_in = out·kh·kw.
 *
 * ```ts
 * const up = new ConvTranspose2d(createRng(0), { inChannels: 8, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 });
 * const y = up.forward(h); // [B, 32, 32, 8] → [B, 64, 64, 3]
 * ```
 */
export class ConvTranspose2d extends ConvTranspose {
  constructor(rng: Rng, options: ConvTransposeOptions) {
    super('ConvTranspose2d', 2, rng, options, true);
  }
}

/**
 * PyTorch's `nn.ConvTranspose3d` (dilation 1, groups 1) on channels-last volumes:
 * `[B, D, H, W, in]` → `[B, D', H', W', out]`. State dict: `weight` `[in, out, kd, kh, kw]`
 * (held as tfjs's transposed filter `[kd, kh, kw, out, in]`), `bias` `[out]`.
 *
 * ```ts
 * const up = new ConvTranspose3d(createRng(0), { inChannels: 4, outChannels: 1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 });
 * const y = up.forward(h); // [B, 4, 4, 4, 4] → [B, 8, 8, 8, 1]
 * ```
 */
export class ConvTranspose3d extends ConvTranspose {
  constructor(rng: Rng, options: ConvTransposeOptions) {
    super('ConvTranspose3d', 3, rng, options, true);
  }
}
