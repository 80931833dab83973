import {
  checkInteger,
  checkNumber,
  checkPositive,
  createRng,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { UMAP } from 'umap-js';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';

/** Options of {@link umap2d}. */
export interface Umap2dOptions {
  /** Seed of UMAP's random initialisation and sampling. Default 0. */
  seed?: number;
  /** Neighbours of the k-NN graph (≥ 2, < number of rows). Default 15. */
  nNeighbors?: number;
  /** Minimum distance between embedded points. Default 0.1. */
  minDist?: number;
  /** Optimisation epochs; default: umap-js's choice (500 for < 10 000 rows, else 200). */
  nEpochs?: number;
}

/** Defaults of {@link Umap2dOptions}. */
export const DEFAULT_UMAP_2D_OPTIONS = { seed: 0, nNeighbors: 15, minDist: 0.1 } as const;

/**
 * A seeded 2-D UMAP embedding of features for plots (umap-js). The same seed gives the same
 * embedding.
 *
 * @param features `n × F`, finite, n > `nNeighbors`.
 * @returns `n × 2` (float64), one row per input row.
 */
export function umap2d(features: DenseMatrix, options?: Umap2dOptions): DenseMatrix<Float64Array> {
  const fn = 'umap2d';
  checkMatrix(fn, 'features', features);
  const o = withDefaults(fn, DEFAULT_UMAP_2D_OPTIONS, options as Umap2dOptions | undefined);
  checkNumber(fn, 'options.seed', o.seed);
  checkInteger(fn, 'options.nNeighbors', o.nNeighbors, { min: 2 });
  checkPositive(fn, 'options.minDist', o.minDist, true);
  if (o.nEpochs !== undefined) checkInteger(fn, 'options.nEpochs', o.nEpochs, { min: 1 });
  const [n, f] = features.shape;
  if (n <= o.nNeighbors)
    throw invalidArgument(
      fn,
      'features',
      `more rows than nNeighbors (${o.nNeighbors})`,
      features.shape,
    );
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from(features.data.subarray(i * f, (i + 1) * f)),
  );
  const rng = createRng(o.seed);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: o.nNeighbors,
    minDist: o.minDist,
    random: () => rng.next(),
    ...(o.nEpochs === undefined ? {} : { nEpochs: o.nEpochs }),
  });
  const embedding = umap.fit(rows);
  const out = new Float64Array(n * 2);
  embedding.forEach((row, i) => {
    out[i * 2] = row[0]!;
    out[i * 2 + 1] = row[1]!;
  });
  return { data: out, shape: [n, 2] };
}
