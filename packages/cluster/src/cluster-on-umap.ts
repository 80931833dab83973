import { invalidArgument } from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from './analysis-input.js';
import type { DenseMatrix } from './dense-matrix.js';
import { type Umap2dOptions, umap2d } from './umap.js';

/** What {@link clusterOnUmap} returns: the 2-D embedding and the clustering of it. */
export interface ClusterOnUmapResult<R> {
  /** The seeded 2-D UMAP embedding, `n × 2` (float64). */
  embedding: DenseMatrix<Float64Array>;
  /** What `cluster` returned for the embedding. */
  clustering: R;
}

/**
 * Clusters samples on a seeded 2-D UMAP embedding of their features instead of the raw
 * features — as the GBM thesis does with HDBSCAN: density clustering works better in two
 * dimensions, at the price of UMAP's distortions (cluster sizes and gaps in the embedding are
 * not those of the features). Any clustering function of this package fits.
 *
 * ```ts
 * const { embedding, clustering } = clusterOnUmap(
 *   X,
 *   (e) => hdbscan(e, { minClusterSize: 15, clusterSelectionMethod: 'leaf' }),
 *   { nNeighbors: 30, minDist: 0, seed: 1 },
 * );
 * ```
 *
 * @param X `n × d` features, finite, n > `umap.nNeighbors`.
 * @param cluster called once with the `n × 2` embedding.
 * @param umap options of {@link umap2d}.
 */
export function clusterOnUmap<R>(
  X: AnalysisMatrix,
  cluster: (embedding: DenseMatrix<Float64Array>) => R,
  umap?: Umap2dOptions,
): ClusterOnUmapResult<R> {
  const fn = 'clusterOnUmap';
  const m = analysisMatrix(fn, 'X', X);
  if (typeof cluster !== 'function') throw invalidArgument(fn, 'cluster', 'a function', cluster);
  const embedding = umap2d(m, umap);
  return { embedding, clustering: cluster(embedding) };
}
