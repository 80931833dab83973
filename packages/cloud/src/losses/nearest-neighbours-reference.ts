import { invalidArgument } from '@cellshape/core';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { untaped } from '../model/untaped.js';

/** Nearest-neighbour indices between two batches of clouds. */
export interface NearestNeighbourIndices {
  /** int32 `[B, N]`: for each point of `a`, the index of its nearest point in `b`. */
  aToB: Tensor2D;
  /** int32 `[B, M]`: for each point of `b`, the index of its nearest point in `a`. */
  bToA: Tensor2D;
}

/** Validates a pair of point-cloud batches `[B, N, 3]`, `[B, M, 3]` (shapes, dtype, finiteness). */
export function checkCloudPair(fn: string, a: Tensor, b: Tensor): asserts a is Tensor3D {
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(t instanceof tf.Tensor)) throw invalidArgument(fn, name, 'a tf.Tensor [B, N, 3]', t);
    if (t.rank !== 3 || t.shape[2] !== 3 || t.shape[0] === 0 || t.shape[1] === 0)
      throw invalidArgument(fn, name, 'a non-empty tensor of shape [B, N, 3]', t.shape);
    if (t.dtype !== 'float32') throw invalidArgument(fn, name, 'float32', t.dtype);
  }
  if (a.shape[0] !== b.shape[0])
    throw invalidArgument(fn, 'b', `the same batch size as 'a' (${a.shape[0]})`, b.shape);
  const check = tf.tidy(() => tf.add(tf.sum(tf.mul(a, 0)), tf.sum(tf.mul(b, 0))));
  const value = check.dataSync()[0];
  check.dispose();
  if (value !== 0) throw invalidArgument(fn, 'a, b', 'finite (no NaN or infinity)');
}

/**
 * For every point of each cloud, the index of the nearest point of the other cloud (the plain
 * tfjs formulation; the reference for faster kernels). Squared distances by the expansion
 * `(|a_i|² + |b_j|²) − 2<a_i, b_j>` in float32, as cellshape-cloud's Chamfer loss; ties go to
 * the lowest index. One batch element at a time (an N×M matrix each), never recorded on a
 * gradient tape.
 *
 * @param a `[B, N, 3]`. @param b `[B, M, 3]`.
 */
export function nearestNeighboursReference(a: Tensor, b: Tensor): NearestNeighbourIndices {
  const fn = 'nearestNeighboursReference';
  checkCloudPair(fn, a, b);
  return nearestUnchecked(a, b as Tensor3D);
}

/** {@link nearestNeighboursReference} without input validation (for callers that validated). */
export function nearestUnchecked(a: Tensor3D, b: Tensor3D): NearestNeighbourIndices {
  // untaped() takes one input: pass both clouds concatenated along the point axis.
  const n = a.shape[1];
  const joined = tf.concat([a, b], 1);
  const both = untaped(joined, (ab) =>
    tf.tidy(() => {
      const [ax, bx] = tf.split(ab, [n, (ab.shape[1] as number) - n], 1) as [Tensor3D, Tensor3D];
      const bs = tf.unstack(bx, 0);
      const pairs = tf.unstack(ax, 0).map((aa, i) => {
        const bb = bs[i] as Tensor2D;
        const sqA = tf.reshape(tf.sum(tf.square(aa), 1), [-1, 1]);
        const sqB = tf.reshape(tf.sum(tf.square(bb), 1), [1, -1]);
        const d = tf.sub(tf.add(sqA, sqB), tf.mul(tf.matMul(aa, tf.transpose(bb)), 2));
        return tf.concat([tf.argMin(d, 1), tf.argMin(d, 0)], 0);
      });
      return tf.stack(pairs, 0);
    }),
  );
  const [aToB, bToA] = tf.split(both, [n, (both.shape[1] as number) - n], 1) as [
    Tensor2D,
    Tensor2D,
  ];
  tf.dispose([joined, both]);
  return { aToB, bToA };
}
