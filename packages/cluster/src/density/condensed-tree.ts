import type { DenseMatrix } from '../dense-matrix.js';

/**
 * HDBSCAN's condensed tree: one row per (parent cluster, child) where the child is a sample
 * that falls out of the cluster or a new cluster born from a split, at λ = 1 / distance.
 * Clusters are numbered from n (the root) upwards in breadth-first order, so a child cluster's
 * id is larger than its parent's.
 */
export interface CondensedTree {
  /** Samples. */
  n: number;
  parent: Int32Array;
  child: Int32Array;
  lambda: Float64Array;
  /** Samples in the child (1 for a sample). */
  size: Int32Array;
  /** Clusters: n … n + clusters − 1. */
  clusters: number;
}

/**
 * Condenses a single-linkage tree (scipy linkage format) as the `hdbscan` package and
 * scikit-learn do: walking from the root, a split into two parts of ≥ `minClusterSize` samples
 * makes two new clusters; a smaller part falls out of its cluster sample by sample.
 */
export function condenseTree(
  merges: DenseMatrix<Float64Array>,
  minClusterSize: number,
): CondensedTree {
  const n = merges.shape[0] + 1;
  const z = merges.data;
  const sizeOf = (node: number) => (node < n ? 1 : z[(node - n) * 4 + 3]!);
  const rows = {
    parent: [] as number[],
    child: [] as number[],
    lambda: [] as number[],
    size: [] as number[],
  };
  const push = (p: number, c: number, l: number, s: number) => {
    rows.parent.push(p);
    rows.child.push(c);
    rows.lambda.push(l);
    rows.size.push(s);
  };
  const leavesOf = (node: number): number[] => {
    const out: number[] = [];
    const stack = [node];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v < n) out.push(v);
      else stack.push(z[(v - n) * 4]!, z[(v - n) * 4 + 1]!);
    }
    return out.sort((a, b) => a - b);
  };
  const root = 2 * n - 2;
  const label = new Map<number, number>([[root, n]]);
  let next = n + 1;
  const queue = n > 1 ? [root] : [];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    const r = node - n;
    const [left, right, dist] = [z[r * 4]!, z[r * 4 + 1]!, z[r * 4 + 2]!];
    const lambda = dist > 0 ? 1 / dist : Number.POSITIVE_INFINITY;
    const own = label.get(node)!;
    const big = [left, right].map((c) => sizeOf(c) >= minClusterSize);
    [left, right].forEach((c, i) => {
      if (big[0] && big[1]) {
        label.set(c, next++);
        push(own, label.get(c)!, lambda, sizeOf(c));
      } else if (big[i]) label.set(c, own);
      else {
        for (const leaf of leavesOf(c)) push(own, leaf, lambda, 1);
        return;
      }
      if (c >= n) queue.push(c);
    });
  }
  return {
    n,
    parent: Int32Array.from(rows.parent),
    child: Int32Array.from(rows.child),
    lambda: Float64Array.from(rows.lambda),
    size: Int32Array.from(rows.size),
    clusters: next - n,
  };
}
