import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The maximum over the points, `[B, N, C]` → `[B, C]`, on typed arrays, whose gradient goes to
 * the first point attaining each maximum (as PyTorch's `max(dim)`); tfjs's stock `max`
 * gradient builds a broadcasting `equal` over the whole input, slow on wasm.
 */
export function maxOverPoints(x: Tensor3D): Tensor2D {
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor3D;
    const [b, n, c] = input.shape;
    const data = input.dataSync() as Float32Array;
    const best = new Float32Array(b * c);
    const arg = new Int32Array(b * c);
    for (let s = 0; s < b; s++) {
      const out = s * c;
      best.set(data.subarray(s * n * c, s * n * c + c), out);
      for (let i = 1; i < n; i++) {
        const row = (s * n + i) * c;
        for (let o = 0; o < c; o++) {
          const v = data[row + o] as number;
          if (v > (best[out + o] as number)) {
            best[out + o] = v;
            arg[out + o] = i;
          }
        }
      }
    }
    return {
      value: tf.tensor2d(best, [b, c]),
      gradFunc: (dy: Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(b * n * c);
        for (let s = 0; s < b; s++)
          for (let o = 0; o < c; o++)
            dx[(s * n + (arg[s * c + o] as number)) * c + o] = g[s * c + o] as number;
        return tf.tensor3d(dx, [b, n, c]);
      },
    };
  });
  return op(x) as Tensor2D;
}
