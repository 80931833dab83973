import {
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from './analysis-input.js';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import { type Linkage, linkageTree } from './linkage-tree.js';

export type { Linkage } from './linkage-tree.js';
/** Distances between rows for {@link hierarchicalOrder} (as scipy's `pdist(metric=…)`). */
export type HierarchicalMetric = 'euclidean' | 'cosine';

/** Options of {@link hierarchicalOrder}. */
export interface HierarchicalOptions {
  /** Linkage criterion. Default `'average'`. `'ward'` needs the euclidean metric. */
  linkage?: Linkage;
  /** Distance between rows. Default `'euclidean'`. */
  metric?: HierarchicalMetric;
}

/** Defaults of {@link HierarchicalOptions}. */
export const DEFAULT_HIERARCHICAL_OPTIONS: Readonly<Required<HierarchicalOptions>> = {
  linkage: 'average',
  metric: 'euclidean',
};

/** What {@link hierarchicalOrder} returns. */
export interface HierarchicalResult {
  /** Row indices in dendrogram leaf order (scipy's `leaves_list`), to reorder a heat map. */
  order: number[];
  /**
   * The merge tree in scipy's linkage-matrix format, `(n − 1) × 4`: row i merges clusters
   * `[a, b]` (a < b; ids < n are rows, id n + r is the cluster made by merge row r) at distance
   * `[2]` into a cluster of `[3]` rows; rows sorted by distance.
   */
  merges: DenseMatrix<Float64Array>;
}

/** Condensed distances between the rows (scipy's `pdist`): pair i < j at `condensedIndex(n, i, j)`. */
function pairwise(m: DenseMatrix, metric: HierarchicalMetric, fn: string): Float64Array {
  const [n, f] = m.shape;
  const d = new Float64Array((n * (n - 1)) / 2);
  const norms = new Float64Array(n);
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < f; c++) s += m.data[i * f + c]! ** 2;
      norms[i] = Math.sqrt(s);
      if (norms[i] === 0)
        throw new InvalidArgumentError(
          `${fn}: row ${i} is all zeros; its cosine distance is undefined`,
          { fn, arg: 'matrix' },
        );
    }
  }
  // One float64 copy (a monomorphic array for the hot loops; the input may be float32).
  const x = m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const a = i * f;
    for (let j = i + 1; j < n; j++) {
      const b = j * f;
      let v = 0;
      if (metric === 'euclidean') {
        for (let c = 0; c < f; c++) {
          const t = x[a + c]! - x[b + c]!;
          v += t * t;
        }
        v = Math.sqrt(v);
      } else {
        for (let c = 0; c < f; c++) v += x[a + c]! * x[b + c]!;
        v = Math.max(0, 1 - v / (norms[i]! * norms[j]!));
      }
      d[at++] = v;
    }
  }
  return d;
}

/**
 * Agglomerative hierarchical clustering of the rows of a matrix (e.g. standardised treatment
 * signatures) and its dendrogram leaf order — the numbers and order of scipy's
 * `linkage(X, method, metric)` and `leaves_list` (same merge tree, ids and ordering, ties
 * resolved as scipy resolves them), by scipy's algorithms: O(n²) time, n(n − 1)/2 float64
 * distances in memory (10,000 rows: 400 MB).
 *
 * @param matrix `n × F`, finite, n ≥ 2.
 */
export function hierarchicalOrder(
  matrix: DenseMatrix,
  options?: HierarchicalOptions,
): HierarchicalResult {
  const fn = 'hierarchicalOrder';
  checkMatrix(fn, 'matrix', matrix);
  const { linkage, metric } = withDefaults(fn, DEFAULT_HIERARCHICAL_OPTIONS, options);
  checkOneOf(fn, 'options.linkage', linkage, ['average', 'ward', 'complete', 'single']);
  checkOneOf(fn, 'options.metric', metric, ['euclidean', 'cosine']);
  if (linkage === 'ward' && metric !== 'euclidean')
    throw invalidArgument(fn, 'options.metric', "'euclidean' with ward linkage", metric);
  const n = matrix.shape[0];
  if (n < 2) throw invalidArgument(fn, 'matrix', 'at least 2 rows', matrix.shape);
  const merges = linkageTree(pairwise(matrix, metric, fn), n, linkage);
  return { order: leaves(merges, n), merges: { data: merges, shape: [n - 1, 4] } };
}

/** Pre-order leaves of a linkage matrix, left child first (scipy's `leaves_list`). */
function leaves(merges: Float64Array, n: number): number[] {
  const out: number[] = [];
  const stack = [2 * n - 2];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id < n) out.push(id);
    else {
      const r = id - n;
      stack.push(merges[r * 4 + 1]!, merges[r * 4]!);
    }
  }
  return out;
}

/** Where {@link flatClusters} cuts the tree: into at most `count` clusters, or at a height. */
export type TreeCut = { count: number } | { distance: number };

/**
 * Flat clusters from a merge tree, as scipy's `fcluster` (minus 1: labels start at 0):
 * `{ distance: t }` keeps merges at height ≤ t (criterion `'distance'`); `{ count: k }` cuts at
 * the lowest height that leaves at most k clusters (criterion `'maxclust'`; with tied merge
 * heights that can be fewer than k; scipy never cuts below its second-lowest merge, so for
 * k ≥ n − 1 it gives at most n − 2 clusters where this gives n − 1). Clusters are numbered as scipy numbers them: depth first
 * from the root, a node's internal children before its single-sample children.
 *
 * @param merges the `(n − 1) × 4` linkage matrix of {@link hierarchicalOrder}.
 * @returns the cluster of each of the n rows.
 */
export function flatClusters(merges: DenseMatrix<Float64Array>, cut: TreeCut): Int32Array {
  const fn = 'flatClusters';
  checkMatrix(fn, 'merges', merges, { cols: 4 });
  const n = merges.shape[0] + 1;
  const heights = Array.from({ length: n - 1 }, (_, r) => merges.data[r * 4 + 2]!);
  let threshold: number;
  if (cut !== null && typeof cut === 'object' && 'count' in cut) {
    const k = checkInteger(fn, 'cut.count', cut.count, { min: 1 });
    threshold = lowestCut(heights, n, k);
  } else if (cut !== null && typeof cut === 'object' && 'distance' in cut) {
    threshold = checkNumber(fn, 'cut.distance', cut.distance, { min: 0 });
  } else throw invalidArgument(fn, 'cut', '{ count: k } or { distance: t }', cut);
  return cutAt(merges.data, n, heights, threshold);
}

/** The lowest of 0 and the merge heights at which at most k clusters are left (n − merges at ≤ h). */
function lowestCut(heights: number[], n: number, k: number): number {
  const sorted = Float64Array.from(heights).sort();
  let below = 0; // merges at ≤ h, h running over 0 and the heights in ascending order
  for (const h of [0, ...sorted]) {
    while (below < sorted.length && sorted[below]! <= h) below++;
    if (n - below <= k) return h;
  }
  return sorted[sorted.length - 1]!;
}

/**
 * Labels of the maximal subtrees at height ≤ threshold, numbered in scipy's `fcluster` walk
 * order: depth first from the root, a subtree's cluster numbered on entry, a node's leaf
 * children numbered after its internal children (left before right).
 */
function cutAt(z: Float64Array, n: number, heights: number[], threshold: number): Int32Array {
  const labels = new Int32Array(n).fill(-1);
  const visited = new Uint8Array(n - 1);
  const path = [n - 2];
  let leader = -1;
  let next = -1;
  while (path.length > 0) {
    const r = path.at(-1)!;
    const left = z[r * 4]!;
    const right = z[r * 4 + 1]!;
    if (leader === -1 && heights[r]! <= threshold) {
      leader = r;
      next++;
    }
    const child = [left, right].find((c) => c >= n && !visited[c - n]);
    if (child !== undefined) {
      visited[child - n] = 1;
      path.push(child - n);
      continue;
    }
    for (const c of [left, right])
      if (c < n) {
        if (leader === -1) next++;
        labels[c] = next;
      }
    if (leader === r) leader = -1;
    path.pop();
  }
  return labels;
}

/** Options of {@link hierarchicalClusters}: the linkage and metric, and where to cut. */
export type HierarchicalClustersOptions = HierarchicalOptions & TreeCut;

/**
 * Agglomerative clustering of samples into flat clusters: {@link hierarchicalOrder}'s merge tree
 * (scipy's `linkage`) cut by {@link flatClusters} (scipy's `fcluster`), e.g.
 * `hierarchicalClusters(X, { linkage: 'ward', count: 4 })`. O(n²) time and memory (see
 * {@link hierarchicalOrder}): up to about ten thousand samples.
 *
 * @param X `n × d` features, finite, n ≥ 2.
 */
export function hierarchicalClusters(
  X: AnalysisMatrix,
  options: HierarchicalClustersOptions,
): HierarchicalResult & { labels: Int32Array } {
  const fn = 'hierarchicalClusters';
  const m = analysisMatrix(fn, 'X', X, { minRows: 2 });
  checkObject(fn, 'options', options);
  const { linkage, metric } = options;
  const tree = hierarchicalOrder(m, { linkage, metric });
  const cut: TreeCut =
    'count' in options
      ? { count: options.count }
      : { distance: (options as { distance: number }).distance };
  return { ...tree, labels: flatClusters(tree.merges, cut) };
}
