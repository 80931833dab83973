import * as tf from '@tensorflow/tfjs-core';
import { readNow } from '../checks.js';
import { convKernels, wasmColumnsAvailable } from '../conv/wasm-columns.js';

/**
 * The gradient of tfjs's 2-D max pooling (`tf.maxPool`, kernel `MaxPool`), which tfjs-core
 * registers only in its ES-module build and whose `MaxPoolGrad` kernel the wasm backend lacks:
 * each output's gradient goes to the first window position (row-major) holding the window's
 * maximum, as PyTorch's `max_pool2d` and tfjs's cpu kernel choose. Found again by comparing
 * the input with the saved output (no index tensor is kept). On the threaded wasm backend a
 * SIMD kernel of conv-kernels.wat runs it in the backend's memory (4 channels at a time,
 * channel counts multiples of 4); elsewhere a loop over host arrays.
 */

type Info = tf.backend_util.Conv2DInfo;

/** The pooling shape as the kernels' geometry arguments. */
function geometry(info: Info): number[] {
  return [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** The host loop: `dx` (zeros) += each output's gradient at its window's first maximum. */
function maxPoolGradHost(
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: Info,
): void {
  const [H, W, C, oH, oW, kh, kw, sh, sw, ph, pw] = geometry(info) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const positions = info.batchSize * oH * oW;
  for (let p = 0; p < positions; p++) {
    const b = Math.floor(p / (oH * oW));
    const rest = p - b * oH * oW;
    const iy0 = Math.floor(rest / oW) * sh - ph;
    const ix0 = (rest % oW) * sw - pw;
    for (let c = 0; c < C; c++) {
      const max = y[p * C + c] as number;
      let found = -1;
      for (let i = 0; i < kh && found < 0; i++) {
        const iy = iy0 + i;
        if (iy < 0 || iy >= H) continue;
        for (let j = 0; j < kw; j++) {
          const ix = ix0 + j;
          if (ix < 0 || ix >= W) continue;
          const at = ((b * H + iy) * W + ix) * C + c;
          if (x[at] === max) {
            found = at;
            break;
          }
        }
      }
      if (found >= 0) dx[found] = (dx[found] as number) + (dy[p * C + c] as number);
    }
  }
}

/**
 * The input gradient of `y = maxPool(x)` for the output gradient `dy` (all `[B, H, W, C]`,
 * channels-last, float32): a new tensor of `x`'s shape.
 */
export function maxPoolGrad(dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, info: Info): tf.Tensor {
  if (wasmColumnsAvailable() && info.inChannels % 4 === 0) {
    const dx = tf.zeros(x.shape, 'float32');
    convKernels().maxPoolGrad(
      readNow(x).byteOffset,
      readNow(y).byteOffset,
      readNow(dy).byteOffset,
      readNow(dx).byteOffset,
      0,
      info.batchSize * info.outHeight * info.outWidth,
      ...geometry(info),
    );
    return dx;
  }
  const dx = new Float32Array(x.size);
  maxPoolGradHost(
    x.dataSync() as Float32Array,
    y.dataSync() as Float32Array,
    dy.dataSync() as Float32Array,
    dx,
    info,
  );
  return tf.tensor(dx, x.shape, 'float32');
}

/** The gradient of tfjs's `MaxPool` kernel (register it where none is). */
export function tfjsPoolGradients(): tf.GradConfig[] {
  return [
    {
      kernelName: 'MaxPool',
      inputsToSave: ['x'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, y] = saved as [tf.Tensor, tf.Tensor];
        const a = attrs as tf.NamedAttrMap;
        const info = tf.backend_util.computePool2DInfo(
          x.shape as [number, number, number, number],
          a.filterSize as [number, number],
          a.strides as [number, number],
          1,
          a.pad as 'valid' | 'same' | number,
          a.dimRoundingMode as 'floor' | undefined,
        );
        return { x: () => maxPoolGrad(dy as tf.Tensor, x, y, info) };
      },
    },
  ];
}
