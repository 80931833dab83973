import { invalidArgument } from '@cellshape/core';
import type { Volume } from '../types.js';
import { assertNoNaN, assertVolume } from './assert-volume.js';

/** Voxel neighbourhoods: faces (6), faces + edges (18), faces + edges + corners (26). */
export type Connectivity = 6 | 18 | 26;

/** Options of {@link labelConnectedComponents}. */
export interface LabelConnectedComponentsOptions {
  /**
   * Which neighbours connect: 6 (faces), 18 (+ edges) or 26 (+ corners). Default 26, as
   * `skimage.measure.label` with its default full connectivity.
   */
  connectivity?: Connectivity;
  /**
   * Foreground test: a voxel is foreground when its value is `> threshold`. Default undefined:
   * any non-zero value is foreground (binary masks such as 0/1 or 0/255).
   */
  threshold?: number;
}

/** Defaults of {@link LabelConnectedComponentsOptions}. */
export const DEFAULT_LABEL_CONNECTED_COMPONENTS_OPTIONS: Readonly<{
  connectivity: Connectivity;
  threshold: number | undefined;
}> = { connectivity: 26, threshold: undefined };

/** The root of `a` in the union-find forest `parent`, halving the path on the way. */
function find(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]!]!;
    a = parent[a]!;
  }
  return a;
}

/** Offsets (dz, dy, dx) of the neighbours already visited in raster order. */
function backwardNeighbours(connectivity: Connectivity): [number, number, number][] {
  const maxSteps = connectivity === 6 ? 1 : connectivity === 18 ? 2 : 3;
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 0; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const before = dz < 0 || (dy < 0 && dz === 0) || (dx < 0 && dy === 0 && dz === 0);
        if (before && Math.abs(dz) + Math.abs(dy) + Math.abs(dx) <= maxSteps)
          out.push([dz, dy, dx]);
      }
    }
  }
  return out;
}

/**
 * Pass 1 of {@link labelConnectedComponents}: provisional labels, each foreground voxel merged
 * with its visited neighbours (union-find whose roots are the smallest label). Returns the
 * labels, the parent of every provisional label and the first unused one.
 */
function provisionalLabels(
  mask: Volume,
  connectivity: 6 | 18 | 26,
  threshold: number | undefined,
): { labels: Int32Array; parent: Int32Array; next: number } {
  const { data } = mask;
  const [nz, ny, nx] = mask.shape;
  const labels = new Int32Array(data.length);
  const neighbours = backwardNeighbours(connectivity);
  const k = neighbours.length;
  const ndz = Int32Array.from(neighbours, ([dz]) => dz);
  const ndy = Int32Array.from(neighbours, ([, dy]) => dy);
  const ndx = Int32Array.from(neighbours, ([, , dx]) => dx);
  const offsets = Int32Array.from(neighbours, ([dz, dy, dx]) => (dz * ny + dy) * nx + dx);
  let parent = new Int32Array(1024);
  let next = 1;
  const cut = threshold ?? 0;
  const nonZero = threshold === undefined;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const v = data[i]!;
        if (nonZero ? v === 0 : !(v > cut)) continue;
        let current = 0;
        for (let j = 0; j < k; j++) {
          const yy = y + ndy[j]!;
          const xx = x + ndx[j]!;
          if (z + ndz[j]! < 0 || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
          const other = labels[i + offsets[j]!]!;
          if (other === 0) continue;
          if (current === 0) {
            current = find(parent, other);
            continue;
          }
          const a = find(parent, other);
          if (a !== current) {
            const [low, high] = a < current ? [a, current] : [current, a];
            parent[high] = low;
            current = low;
          }
        }
        if (current === 0) {
          if (next === parent.length) {
            const grown = new Int32Array(parent.length * 2);
            grown.set(parent);
            parent = grown;
          }
          parent[next] = next;
          current = next++;
        }
        labels[i] = current;
      }
    }
  }
  return { labels, parent, next };
}

/** Pass 2: final labels 1..n in raster order of each component's first voxel, in place. */
function renumberInRasterOrder(labels: Int32Array, parent: Int32Array, next: number): void {
  const final = new Int32Array(next);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    const provisional = labels[i]!;
    if (provisional === 0) continue;
    const root = find(parent, provisional);
    if (final[root] === 0) final[root] = ++count;
    labels[i] = final[root]!;
  }
}

/**
 * Labels the connected components of a binary mask (non-zero, or `> threshold`, is foreground):
 * returns an Int32 label volume of the same shape and spacing where background is 0 and the
 * components are 1..n, numbered in raster order (z, then y, then x) of their first voxel, as
 * `skimage.measure.label` numbers them. Two-pass union-find on typed arrays.
 * A 2-D mask is a [1, y, x] volume (26 and 18 then both mean 8-connected, 6 means 4-connected).
 */
export function labelConnectedComponents(
  mask: Volume,
  options?: LabelConnectedComponentsOptions,
): Volume<Int32Array> {
  const fn = 'labelConnectedComponents';
  assertVolume(fn, 'mask', mask);
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw invalidArgument(fn, 'options', 'an object or undefined', options);
  const connectivity =
    options?.connectivity ?? DEFAULT_LABEL_CONNECTED_COMPONENTS_OPTIONS.connectivity;
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26)
    throw invalidArgument(fn, 'options.connectivity', '6, 18 or 26', connectivity);
  const threshold = options?.threshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || Number.isNaN(threshold)))
    throw invalidArgument(fn, 'options.threshold', 'a number or undefined', threshold);
  assertNoNaN(fn, 'mask.data', mask.data);

  const [nz, ny, nx] = mask.shape;
  const { labels, parent, next } = provisionalLabels(mask, connectivity, threshold);
  renumberInRasterOrder(labels, parent, next);
  const out: Volume<Int32Array> = { data: labels, shape: [nz, ny, nx] };
  if (mask.spacing) out.spacing = [...mask.spacing];
  return out;
}
