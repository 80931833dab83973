import type { Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { untaped } from './untaped.js';

/**
 * The k nearest neighbours of every point, the point itself included (the plain tfjs
 * formulation; the reference for faster kernels).
 *
 * The score `s_ij = (2<x_i, x_j> − |x_j|²) − |x_i|²` is evaluated in float32 in exactly that
 * order (as PyTorch DGCNN does; it decides near-ties), and the k largest are selected per row.
 * Computed one batch element at a time (an N×N score matrix each) and never recorded on a
 * gradient tape.
 *
 * @param x `[B, N, C]` float32 features.
 * @param k neighbours per point, `1 ≤ k ≤ N` (not checked here: callers validate).
 * @returns int32 `[B, N, k]`, ordered by decreasing score.
 */
export function knnIndicesReference(x: Tensor3D, k: number): Tensor3D {
  return untaped(x, (input) =>
    tf.tidy(() => {
      const rows = tf.unstack(input, 0).map((xb) => {
        const sq = tf.sum(tf.square(xb), 1); // [N]
        const gram = tf.matMul(xb, tf.transpose(xb)); // [N, N]
        const score = tf.sub(
          tf.sub(tf.mul(gram, 2), tf.reshape(sq, [1, -1])),
          tf.reshape(sq, [-1, 1]),
        );
        return tf.topk(score, k).indices;
      });
      return tf.stack(rows, 0) as Tensor3D;
    }),
  );
}
