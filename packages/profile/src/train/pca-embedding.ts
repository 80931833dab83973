import { checkInteger, checkObject, invalidArgument, withDefaults } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Samples to embed: `n` samples of any shape, flattened row-major (`[n, H, W, C]` crops or `[n, p]` rows). */
export interface FlatSamples {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** Options of {@link fitPcaEmbedding}. */
export interface PcaEmbeddingOptions {
  /** Principal components kept, ≤ min(n − 1, p). Default min(64, n − 1, p) (64 as the endothelial thesis). */
  numComponents?: number;
}

/**
 * A PCA fitted on flattened images: the baseline embedding of both theses. `transform` projects
 * samples of the fitted size on the components (centred by the fitted mean), as scikit-learn's
 * `PCA(n_components).fit(X).transform(X)` (no whitening), with scikit-learn's signs.
 */
export interface PcaEmbedding {
  /** Components kept k. */
  readonly numComponents: number;
  /** Values per sample p. */
  readonly numValues: number;
  /** The mean sample, `p`. */
  readonly mean: Float64Array;
  /** Components, `k × p` row-major, unit length, by decreasing variance. */
  readonly components: Float64Array;
  /** Variance along each component (denominator n − 1), `k`. */
  readonly explainedVariance: Float64Array;
  /** Fraction of the total variance along each component, `k`. */
  readonly explainedVarianceRatio: Float64Array;
  /** Projections of `samples` (each of p values) on the components: `n × k` row-major. */
  transform(samples: FlatSamples): Float32Array;
}

const FN = 'fitPcaEmbedding';

function checkSamples(fn: string, samples: FlatSamples, p?: number): { n: number; p: number } {
  checkObject(fn, 'samples', samples);
  const { data, shape } = samples;
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    !shape.every((v) => Number.isInteger(v) && v >= 1)
  )
    throw invalidArgument(fn, 'samples.shape', '[n, …] of positive integers', shape);
  const n = shape[0] as number;
  const size = shape.slice(1).reduce((a: number, b: number) => a * b, 1);
  if (p !== undefined && size !== p)
    throw invalidArgument(fn, 'samples.shape', `samples of ${p} values (the fitted size)`, shape);
  if (!data || data.length !== n * size)
    throw invalidArgument(fn, 'samples.data', `${n * size} values`, data?.length);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw invalidArgument(fn, 'samples.data', 'finite values', `${data[i]} at ${i}`);
  return { n, p: size };
}

/** Centred samples as a float32 tensor `[n, p]`, and the mean. */
function centre(
  samples: FlatSamples,
  n: number,
  p: number,
): { x: tf.Tensor2D; mean: Float64Array } {
  const mean = new Float64Array(p);
  const { data } = samples;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j]! += data[i * p + j] as number;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  const centred = new Float32Array(n * p);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++)
      centred[i * p + j] = (data[i * p + j] as number) - (mean[j] as number);
  return { x: tf.tensor2d(centred, [n, p]), mean };
}

/** Eigenpairs of a symmetric `m × m` matrix, by decreasing eigenvalue: the top `k`. */
function topEigen(
  values: Float32Array,
  m: number,
  k: number,
): { lambda: number[]; vectors: number[][] } {
  const matrix = new Matrix(m, m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++)
      matrix.set(a, b, ((values[a * m + b] as number) + (values[b * m + a] as number)) / 2);
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const order = evd.realEigenvalues
    .map((l, i) => [l, i] as const)
    .sort((u, v) => v[0] - u[0])
    .slice(0, k);
  const vectors = order.map(([, i]) => evd.eigenvectorMatrix.getColumn(i));
  return { lambda: order.map(([l]) => Math.max(l, 0)), vectors };
}

/**
 * Fits a PCA on flattened samples (crops or whole images, `[n, …]`): the mean, the top-k
 * principal axes and their variances. With n ≤ p (images are wide) the axes come from the
 * n × n Gram matrix of the centred samples, otherwise from the p × p scatter matrix; both are
 * formed by a float32 tfjs matrix product and decomposed in float64 (ml-matrix).
 *
 * ```ts
 * const pca = fitPcaEmbedding({ data: crops, shape: [n, 64, 64, 1] }, { numComponents: 32 });
 * const embedding = pca.transform({ data: crops, shape: [n, 64, 64, 1] }); // n × 32
 * ```
 */
export function fitPcaEmbedding(
  samples: FlatSamples,
  options: PcaEmbeddingOptions = {},
): PcaEmbedding {
  const { n, p } = checkSamples(FN, samples);
  if (n < 2) throw invalidArgument(FN, 'samples.shape', 'at least 2 samples', samples.shape);
  const limit = Math.min(n - 1, p);
  const o = withDefaults(FN, { numComponents: Math.min(64, limit) }, options);
  const k = checkInteger(FN, 'options.numComponents', o.numComponents, { min: 1, max: limit });
  const { x, mean } = centre(samples, n, p);
  const gramRoute = n <= p;
  const square = tf.tidy(() =>
    gramRoute ? tf.matMul(x, x, false, true) : tf.matMul(x, x, true, false),
  );
  const { lambda, vectors } = topEigen(square.dataSync() as Float32Array, gramRoute ? n : p, k);
  square.dispose();
  const components = new Float64Array(k * p);
  const xs = x.dataSync();
  x.dispose();
  vectors.forEach((v, c) => {
    const row = components.subarray(c * p, (c + 1) * p);
    if (gramRoute) {
      // v = Xᵀu / √λ: the axis whose scores are √λ·u.
      const s = Math.sqrt(lambda[c] as number) || 1;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < p; j++) row[j]! += ((xs[i * p + j] as number) * (v[i] as number)) / s;
    } else row.set(v);
  });
  flipSigns(components, xs, n, p, k);
  let total = 0;
  for (let j = 0; j < xs.length; j++) total += (xs[j] as number) ** 2;
  const explainedVariance = Float64Array.from(lambda, (l) => l / (n - 1));
  const explainedVarianceRatio = Float64Array.from(lambda, (l) => (total > 0 ? l / total : 0));
  return {
    numComponents: k,
    numValues: p,
    mean,
    components,
    explainedVariance,
    explainedVarianceRatio,
    transform: (s: FlatSamples) => project(s, mean, components, k, p),
  };
}

/** scikit-learn's signs (`svd_flip`, u-based): each component's largest |score| is positive. */
function flipSigns(
  components: Float64Array,
  xs: ArrayLike<number>,
  n: number,
  p: number,
  k: number,
): void {
  for (let c = 0; c < k; c++) {
    const row = components.subarray(c * p, (c + 1) * p);
    let best = 0;
    for (let i = 0; i < n; i++) {
      let score = 0;
      for (let j = 0; j < p; j++) score += (xs[i * p + j] as number) * (row[j] as number);
      if (Math.abs(score) > Math.abs(best)) best = score;
    }
    if (best < 0) for (let j = 0; j < p; j++) row[j] = -(row[j] as number);
  }
}

function project(
  samples: FlatSamples,
  mean: Float64Array,
  components: Float64Array,
  k: number,
  p: number,
): Float32Array {
  const { n } = checkSamples('PcaEmbedding.transform', samples, p);
  const out = new Float32Array(n * k);
  const { data } = samples;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < p; j++)
        s +=
          ((data[i * p + j] as number) - (mean[j] as number)) * (components[c * p + j] as number);
      out[i * k + c] = s;
    }
  return out;
}
