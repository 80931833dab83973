import type { CondensedTree } from './condensed-tree.js';

/** How HDBSCAN picks flat clusters from the condensed tree. */
export type ClusterSelectionMethod = 'eom' | 'leaf';

/** The cluster part of a condensed tree: children and birth λ of every cluster (index: id − n). */
interface ClusterTree {
  children: number[][];
  birth: Float64Array;
  parentOf: Int32Array;
}

function clusterTree(t: CondensedTree): ClusterTree {
  const children: number[][] = Array.from({ length: t.clusters }, () => []);
  const birth = new Float64Array(t.clusters);
  const parentOf = new Int32Array(t.clusters).fill(-1);
  for (let r = 0; r < t.child.length; r++) {
    const c = t.child[r]!;
    if (c < t.n) continue;
    children[t.parent[r]! - t.n]!.push(c - t.n);
    birth[c - t.n] = t.lambda[r]!;
    parentOf[c - t.n] = t.parent[r]! - t.n;
  }
  return { children, birth, parentOf };
}

/** Stability of each cluster: Σ over its rows of (λ − λ_birth) · size (hdbscan's `compute_stability`). */
function stabilities(t: CondensedTree, ct: ClusterTree): Float64Array {
  const s = new Float64Array(t.clusters);
  for (let r = 0; r < t.child.length; r++) {
    const p = t.parent[r]! - t.n;
    s[p]! += (t.lambda[r]! - ct.birth[p]!) * t.size[r]!;
  }
  return s;
}

function descendants(ct: ClusterTree, c: number): number[] {
  const out: number[] = [];
  const stack = [...ct.children[c]!];
  while (stack.length > 0) {
    const v = stack.pop()!;
    out.push(v);
    stack.push(...ct.children[v]!);
  }
  return out;
}

/**
 * The selected clusters (indices id − n, ascending), as the `hdbscan` package's `get_clusters`:
 * excess of mass (a cluster wins over its descendants when its stability is at least theirs) or
 * the leaves of the cluster tree, then merged upwards to clusters born at distance >
 * `epsilon` (cluster_selection_epsilon). The root is a candidate only with `allowSingleCluster`.
 */
export function selectClusters(
  t: CondensedTree,
  method: ClusterSelectionMethod,
  epsilon: number,
  allowSingleCluster: boolean,
): number[] {
  const ct = clusterTree(t);
  let selected: number[];
  if (method === 'eom') {
    const stability = stabilities(t, ct);
    const chosen = new Uint8Array(t.clusters);
    for (let c = t.clusters - 1; c >= (allowSingleCluster ? 0 : 1); c--) {
      const sub = ct.children[c]!.reduce((a, v) => a + stability[v]!, 0);
      if (sub > stability[c]!) stability[c] = sub;
      else {
        chosen[c] = 1;
        for (const v of descendants(ct, c)) chosen[v] = 0;
      }
    }
    selected = [...chosen.keys()].filter((c) => chosen[c]);
    const onlyRoot = selected.length === 1 && selected[0] === 0;
    if (epsilon > 0 && t.clusters > 1)
      selected = onlyRoot ? selected : epsilonSearch(ct, selected, epsilon, allowSingleCluster);
  } else {
    const leaves = [...ct.children.keys()].filter((c) => c > 0 && ct.children[c]!.length === 0);
    // No split at all: no leaves, so no cluster (as hdbscan, even with allowSingleCluster).
    selected = leaves;
    if (epsilon > 0 && t.clusters > 1)
      selected = epsilonSearch(ct, leaves, epsilon, allowSingleCluster);
  }
  return [...new Set(selected)].sort((a, b) => a - b);
}

function epsilonSearch(ct: ClusterTree, leaves: number[], epsilon: number, allowSingle: boolean) {
  const out: number[] = [];
  const processed = new Set<number>();
  for (const leaf of [...leaves].sort((a, b) => a - b)) {
    if (1 / ct.birth[leaf]! >= epsilon) {
      out.push(leaf);
      continue;
    }
    if (processed.has(leaf)) continue;
    const up = upwards(ct, leaf, epsilon, allowSingle);
    out.push(up);
    for (const v of descendants(ct, up)) processed.add(v);
  }
  return out;
}

/** The first ancestor born at a distance > epsilon (the root only with allowSingleCluster). */
function upwards(ct: ClusterTree, leaf: number, epsilon: number, allowSingle: boolean): number {
  const parent = ct.parentOf[leaf]!;
  if (parent === 0) return allowSingle ? 0 : leaf;
  if (1 / ct.birth[parent]! > epsilon) return parent;
  return upwards(ct, parent, epsilon, allowSingle);
}

/** Labels, membership probabilities and GLOSH outlier scores from the selected clusters. */
export function labelSamples(
  t: CondensedTree,
  selected: number[],
  epsilon: number,
  allowSingleCluster: boolean,
): { labels: Int32Array; probabilities: Float64Array; outlierScores: Float64Array } {
  const { n } = t;
  const label = new Map(selected.map((c, i) => [c, i]));
  // The cluster of every condensed-tree node: itself if selected, else its parent's.
  const owner = new Int32Array(t.clusters).fill(-1);
  const ct = clusterTree(t);
  for (let c = 0; c < t.clusters; c++)
    owner[c] = label.has(c) ? c : c === 0 ? -1 : owner[ct.parentOf[c]!]!;
  const death = new Float64Array(t.clusters); // largest λ of any row of the cluster
  for (let r = 0; r < t.child.length; r++) {
    const p = t.parent[r]! - n;
    death[p] = Math.max(death[p]!, t.lambda[r]!);
  }
  const labels = new Int32Array(n).fill(-1);
  const probabilities = new Float64Array(n);
  const singleRoot = selected.length === 1 && selected[0] === 0 && allowSingleCluster;
  for (let r = 0; r < t.child.length; r++) {
    const point = t.child[r]!;
    if (point >= n) continue;
    const cluster = owner[t.parent[r]! - n]!;
    if (cluster < 0) continue;
    const lambda = t.lambda[r]!;
    if (cluster === 0) {
      if (!singleRoot) continue;
      const threshold = epsilon > 0 ? 1 / epsilon : death[0]!;
      if (!(lambda >= threshold)) continue;
    }
    labels[point] = label.get(cluster)!;
    const max = death[cluster]!;
    probabilities[point] = max === 0 || !Number.isFinite(lambda) ? 1 : Math.min(lambda, max) / max;
  }
  return { labels, probabilities, outlierScores: glosh(t, ct, death) };
}

/** GLOSH outlier scores (hdbscan's `outlier_scores`): 1 − λ_point / max λ of its cluster's subtree. */
function glosh(t: CondensedTree, ct: ClusterTree, death: Float64Array): Float64Array {
  const deepest = Float64Array.from(death);
  for (let c = t.clusters - 1; c > 0; c--) {
    const p = ct.parentOf[c]!;
    deepest[p] = Math.max(deepest[p]!, deepest[c]!);
  }
  const scores = new Float64Array(t.n);
  for (let r = 0; r < t.child.length; r++) {
    const point = t.child[r]!;
    if (point >= t.n) continue;
    const max = deepest[t.parent[r]! - t.n]!;
    const lambda = t.lambda[r]!;
    scores[point] = max === 0 || !Number.isFinite(lambda) ? 0 : (max - lambda) / max;
  }
  return scores;
}
