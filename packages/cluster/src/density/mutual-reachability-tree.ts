import { type ProgressCallback, progressReporter } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';
import type { PreparedRows } from '../metrics/pairwise-distance.js';
import type { WasmDotBlock } from '../metrics/wasm/dot-block.js';

/**
 * The single-linkage tree of the mutual reachability distance max(core_i, core_j, d(i, j)):
 * its minimum spanning tree by Prim's algorithm on the dense graph (distances computed on the
 * fly, O(n²·d) time, O(n) memory), then merges in ascending order of distance with a union–find,
 * in scipy's linkage format: row r merges clusters `[a, b]` at distance `[2]` into a cluster of
 * `[3]` samples with id n + r. Progress: phase `'spanning tree'`, in edges.
 */
export function mutualReachabilityTree(
  p: PreparedRows,
  core: Float64Array,
  onProgress?: ProgressCallback,
): DenseMatrix<Float64Array> {
  const tick = progressReporter(onProgress, 'spanning tree', p.n - 1);
  const edges =
    p.simd === undefined ? primEdges(p, core, tick) : primEdgesSimd(p, p.simd, core, tick);
  return singleLinkage(edges, p.n);
}

function primEdges(p: PreparedRows, core: Float64Array, tick: (done: number) => void) {
  const { n, d, data, sqNorms, metric } = p;
  const inTree = new Uint8Array(n);
  const reach = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array(n);
  const edges = { a: new Int32Array(n - 1), b: new Int32Array(n - 1), w: new Float64Array(n - 1) };
  let u = 0;
  for (let step = 0; step < n - 1; step++) {
    inTree[u] = 1;
    const cu = core[u]!;
    const xu = u * d;
    let next = -1;
    let nextReach = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (inTree[j]) continue;
      // Only pairs that can improve j's reach need their distance (core bounds it below).
      if (cu < reach[j]! && core[j]! < reach[j]!) {
        const dot = rowDot(data, xu, j * d, d);
        const dist =
          metric === 'euclidean'
            ? Math.sqrt(Math.max(0, sqNorms[u]! + sqNorms[j]! - 2 * dot))
            : Math.min(2, Math.max(0, 1 - dot));
        const m = Math.max(cu, core[j]!, dist);
        if (m < reach[j]!) {
          reach[j] = m;
          from[j] = u;
        }
      }
      if (reach[j]! < nextReach) {
        nextReach = reach[j]!;
        next = j;
      }
    }
    edges.a[step] = from[next]!;
    edges.b[step] = next;
    edges.w[step] = nextReach;
    u = next;
    tick(step + 1);
  }
  return edges;
}

/**
 * Prim's algorithm as {@link primEdges}, the products of the newest tree node with the samples
 * still outside the tree computed in WebAssembly SIMD: those samples are kept at the end of the
 * kernel's row memory (a sample joining the tree swaps to the front), so each step is one
 * contiguous row product; their reach, core distance and squared norm move along, so the scan
 * reads memory in order.
 */
function primEdgesSimd(
  p: PreparedRows,
  simd: WasmDotBlock,
  core: Float64Array,
  tick: (done: number) => void,
) {
  const { n, metric } = p;
  const order = Int32Array.from({ length: n }, (_, i) => i); // sample at each memory row
  const where = Int32Array.from({ length: n }, (_, i) => i); // memory row of each sample
  const reach = new Float64Array(n).fill(Number.POSITIVE_INFINITY); // by memory row
  const from = new Int32Array(n); // by memory row
  const coreAt = Float64Array.from(core);
  const sq = Float64Array.from(p.sqNorms);
  const edges = { a: new Int32Array(n - 1), b: new Int32Array(n - 1), w: new Float64Array(n - 1) };
  const swap = (x: Float64Array | Int32Array, a: number, b: number) => {
    [x[a], x[b]] = [x[b]!, x[a]!];
  };
  const join = (sample: number, row: number) => {
    const at = where[sample]!;
    simd.swap(at, row);
    for (const x of [order, reach, from, coreAt, sq]) swap(x, at, row);
    where[order[at]!] = at;
    where[sample] = row;
  };
  let u = 0;
  for (let step = 0; step < n - 1; step++) {
    join(u, step); // rows [0, step] hold the tree, (step, n) the rest
    const cu = coreAt[step]!;
    const su = sq[step]!;
    const first = step + 1 - ((step + 1) % 4); // the kernel starts rows on multiples of 4
    const dots = simd.row(step, first, n);
    let next = -1;
    let nextReach = Number.POSITIVE_INFINITY;
    for (let r = step + 1; r < n; r++) {
      let rr = reach[r]!;
      const cj = coreAt[r]!;
      if (cu < rr && cj < rr) {
        const dot = dots[r - first]!;
        const dist =
          metric === 'euclidean'
            ? Math.sqrt(Math.max(0, su + sq[r]! - 2 * dot))
            : Math.min(2, Math.max(0, 1 - dot));
        const m = Math.max(cu, cj, dist);
        if (m < rr) {
          reach[r] = rr = m;
          from[r] = u;
        }
      }
      if (rr < nextReach || (rr === nextReach && order[r]! < next)) {
        nextReach = rr;
        next = order[r]!;
      }
    }
    edges.a[step] = from[where[next]!]!;
    edges.b[step] = next;
    edges.w[step] = nextReach;
    u = next;
    tick(step + 1);
  }
  return edges;
}

function singleLinkage(
  edges: { a: Int32Array; b: Int32Array; w: Float64Array },
  n: number,
): DenseMatrix<Float64Array> {
  const order = Array.from(edges.w.keys()).sort((x, y) => edges.w[x]! - edges.w[y]! || x - y);
  const parent = new Int32Array(2 * n - 1).map((_, i) => i);
  const size = new Float64Array(2 * n - 1).fill(1);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const up = parent[x]!;
      parent[x] = r;
      x = up;
    }
    return r;
  };
  const merges = new Float64Array((n - 1) * 4);
  order.forEach((e, r) => {
    const ra = find(edges.a[e]!);
    const rb = find(edges.b[e]!);
    const id = n + r;
    merges.set([ra, rb, edges.w[e]!, size[ra]! + size[rb]!], r * 4);
    parent[ra] = id;
    parent[rb] = id;
    size[id] = size[ra]! + size[rb]!;
  });
  return { data: merges, shape: [n - 1, 4] };
}

/** x_a · x_b with four independent sums (a single running sum waits on every addition). */
function rowDot(x: Float64Array, a: number, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 3 < d; c += 4) {
    s0 += x[a + c]! * x[b + c]!;
    s1 += x[a + c + 1]! * x[b + c + 1]!;
    s2 += x[a + c + 2]! * x[b + c + 2]!;
    s3 += x[a + c + 3]! * x[b + c + 3]!;
  }
  for (; c < d; c++) s0 += x[a + c]! * x[b + c]!;
  return s0 + s1 + (s2 + s3);
}
