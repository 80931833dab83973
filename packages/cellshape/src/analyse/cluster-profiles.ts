import {
  chooseK,
  type DenseMatrix,
  gaussianMixture,
  hdbscan,
  hierarchicalClusters,
  kmeans,
  umap2d,
} from '@cellshape/cluster';
import { InvalidArgumentError } from '@cellshape/core';
import type { AnalyseClustering, ResolvedAnalyseOptions } from './analyse-options.js';
import type { ClusterOutcome } from './analyse-results.js';

const FN = 'analyseRun';

/** A clustering method of the analysis: the profiles (or their UMAP), k and a seed → labels. */
export type Clusterer = (x: DenseMatrix, k: number, seed: number) => Int32Array;

/**
 * The clustering methods, by name; a method needing no k (HDBSCAN) ignores it. Methods register
 * here, so nothing else switches on the name.
 */
export const CLUSTERERS: Partial<Record<AnalyseClustering, Clusterer>> = {
  kmeans: (x, k, seed) => kmeans(x, k, { seed }).labels,
  // Diagonal covariances: a full covariance per cluster needs many more profiles than features.
  gmm: (x, k, seed) => gaussianMixture(x, { k, covarianceType: 'diag', nInit: 5, seed }).labels,
  // HDBSCAN finds k itself; clusters of at least 5 profiles (the default), fewer on small data.
  hdbscan: (x) =>
    hdbscan(x, { minClusterSize: Math.max(2, Math.min(5, Math.floor(x.shape[0] / 4))) }).labels,
  // Ward linkage, as scikit-learn's AgglomerativeClustering, cut into k clusters.
  hierarchical: (x, k) =>
    hierarchicalClusters(x, { linkage: 'ward', metric: 'euclidean', count: k }).labels,
};

/** Fewest profiles for the UMAP embedding (umap-js needs more rows than neighbours, ≥ 2 of them). */
const MIN_UMAP_ROWS = 4;
/** Most profiles embedded for the plots alone (UMAP of many single cells takes minutes). */
const MAX_PLOT_UMAP_ROWS = 5000;

/** A seeded 2-D UMAP of the profiles, or undefined when there are too few. */
export function embedProfiles(x: DenseMatrix, seed: number): DenseMatrix<Float64Array> | undefined {
  const n = x.shape[0];
  if (n < MIN_UMAP_ROWS) return undefined;
  // 200 optimisation epochs (umap-js's choice for large data) settle a plot; 500 cost 2.5×.
  return umap2d(x, { seed, nNeighbors: Math.min(15, n - 1), nEpochs: 200 });
}

/** How many clusters: the option, the classes of `design.by`, else the k-means elbow. */
function chooseClusterCount(
  x: DenseMatrix,
  o: ResolvedAnalyseOptions,
  classes: string[] | undefined,
): { k: number; kFrom: ClusterOutcome['kFrom'] } {
  const n = x.shape[0];
  if (o.clusters !== undefined) {
    if (o.clusters > n - 1)
      throw new InvalidArgumentError(
        `${FN}: ${o.clusters} clusters need at least ${o.clusters + 1} profiles, there are ${n}`,
        { fn: FN, arg: 'pipeline.clusters' },
      );
    return { k: o.clusters, kFrom: 'option' };
  }
  const distinct = classes ? new Set(classes).size : 0;
  if (distinct >= 2 && distinct < n) return { k: distinct, kFrom: 'classes' };
  if (n < 5)
    throw new InvalidArgumentError(
      `${FN}: choosing the number of clusters needs at least 5 profiles, there are ${n}; give it`,
      { fn: FN, arg: 'pipeline.clusters' },
    );
  const elbow = chooseK(x, { range: [1, Math.min(10, n)], seed: o.seed });
  return { k: Math.max(2, elbow.k ?? 2), kFrom: 'elbow' };
}

/**
 * The cluster stage: chooses k, clusters the profiles (or their 2-D UMAP with `pipeline.umap`)
 * with the chosen method, and keeps a UMAP embedding for the plots.
 *
 * @throws InvalidArgumentError (`pipeline.clusters`) when there are not more profiles than clusters.
 */
export function clusterProfiles(
  x: DenseMatrix,
  o: ResolvedAnalyseOptions,
  classes: string[] | undefined,
): ClusterOutcome {
  const clusterer = CLUSTERERS[o.cluster];
  if (clusterer === undefined)
    throw new InvalidArgumentError(`${FN}: the clustering '${o.cluster}' is not available`, {
      fn: FN,
      arg: 'pipeline.cluster',
    });
  const embedding =
    o.umap || x.shape[0] <= MAX_PLOT_UMAP_ROWS ? embedProfiles(x, o.seed) : undefined;
  if (o.umap && embedding === undefined)
    throw new InvalidArgumentError(
      `${FN}: clustering a UMAP embedding needs at least ${MIN_UMAP_ROWS} profiles, there are ${x.shape[0]}`,
      { fn: FN, arg: 'pipeline.umap' },
    );
  const input = o.umap ? embedding! : x;
  // HDBSCAN finds the number of clusters itself.
  const { k, kFrom } =
    o.cluster === 'hdbscan'
      ? { k: 0, kFrom: 'method' as const }
      : chooseClusterCount(input, o, classes);
  const labels = clusterer(input, k, o.seed);
  const found = new Set(Array.from(labels).filter((l) => l >= 0)).size;
  return {
    method: o.cluster,
    k: found,
    kFrom,
    labels,
    clusteredOn: o.umap ? 'umap' : 'profiles',
    embedding,
  };
}
