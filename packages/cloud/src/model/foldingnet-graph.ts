import { shapeSize } from '@cellshape/core';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { batchGather } from './batch-gather.js';

/**
 * The 12 input channels of the FoldingNet encoder, as cellshape-cloud's `local_cov` computes
 * them: per point, its xyz followed by the outer product `a bᵀ` (row-major, `a_r b_c` at
 * 3 + 3r + c) of its first two kNN neighbours `a = x[idx[·, 0]]`, `b = x[idx[·, 1]]` (the first
 * is normally the point itself). Despite the name, not a covariance over the neighbourhood.
 *
 * @param points float32 `[B, N, 3]`.
 * @param idx int32 `[B, N, k]`, k ≥ 2, best neighbour first (not checked: internal use).
 * @returns `[B, N, 12]`, differentiable in `points`.
 */
export function localCovariance(points: Tensor3D, idx: Tensor3D): Tensor3D {
  return tf.tidy(() => {
    const [b, n] = points.shape;
    const pair = batchGather(points, tf.slice(idx, [0, 0, 0], [b, n, 2])); // [B, N, 2, 3]
    const first = tf.reshape(tf.slice(pair, [0, 0, 0, 0], [b, n, 1, 3]), [b, n, 3, 1]);
    const second = tf.reshape(tf.slice(pair, [0, 0, 1, 0], [b, n, 1, 3]), [b, n, 1, 3]);
    const outer = tf.reshape(tf.mul(first, second), [b, n, 9]);
    return tf.concat([points, outer], 2) as Tensor3D;
  });
}

/**
 * `out[r, c] = max_q x[source(r, q), c]` over `size` source rows per output row, on typed
 * arrays; the gradient goes to the first source row (in `q` order) attaining each maximum, as
 * PyTorch's `max(dim)`, scatter-added into `x`. Ties are common in the FoldingNet encoder
 * (points whose neighbourhoods share their maxima get equal rows), where the gradient of a
 * stock `max`, which goes to every tied element, would differ from PyTorch's.
 */
function firstMax(
  x: Tensor,
  outShape: number[],
  size: number,
  source: (r: number, q: number) => number,
): Tensor {
  const c = x.shape[x.rank - 1] as number;
  const outRows = shapeSize(outShape) / c;
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as Tensor;
    const data = input.dataSync() as Float32Array;
    const best = new Float32Array(outRows * c);
    const arg = new Int32Array(outRows * c); // the winning source row
    for (let r = 0; r < outRows; r++) {
      const out = r * c;
      for (let q = 0; q < size; q++) {
        const row = source(r, q);
        const from = row * c;
        for (let o = 0; o < c; o++) {
          const v = data[from + o] as number;
          if (q === 0 || v > (best[out + o] as number)) {
            best[out + o] = v;
            arg[out + o] = row;
          }
        }
      }
    }
    return {
      value: tf.tensor(best, outShape),
      gradFunc: (dy: Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(input.size);
        for (let t = 0; t < outRows * c; t++) {
          const at = (arg[t] as number) * c + (t % c);
          dx[at] = (dx[at] as number) + (g[t] as number);
        }
        return tf.tensor(dx, input.shape);
      },
    };
  });
  return op(x);
}

/**
 * The maximum of each feature over each point's kNN neighbourhood (cellshape-cloud's
 * `local_maxpool`), `out[b, i, c] = max_j x[b, idx[b, i, j], c]`, without the `[B, N, k, C]`
 * gathered tensor; the gradient goes to the first neighbour in `idx` order attaining each
 * maximum (PyTorch's rule, see {@link firstMax}).
 *
 * @param x float32 `[B, N, C]`.
 * @param idx int32 `[B, N, k]` with values in `[0, N)` (not checked: internal use); not differentiated.
 * @returns `[B, N, C]`.
 */
export function localMaxPool(x: Tensor3D, idx: Tensor3D): Tensor3D {
  const [b, n, c] = x.shape;
  const k = idx.shape[2];
  const neighbours = idx.dataSync() as Int32Array;
  // Output row r = s·N + i reads rows s·N + idx[r, q].
  const source = (r: number, q: number) => r - (r % n) + (neighbours[r * k + q] as number);
  return firstMax(x, [b, n, c], k, source) as Tensor3D;
}

/**
 * The maximum of each feature over the points, `[B, N, C]` → `[B, C]`; the gradient goes to
 * the first point attaining each maximum (PyTorch's rule, see {@link firstMax}).
 */
export function globalMaxPool(x: Tensor3D): Tensor2D {
  const [b, n, c] = x.shape;
  return firstMax(x, [b, c], n, (r, q) => r * n + q) as Tensor2D;
}
