import { checkBoolean, checkOneOf, invalidArgument, withDefaults } from '@cellshape/core';
import {
  type ChamferForm,
  type ChamferOptions,
  chamferDistance,
  DEFAULT_CHAMFER_OPTIONS,
} from '@cellshape/engine';
import type { Scalar, Tensor, Tensor3D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { batchGather } from '../model/batch-gather.js';
import { checkCloudPair, nearestUnchecked } from './nearest-neighbours-reference.js';

export type { ChamferForm };

/** Options of {@link chamferLoss}: the engine's `ChamferOptions` and the implementation. */
export interface ChamferLossOptions extends ChamferOptions {
  /**
   * `'sum'` (default): the training loss of cellshape-cloud, the squared distance from every
   * point of each cloud to the nearest point of the other, summed over both directions and the
   * batch (squared distances by the expansion `|a|² + |b|² − 2<a, b>`, as the original).
   * `'extended'`: the paper's form, per sample `max(mean_i min_j ‖a_i − b_j‖,
   * mean_j min_i ‖a_i − b_j‖)`, averaged over the batch.
   */
  form?: ChamferForm;
  /** `'extended'` only: use squared distances. Default false. (`'sum'` is always squared.) */
  squared?: boolean;
  /**
   * `'fast'` (default): the typed-array kernel of `@cellshape/engine` (nearest neighbours and
   * distances in one pass, gradient through the saved indices, no `[B, N, M]` tensor);
   * `'plain'`: tfjs ops, the reference formulation. Equal within float32 rounding.
   */
  implementation?: 'fast' | 'plain';
}

/** The defaults of {@link ChamferLossOptions}: the engine's, and the `'fast'` implementation. */
export const DEFAULT_CHAMFER_LOSS_OPTIONS: Readonly<Required<ChamferLossOptions>> = Object.freeze({
  ...DEFAULT_CHAMFER_OPTIONS,
  implementation: 'fast',
});

// Floor under squared distances before the square root, so its gradient stays finite.
const SQRT_FLOOR = 1e-30;

/**
 * The Chamfer distance between two batches of point clouds, differentiable in both.
 *
 * Nearest neighbours are not differentiated: the gradient is that of the distances to the
 * selected points, as for PyTorch's `min` (the `'plain'` implementation finds them with
 * {@link nearestNeighboursReference}). In the `'extended'`
 * form the selected distances are computed exactly as ‖a_i − b_j‖ (so the gradient is safe),
 * which differs from the expansion by float32 rounding only.
 *
 * @param a `[B, N, 3]` float32 (e.g. the input clouds).
 * @param b `[B, M, 3]` float32 (e.g. the reconstructions).
 * @returns a scalar tensor (owned by the caller).
 */
export function chamferLoss(a: Tensor, b: Tensor, options: ChamferLossOptions = {}): Scalar {
  const fn = 'chamferLoss';
  const o = withDefaults(fn, DEFAULT_CHAMFER_LOSS_OPTIONS, options);
  const squared = checkBoolean(fn, 'options.squared', o.squared);
  const implementation = checkOneOf(fn, 'options.implementation', o.implementation, [
    'fast',
    'plain',
  ]);
  const form = checkOneOf(fn, 'options.form', o.form, ['sum', 'extended']);
  if (form === 'sum' && options.squared === false)
    throw invalidArgument(
      fn,
      'options.squared',
      "true or absent for form 'sum' (always squared)",
      false,
    );
  checkCloudPair(fn, a, b);
  if (implementation === 'fast') return chamferDistance(a, b, { form, squared });
  const b3 = b as Tensor3D;
  switch (form) {
    case 'sum': {
      return tf.tidy(() => {
        const { aToB, bToA } = nearestUnchecked(a, b3);
        const expansion = (p: Tensor, q: Tensor): Tensor =>
          tf.sub(
            tf.add(tf.sum(tf.square(p), -1), tf.sum(tf.square(q), -1)),
            tf.mul(tf.sum(tf.mul(p, q), -1), 2),
          );
        const fromB = expansion(batchGather(a, bToA), b3);
        const fromA = expansion(a, batchGather(b3, aToB));
        return tf.add(tf.sum(fromB), tf.sum(fromA)) as Scalar;
      });
    }
    case 'extended':
      return tf.tidy(() => {
        const { aToB, bToA } = nearestUnchecked(a, b3);
        const distance = (p: Tensor, q: Tensor): Tensor => {
          const sq = tf.sum(tf.squaredDifference(p, q), -1);
          return squared ? sq : tf.sqrt(tf.maximum(sq, SQRT_FLOOR));
        };
        const meanA = tf.mean(distance(a, batchGather(b3, aToB)), 1);
        const meanB = tf.mean(distance(batchGather(a, bToA), b3), 1);
        return tf.mean(tf.maximum(meanA, meanB)) as Scalar;
      });
    default: {
      const never: never = form;
      throw invalidArgument(fn, 'options.form', "'sum' or 'extended'", never);
    }
  }
}
