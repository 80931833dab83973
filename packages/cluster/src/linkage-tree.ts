/**
 * The merge trees of agglomerative clustering in O(n²) time and O(n²/2) memory, by the
 * algorithms scipy's `linkage` uses (Müllner, "Modern hierarchical, agglomerative clustering
 * algorithms", 2011): the minimum spanning tree for single linkage, the nearest-neighbour chain
 * for the reducible criteria (average, complete, ward). Both visit candidates in scipy's order,
 * so ties resolve as scipy resolves them. The merges come out in scipy's linkage-matrix format:
 * sorted by height (stable), clusters renumbered by a union-find over the sorted rows.
 */

/** Linkage criteria (as scipy's `linkage(method=…)`). */
export type Linkage = 'average' | 'ward' | 'complete' | 'single';

/** Index of the pair i < j in a condensed (upper-triangle, row-major) distance vector of n rows. */
export function condensedIndex(n: number, i: number, j: number): number {
  return n * i - (i * (i + 1)) / 2 + j - i - 1;
}

/** Lance–Williams update: distance from the merge of x and y (sizes nx, ny) to i (size ni). */
function mergedDistance(
  linkage: Exclude<Linkage, 'single'>,
  dxi: number,
  dyi: number,
  dxy: number,
  nx: number,
  ny: number,
  ni: number,
): number {
  switch (linkage) {
    case 'complete':
      return Math.max(dxi, dyi);
    case 'average':
      return (nx * dxi + ny * dyi) / (nx + ny);
    case 'ward': {
      const t = 1 / (nx + ny + ni);
      return Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
    }
  }
}

/** Unsorted merges by slot: `[x, y, height, size]` rows, x and y the rows merged (scipy's `Z` before `label`). */
type RawMerges = Float64Array;

/** Single linkage: Prim's minimum spanning tree over the condensed distances (not modified). */
function minimumSpanningTree(d: Float64Array, n: number): RawMerges {
  const z = new Float64Array((n - 1) * 4);
  const merged = new Uint8Array(n);
  const nearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let x = 0;
  for (let k = 0; k < n - 1; k++) {
    merged[x] = 1;
    let best = Number.POSITIVE_INFINITY;
    let y = -1;
    for (let i = 0; i < n; i++) {
      if (merged[i]) continue;
      const dist = d[x < i ? condensedIndex(n, x, i) : condensedIndex(n, i, x)]!;
      if (nearest[i]! > dist) nearest[i] = dist;
      if (nearest[i]! < best || y === -1) {
        best = nearest[i]!;
        y = i;
      }
    }
    z.set([x, y, best, 0], k * 4);
    x = y;
  }
  return z;
}

/**
 * Where each row's pairs start in a condensed vector: pair i < j is at `start[i] + j`
 * (float64: n(n − 1)/2 passes 2³¹ past n ≈ 65,000).
 */
function rowStarts(n: number): Float64Array {
  const start = new Float64Array(n);
  for (let i = 0; i < n; i++) start[i] = condensedIndex(n, i, i + 1) - (i + 1);
  return start;
}

/**
 * x's nearest active neighbour in the condensed distances `d` (its pairs with i < x in column
 * x of the rows above, with i > x in row x): `[y, distance]`, starting from `prefer` (the
 * previous element of the chain, so that ties keep it and the chain cannot cycle; −1 for none)
 * and taking a later i only when strictly closer, as scipy does.
 */
function nearestActive(
  d: Float64Array,
  start: Float64Array,
  size: Float64Array,
  x: number,
  prefer: number,
): [number, number] {
  const n = size.length;
  let y = prefer;
  let best =
    prefer < 0
      ? Number.POSITIVE_INFINITY
      : d[prefer < x ? start[prefer]! + x : start[x]! + prefer]!;
  for (let i = 0; i < x; i++) {
    if (size[i] === 0) continue;
    const dist = d[start[i]! + x]!;
    if (dist < best || y === -1) [best, y] = [dist, i];
  }
  const row = start[x]!;
  for (let i = x + 1; i < n; i++) {
    if (size[i] === 0) continue;
    const dist = d[row + i]!;
    if (dist < best || y === -1) [best, y] = [dist, i];
  }
  return [y, best];
}

/**
 * Average, complete or ward linkage: the nearest-neighbour chain, merging mutual nearest
 * neighbours as they are found and updating `d` (condensed) in place by Lance–Williams.
 */
function nearestNeighbourChain(
  d: Float64Array,
  n: number,
  linkage: Exclude<Linkage, 'single'>,
): RawMerges {
  const start = rowStarts(n);
  const at = (i: number, j: number): number => (i < j ? start[i]! + j : start[j]! + i);
  const z = new Float64Array((n - 1) * 4);
  const size = new Float64Array(n).fill(1);
  const chain = new Int32Array(n);
  let length = 0;
  for (let k = 0; k < n - 1; k++) {
    if (length === 0) {
      chain[0] = size.findIndex((s) => s > 0);
      length = 1;
    }
    let x: number;
    let y: number;
    let best: number;
    for (;;) {
      x = chain[length - 1]!;
      [y, best] = nearestActive(d, start, size, x, length > 1 ? chain[length - 2]! : -1);
      if (length > 1 && y === chain[length - 2]) break;
      chain[length++] = y;
    }
    length -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x]!;
    const ny = size[y]!;
    z.set([x, y, best, nx + ny], k * 4);
    size[x] = 0; // x is dropped, y becomes the merged cluster
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      if (size[i] === 0 || i === y) continue;
      d[at(i, y)] = mergedDistance(linkage, d[at(i, x)]!, d[at(i, y)]!, best, nx, ny, size[i]!);
    }
  }
  return z;
}

/**
 * Sorts raw merges by height (stable) and renames their slots to cluster ids — rows are 0…n−1,
 * the cluster of sorted row r is n + r — with the smaller id first and the cluster size in
 * column 3 (scipy's `label`).
 */
function sortAndLabel(raw: RawMerges, n: number): Float64Array {
  const rows = Array.from({ length: n - 1 }, (_, r) => r).sort(
    (a, b) => raw[a * 4 + 2]! - raw[b * 4 + 2]!,
  );
  const parent = new Int32Array(2 * n - 1).map((_, i) => i);
  const count = new Float64Array(2 * n - 1).fill(1);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[i] !== root) [i, parent[i]] = [parent[i]!, root];
    return root;
  };
  const z = new Float64Array((n - 1) * 4);
  rows.forEach((r, row) => {
    const a = find(raw[r * 4]!);
    const b = find(raw[r * 4 + 1]!);
    const id = n + row;
    parent[a] = id;
    parent[b] = id;
    count[id] = count[a]! + count[b]!;
    z.set([Math.min(a, b), Math.max(a, b), raw[r * 4 + 2]!, count[id]!], row * 4);
  });
  return z;
}

/**
 * The linkage matrix (`(n − 1) × 4`, scipy's format) of condensed distances `d` between n ≥ 2
 * rows. `d` is overwritten (except for single linkage).
 */
export function linkageTree(d: Float64Array, n: number, linkage: Linkage): Float64Array {
  const raw =
    linkage === 'single' ? minimumSpanningTree(d, n) : nearestNeighbourChain(d, n, linkage);
  return sortAndLabel(raw, n);
}
