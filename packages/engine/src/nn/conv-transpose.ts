import type { Rng } from '@cellshape/core';
import type { Tensor, Tensor4D, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { biasAdd } from './bias-add.js';
import { type ConvTransposeOptions, convTransposeOutputSize } from './conv-options.js';
import { Convolution } from './convolution.js';

/**
 * A transposed convolution with PyTorch's semantics on channels-last tensors. tfjs's
 * `conv2dTranspose` / `conv3dTranspose` with `'valid'` padding give the full result,
 * `(n − 1)·s + k` per axis; PyTorch's output is that result from index `padding` on, of size
 * `(n − 1)·s − 2p + k + outputPadding`. Its end may lie up to `outputPadding − padding` (less
 * than the stride) beyond the full result, where no input reaches: tfjs is asked for that many
 * more positions (zeros; a size it accepts, as it still maps back to the input size), then the
 * result is cropped from `padding`.
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
    const { kernelSize, stride, padding, outChannels } = this.options;
    const batch = x.shape[0] as number;
    const sizes = x.shape.slice(1, -1);
    const out = this.outputSizes(sizes);
    // Positions of tfjs's result needed: padding + out, at least the full (n − 1)·s + k.
    const computed = sizes.map((n, i) =>
      Math.max(
        (n - 1) * (stride[i] as number) + (kernelSize[i] as number),
        (padding[i] as number) + (out[i] as number),
      ),
    );
    return tf.tidy(() => {
      const full = this.transposed(x, [batch, ...computed, outChannels]);
      const cropped = computed.every((c, i) => c === out[i])
        ? full
        : tf.slice(full, [0, ...padding, 0], [batch, ...out, outChannels]);
      return this.bias ? biasAdd(cropped, this.bias.variable) : cropped;
    });
  }

  /** tfjs's transposed convolution of `x` with `'valid'` padding, of the given output shape. */
  private transposed(x: Tensor, shape: number[]): Tensor {
    const filter = this.weight.variable;
    const { stride } = this.options;
    if (this.dims === 2)
      return tf.conv2dTranspose(
        x as Tensor4D,
        filter as Tensor4D,
        shape as [number, number, number, number],
        stride as [number, number],
        'valid',
      );
    if (tf.getBackend() === 'wasm')
      return transposeAsConv3d(x, filter, shape, stride, this.options.kernelSize);
    return tf.conv3dTranspose(
      x as Tensor5D,
      filter as Tensor5D,
      shape as [number, number, number, number, number],
      stride as [number, number, number],
      'valid',
    );
  }
}

/**
 * A 3-D transposed convolution (`'valid'`, output `shape`) as the plain convolution it equals:
 * the input with `stride − 1` zeros between values and `kernel − 1` around (plus what `shape`
 * asks beyond the full size at the end), convolved with stride 1 by the filter flipped along its
 * spatial axes, in and out channels swapped. Used on the wasm backend, whose `conv3dTranspose`
 * kernel gives wrong values (tfjs-backend-wasm 4.22; its `conv3d` is right).
 */
function transposeAsConv3d(
  x: Tensor,
  filter: Tensor,
  shape: readonly number[],
  stride: readonly number[],
  kernel: readonly number[],
): Tensor {
  return tf.tidy(() => {
    const rest = x.shape.slice(1, -1);
    const s = (i: number): number => stride[i] as number;
    const k = (i: number): number => kernel[i] as number;
    // Interleave zeros one axis at a time ([…, n, 1, …] padded to […, n, s, …], merged, cut
    // after the last value): the wasm backend's pad is wrong beyond rank 6.
    let dilated = x;
    rest.forEach((n, i) => {
      if (s(i) === 1) return;
      const shape = dilated.shape;
      const split = [...shape.slice(0, i + 2), 1, ...shape.slice(i + 2)];
      const pads = split.map((_, axis): [number, number] => [0, axis === i + 2 ? s(i) - 1 : 0]);
      const spread = tf.pad(tf.reshape(dilated, split), pads);
      const merged = [...shape.slice(0, i + 1), n * s(i), ...shape.slice(i + 2)];
      const kept = [...shape.slice(0, i + 1), (n - 1) * s(i) + 1, ...shape.slice(i + 2)];
      dilated = tf.slice(tf.reshape(spread, merged), new Array<number>(5).fill(0), kept);
    });
    const borders = rest.map((n, i): [number, number] => {
      const extra = (shape[i + 1] as number) - ((n - 1) * s(i) + k(i));
      return [k(i) - 1, k(i) - 1 + extra];
    });
    const padded = tf.pad(dilated, [[0, 0], ...borders, [0, 0]]);
    const flipped = tf.reverse(tf.transpose(filter, [0, 1, 2, 4, 3]), [0, 1, 2]);
    return tf.conv3d(padded as Tensor5D, flipped as Tensor5D, [1, 1, 1], 'valid');
  });
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
