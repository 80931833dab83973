import { invalidArgument, withDefaults } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkPointBatches,
  type NearestNeighbourArrays,
  nearestNeighbourKernel,
  readPointBatches,
} from './nearest-neighbours.js';

/**
 * The two published Chamfer forms: `'sum'` is the training loss of cellshape-cloud (over the
 * batch and both directions, the sum of the squared distances to the nearest point of the
 * other cloud); `'extended'` is the paper's form (per sample the larger of the two
 * directional mean nearest distances, then the mean over the batch).
 */
export type ChamferForm = 'sum' | 'extended';

/** Options of {@link chamferDistance}. */
export interface ChamferOptions {
  /** Which Chamfer distance (default `'sum'`). */
  form?: ChamferForm;
  /**
   * `'extended'` only: average squared instead of Euclidean distances (default false).
   * `'sum'` always uses squared distances.
   */
  squared?: boolean;
}

/** Defaults of {@link ChamferOptions}. */
export const DEFAULT_CHAMFER_OPTIONS: Readonly<Required<ChamferOptions>> = {
  form: 'sum',
  squared: false,
};

function resolveOptions(options: ChamferOptions): Required<ChamferOptions> {
  const fn = 'chamferDistance';
  const merged = withDefaults(fn, DEFAULT_CHAMFER_OPTIONS, options);
  if (merged.form !== 'sum' && merged.form !== 'extended') {
    throw invalidArgument(fn, 'options.form', "'sum' or 'extended'", merged.form);
  }
  if (typeof merged.squared !== 'boolean')
    throw invalidArgument(fn, 'options.squared', 'a boolean', merged.squared);
  return merged;
}

/** Loss value and d loss / d squared nearest distance of every point (per unit upstream gradient). */
interface ChamferTerms {
  value: number;
  coefA: Float64Array;
  coefB: Float64Array;
}

/** Σ over the batch and both directions of the squared nearest distances. */
function sumTerms(nn: NearestNeighbourArrays): ChamferTerms {
  let value = 0;
  for (const d of nn.sqDistAToB) value += d;
  for (const d of nn.sqDistBToA) value += d;
  return {
    value,
    coefA: new Float64Array(nn.sqDistAToB.length).fill(1),
    coefB: new Float64Array(nn.sqDistBToA.length).fill(1),
  };
}

/**
 * Per sample max(mean_i f(dA_i), mean_j f(dB_j)), mean over the batch, f = identity or sqrt.
 * The gradient goes to the larger direction (half to each on a tie, as torch.maximum); the
 * derivative of sqrt at a zero distance is taken as 0.
 */
function extendedTerms(
  nn: NearestNeighbourArrays,
  batch: number,
  n: number,
  m: number,
  squared: boolean,
): ChamferTerms {
  const coefA = new Float64Array(batch * n);
  const coefB = new Float64Array(batch * m);
  const f = (d: number): number => (squared ? d : Math.sqrt(d));
  const df = (d: number): number => (squared ? 1 : d > 0 ? 0.5 / Math.sqrt(d) : 0);
  let value = 0;
  for (let s = 0; s < batch; s++) {
    let meanA = 0;
    for (let i = 0; i < n; i++) meanA += f(nn.sqDistAToB[s * n + i] as number);
    meanA /= n;
    let meanB = 0;
    for (let j = 0; j < m; j++) meanB += f(nn.sqDistBToA[s * m + j] as number);
    meanB /= m;
    value += Math.max(meanA, meanB) / batch;
    const wA = (meanA > meanB ? 1 : meanA === meanB ? 0.5 : 0) / batch;
    const wB = (meanB > meanA ? 1 : meanA === meanB ? 0.5 : 0) / batch;
    for (let i = 0; i < n; i++)
      coefA[s * n + i] = (wA / n) * df(nn.sqDistAToB[s * n + i] as number);
    for (let j = 0; j < m; j++)
      coefB[s * m + j] = (wB / m) * df(nn.sqDistBToA[s * m + j] as number);
  }
  return { value, coefA, coefB };
}

/**
 * Gradients w.r.t. the points through the saved nearest indices: d|p − q|²/dp = 2(p − q).
 * `scale` is the upstream gradient of the scalar loss.
 */
function chamferGradients(
  a: Float32Array,
  b: Float32Array,
  nn: NearestNeighbourArrays,
  terms: ChamferTerms,
  batch: number,
  n: number,
  m: number,
  scale: number,
): [Float32Array, Float32Array] {
  const ga = new Float64Array(a.length);
  const gb = new Float64Array(b.length);
  // One direction: points p of `from` with their nearest q of `to` (gradients gp, gq).
  const route = (
    from: Float32Array,
    to: Float32Array,
    gFrom: Float64Array,
    gTo: Float64Array,
    index: Int32Array,
    coef: Float64Array,
    nFrom: number,
    nTo: number,
  ): void => {
    for (let s = 0; s < batch; s++) {
      for (let i = 0; i < nFrom; i++) {
        const c = 2 * scale * (coef[s * nFrom + i] as number);
        if (c === 0) continue;
        const p = (s * nFrom + i) * 3;
        const q = (s * nTo + (index[s * nFrom + i] as number)) * 3;
        for (let d = 0; d < 3; d++) {
          const g = c * ((from[p + d] as number) - (to[q + d] as number));
          gFrom[p + d] = (gFrom[p + d] as number) + g;
          gTo[q + d] = (gTo[q + d] as number) - g;
        }
      }
    }
  };
  route(a, b, ga, gb, nn.indexAToB, terms.coefA, n, m);
  route(b, a, gb, ga, nn.indexBToA, terms.coefB, m, n);
  return [Float32Array.from(ga), Float32Array.from(gb)];
}

/**
 * Chamfer distance between two batches of 3-D point clouds, a scalar with its gradient w.r.t.
 * both inputs (`tf.customGrad`: routed through the saved nearest-neighbour indices, no B·N·M
 * tensor is ever built).
 *
 * `a`: float32 `[B, N, 3]`, `b`: float32 `[B, M, 3]`. `form: 'sum'` (default) matches
 * `chamfer_sum(a, b)` of the reference (symmetric in a and b); `form: 'extended'` matches
 * `chamfer_extended(a, b, squared)`. Distances are evaluated directly (float64, rounded to
 * float32) rather than by the `|a|² + |b|² − 2<a,b>` expansion of the reference, so values
 * agree to float32 rounding. The caller owns the result.
 */
export function chamferDistance(
  a: tf.Tensor,
  b: tf.Tensor,
  options: ChamferOptions = {},
): tf.Scalar {
  const fn = 'chamferDistance';
  const opts = resolveOptions(options);
  const [batch, n, m] = checkPointBatches(fn, a, b);
  const [aData, bData] = readPointBatches(fn, a, b);
  const op = tf.customGrad((...args) => {
    const nn = nearestNeighbourKernel(aData, bData, batch, n, m);
    let terms: ChamferTerms;
    switch (opts.form) {
      case 'sum':
        terms = sumTerms(nn);
        break;
      case 'extended':
        terms = extendedTerms(nn, batch, n, m, opts.squared);
        break;
      default: {
        const never: never = opts.form;
        throw invalidArgument(fn, 'options.form', "'sum' or 'extended'", never);
      }
    }
    return {
      value: tf.scalar(terms.value, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const scale = (dy.dataSync() as Float32Array)[0] as number;
        const [ga, gb] = chamferGradients(aData, bData, nn, terms, batch, n, m, scale);
        const [ta, tb] = args as [tf.Tensor, tf.Tensor];
        return [tf.tensor(ga, ta.shape, 'float32'), tf.tensor(gb, tb.shape, 'float32')];
      },
    };
  });
  return op(a, b) as tf.Scalar;
}
