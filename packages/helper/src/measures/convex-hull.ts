/// <reference path="./quickhull3d-bundle.d.ts" />
import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import quickhull from 'quickhull3d/dist/quickhull3d.js';
import { enclosedVolume } from '../surface/mesh-measures.js';
import type { Mesh, PointCloud } from '../types.js';

/**
 * The convex hull of 3-D points as a closed triangle mesh with outward, counter-clockwise
 * faces, holding only the hull's vertices. `points` is x, y, z per point (a Float32Array of
 * length 3n or a point cloud). Points that do not span 3-D (fewer than four, or all on one
 * plane or line) have no solid hull and throw an `InvalidArgumentError`.
 */
export function convexHull(points: Float32Array | PointCloud): Mesh {
  const fn = 'convexHull';
  const data = points instanceof Float32Array ? points : (points as PointCloud | null)?.data;
  if (!(data instanceof Float32Array) || data.length % 3 !== 0)
    throw invalidArgument(
      fn,
      'points',
      'a Float32Array of x, y, z triples or a point cloud',
      points,
    );
  return hullOf(fn, data);
}

/** {@link convexHull} on x, y, z triples, with errors naming `fn`. */
export function hullOf(fn: string, data: ArrayLike<number>): Mesh {
  const n = data.length / 3;
  const list: [number, number, number][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = data[3 * i] as number;
    const y = data[3 * i + 1] as number;
    const z = data[3 * i + 2] as number;
    // x − x is NaN exactly for NaN and ±Infinity.
    if (x - x + (y - y) + (z - z) !== 0)
      throw invalidArgument(fn, 'points', 'finite', `${x}, ${y}, ${z} at point ${i}`);
    list[i] = [x, y, z];
  }
  const flat = (): InvalidArgumentError =>
    new InvalidArgumentError(
      `${fn}: 'points' must span 3-D (at least four points not on one plane), got ${n} points without a solid hull`,
      { fn, arg: 'points' },
    );
  if (n < 4) throw flat();
  let faces: number[][];
  try {
    faces = quickhull(list);
  } catch (error) {
    throw new InvalidArgumentError(flat().message, { fn, arg: 'points', cause: error });
  }
  // Compact to the hull's own vertices.
  const remap = new Map<number, number>();
  const triangles = new Uint32Array(faces.length * 3);
  faces.forEach((face, t) => {
    for (let k = 0; k < 3; k++) {
      const index = face[k] as number;
      let id = remap.get(index);
      if (id === undefined) {
        id = remap.size;
        remap.set(index, id);
      }
      triangles[3 * t + k] = id;
    }
  });
  const positions = new Float32Array(remap.size * 3);
  for (const [index, id] of remap) positions.set(list[index] as [number, number, number], 3 * id);
  const mesh = { positions, faces: triangles };
  // quickhull3d returns a flat pair of faces for coplanar input instead of failing.
  const extent = Math.max(...[0, 1, 2].map((k) => spread(positions, k)));
  if (faces.length < 4 || Math.abs(enclosedVolume(mesh)) <= 1e-9 * extent ** 3) throw flat();
  return mesh;
}

function spread(positions: Float32Array, axis: number): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = axis; i < positions.length; i += 3) {
    lo = Math.min(lo, positions[i] as number);
    hi = Math.max(hi, positions[i] as number);
  }
  return hi - lo;
}
