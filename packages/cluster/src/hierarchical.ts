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

/** Linkage criteria of {@link hierarchicalOrder} (as scipy's `linkage(method=…)`). */
export type Linkage = 'average' | 'ward' | 'complete' | 'single';
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

function pairwise(m: DenseMatrix, metric: HierarchicalMetric, fn: string): Float64Array {
  const [n, f] = m.shape;
  const d = new Float64Array(n * n);
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
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let v = 0;
      switch (metric) {
        case 'euclidean': {
          for (let c = 0; c < f; c++) v += (m.data[i * f + c]! - m.data[j * f + c]!) ** 2;
          v = Math.sqrt(v);
          break;
        }
        case 'cosine': {
          for (let c = 0; c < f; c++) v += m.data[i * f + c]! * m.data[j * f + c]!;
          v = Math.max(0, 1 - v / (norms[i]! * norms[j]!));
          break;
        }
        default: {
          const never: never = metric;
          throw invalidArgument(fn, 'options.metric', "'euclidean' or 'cosine'", never);
        }
      }
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  return d;
}

/** Lance–Williams update: distance from the merge of i and j to k. */
function mergedDistance(
  linkage: Linkage,
  dik: number,
  djk: number,
  dij: number,
  ni: number,
  nj: number,
  nk: number,
): number {
  switch (linkage) {
    case 'single':
      return Math.min(dik, djk);
    case 'complete':
      return Math.max(dik, djk);
    case 'average':
      return (ni * dik + nj * djk) / (ni + nj);
    case 'ward': {
      const t = ni + nj + nk;
      return Math.sqrt(((ni + nk) * dik * dik + (nj + nk) * djk * djk - nk * dij * dij) / t);
    }
    default: {
      const never: never = linkage;
      throw invalidArgument('hierarchicalOrder', 'options.linkage', 'a linkage', never);
    }
  }
}

/**
 * Agglomerative hierarchical clustering of the rows of a matrix (e.g. standardised treatment
 * signatures) and its dendrogram leaf order — the numbers and order of scipy's
 * `linkage(X, method, metric)` and `leaves_list` (same merge tree, ids and ordering; ties
 * broken by the lowest row pair). Naive O(n³): meant for groups, not for many thousand cells.
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
  const d = pairwise(matrix, metric, fn);
  const active = new Uint8Array(n).fill(1);
  const size = new Float64Array(n).fill(1);
  // Slot i holds one active cluster; `node[i]` is its id in merge order (before sorting).
  const node = Array.from({ length: n }, (_, i) => i);
  const raw: Array<[number, number, number, number]> = [];
  for (let step = 0; step < n - 1; step++) {
    let bi = -1;
    let bj = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (active[j] && d[i * n + j]! < best) {
          best = d[i * n + j]!;
          bi = i;
          bj = j;
        }
      }
    }
    const ni = size[bi]!;
    const nj = size[bj]!;
    raw.push([node[bi]!, node[bj]!, best, ni + nj]);
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === bi || k === bj) continue;
      const v = mergedDistance(linkage, d[bi * n + k]!, d[bj * n + k]!, best, ni, nj, size[k]!);
      d[bi * n + k] = v;
      d[k * n + bi] = v;
    }
    active[bj] = 0;
    size[bi] = ni + nj;
    node[bi] = n + step;
  }
  // As scipy: sort merges by distance (stable), then renumber clusters in the sorted order.
  const order = raw.map((_, i) => i).sort((a, b) => raw[a]![2] - raw[b]![2]);
  const renamed = new Map<number, number>();
  for (let i = 0; i < n; i++) renamed.set(i, i);
  const merges = new Float64Array((n - 1) * 4);
  order.forEach((r, row) => {
    const [a, b, dist, count] = raw[r]!;
    const x = renamed.get(a)!;
    const y = renamed.get(b)!;
    merges.set([Math.min(x, y), Math.max(x, y), dist, count], row * 4);
    renamed.set(n + r, n + row);
  });
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
 * heights that can be fewer than k). Clusters are numbered as scipy numbers them: depth first
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
    // Clusters left at height h: n − (merges at ≤ h); the candidates are 0 and every height.
    const sorted = [0, ...heights].sort((a, b) => a - b);
    threshold = sorted.find((h) => n - heights.filter((v) => v <= h).length <= k)!;
  } else if (cut !== null && typeof cut === 'object' && 'distance' in cut) {
    threshold = checkNumber(fn, 'cut.distance', cut.distance, { min: 0 });
  } else throw invalidArgument(fn, 'cut', '{ count: k } or { distance: t }', cut);
  return cutAt(merges.data, n, heights, threshold);
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
 * `hierarchicalClusters(X, { linkage: 'ward', count: 4 })`. O(n³) time, O(n²) memory: for
 * hundreds to a few thousand samples (wells, treatments, a subsample of cells).
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
