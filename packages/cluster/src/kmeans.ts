import {
  checkInteger,
  checkNumber,
  checkPositive,
  createRng,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { kmeans as mlKmeans } from 'ml-kmeans';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/** Options of {@link kmeans}. */
export interface KmeansOptions {
  /** Independent k-means++ runs; the one with the lowest inertia wins. Default 20 (as sklearn's `n_init` in cellshape). */
  restarts?: number;
  /** Seed of the k-means++ initialisations (run r uses a seed drawn from it). Default 0. */
  seed?: number;
  /** Maximum Lloyd iterations per run. Default 300 (sklearn). */
  maxIterations?: number;
  /** A run stops when no centre moves by more than this (squared distance). Default 1e-6. */
  tolerance?: number;
}

/** Defaults of {@link KmeansOptions}. */
export const DEFAULT_KMEANS_OPTIONS: Readonly<Required<KmeansOptions>> = {
  restarts: 20,
  seed: 0,
  maxIterations: 300,
  tolerance: 1e-6,
};

/** What {@link kmeans} returns. */
export interface KmeansResult {
  /** Cluster of each row, 0 … k − 1 (nearest final centre). */
  labels: Int32Array;
  /** Centres, `k × F`. */
  centres: DenseMatrix<Float64Array>;
  /** Sum over rows of the squared distance to the nearest centre (sklearn's `inertia_`). */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
}

/** Row i of a matrix as a plain array. */
function rowsOf(m: DenseMatrix): number[][] {
  const [n, f] = m.shape;
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(m.data.subarray(i * f, (i + 1) * f));
  return rows;
}

/** Labels (nearest centre) and inertia of `rows` for the given centres. */
function assign(rows: number[][], centres: number[][]): { labels: Int32Array; inertia: number } {
  const labels = new Int32Array(rows.length);
  let inertia = 0;
  rows.forEach((row, i) => {
    let best = Number.POSITIVE_INFINITY;
    centres.forEach((c, j) => {
      let d2 = 0;
      for (let t = 0; t < row.length; t++) {
        const d = row[t]! - c[t]!;
        d2 += d * d;
      }
      if (d2 < best) {
        best = d2;
        labels[i] = j;
      }
    });
    inertia += best;
  });
  return { labels, inertia };
}

/** Throws when `rows` has fewer than `k` distinct rows (k-means++ cannot place k centres). */
function checkDistinct(fn: string, rows: number[][], k: number): void {
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row.join(','));
    if (seen.size >= k) return;
  }
  throw new InvalidArgumentError(
    `${fn}: 'features' has only ${seen.size} distinct rows, fewer than k = ${k} clusters`,
    { fn, arg: 'k' },
  );
}

/**
 * Seeded k-means (k-means++ initialisation, Lloyd iterations via ml-kmeans) with restarts,
 * keeping the run of lowest inertia — the centre initialisation of IDEC and the elbow curve of
 * {@link chooseK}.
 *
 * @param features `n × F`, finite.
 * @param k number of clusters, 1 ≤ k ≤ number of distinct rows.
 */
export function kmeans(features: DenseMatrix, k: number, options?: KmeansOptions): KmeansResult {
  const fn = 'kmeans';
  checkMatrix(fn, 'features', features);
  const o = withDefaults(fn, DEFAULT_KMEANS_OPTIONS, options);
  checkInteger(fn, 'options.restarts', o.restarts, { min: 1 });
  checkInteger(fn, 'options.maxIterations', o.maxIterations, { min: 1 });
  checkPositive(fn, 'options.tolerance', o.tolerance, true);
  checkNumber(fn, 'options.seed', o.seed);
  const n = features.shape[0];
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw invalidArgument(fn, 'k', `an integer in [1, ${n}] (the number of rows)`, k);
  const rows = rowsOf(features);
  checkDistinct(fn, rows, k);
  const rng = createRng(o.seed);
  let best: KmeansResult | undefined;
  for (let r = 0; r < o.restarts; r++) {
    const run = mlKmeans(rows, k, {
      initialization: 'kmeans++',
      seed: rng.nextUint32(),
      maxIterations: o.maxIterations,
      tolerance: o.tolerance,
    });
    const { labels, inertia } = assign(rows, run.centroids);
    if (best === undefined || inertia < best.inertia) {
      const f = features.shape[1];
      const data = new Float64Array(k * f);
      run.centroids.forEach((c, j) => {
        data.set(c, j * f);
      });
      best = { labels, centres: { data, shape: [k, f] }, inertia, iterations: run.iterations };
    }
  }
  return best!;
}
