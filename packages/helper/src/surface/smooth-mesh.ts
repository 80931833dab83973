import { checkInteger, invalidArgument, withDefaults } from '@cellshape/core';
import type { Mesh } from '../types.js';
import { validateMesh } from './validate-mesh.js';

/** Smoothing schemes of {@link smoothMesh}. */
export type SmoothMethod = 'laplacian' | 'taubin';

/** Options of {@link smoothMesh}. */
export interface SmoothMeshOptions {
  /** Smoothing passes. Default 10. */
  iterations?: number;
  /** Step towards the neighbours' mean per pass, in (0, 1]. Default 0.5. */
  lambda?: number;
  /**
   * `'laplacian'` (default): each pass moves every vertex `lambda` of the way to the mean of its
   * neighbours; shrinks the mesh. `'taubin'`: each pass is a `lambda` step followed by a
   * negative `mu` step, which smooths without shrinking (Taubin 1995).
   */
  method?: SmoothMethod;
  /**
   * Taubin's inflating step, negative with |mu| > lambda. Default: from a pass-band frequency of
   * 0.1, `mu = 1 / (0.1 − 1 / lambda)` (−0.526 for lambda 0.5). Ignored by `'laplacian'`.
   */
  mu?: number;
}

/** Defaults of {@link smoothMesh} (`mu` is derived from `lambda` when not given). */
export const DEFAULT_SMOOTH_MESH_OPTIONS: Readonly<Required<Omit<SmoothMeshOptions, 'mu'>>> = {
  iterations: 10,
  lambda: 0.5,
  method: 'laplacian',
};

const FN = 'smoothMesh';

/**
 * Smooths `mesh` by moving each vertex towards the mean of its edge neighbours (uniform
 * weights), `iterations` times. Faces are unchanged (copied). A vertex without neighbours stays
 * where it is and degenerate faces (repeated indices) add no self-neighbour, so the result never
 * holds NaN. The input is not modified.
 *
 * @returns A new mesh with smoothed `positions` (x, y, z, same units as the input).
 * @throws InvalidArgumentError on a malformed mesh or out-of-range options.
 */
export function smoothMesh(mesh: Mesh, options: SmoothMeshOptions = {}): Mesh {
  validateMesh(FN, 'mesh', mesh);
  const {
    iterations,
    lambda,
    method,
    mu: givenMu,
  } = withDefaults(FN, DEFAULT_SMOOTH_MESH_OPTIONS, options);
  checkInteger(FN, 'options.iterations', iterations, { min: 0 });
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1))
    throw invalidArgument(FN, 'options.lambda', 'a number in (0, 1]', lambda);
  let steps: number[];
  switch (method) {
    case 'laplacian':
      steps = [lambda];
      break;
    case 'taubin': {
      const mu = givenMu ?? 1 / (0.1 - 1 / lambda);
      // |mu| ≤ 1 keeps the highest frequencies from growing (no blow-up, hence no NaN).
      if (typeof mu !== 'number' || !(mu < -lambda && mu >= -1))
        throw invalidArgument(
          FN,
          'options.mu',
          `in [-1, -lambda) = [-1, ${-lambda})${givenMu === undefined ? ' (the default derived from lambda is not; pass mu or a lambda ≤ 0.9)' : ''}`,
          mu,
        );
      steps = [lambda, mu];
      break;
    }
    default: {
      const never: never = method;
      throw invalidArgument(FN, 'options.method', "'laplacian' or 'taubin'", never);
    }
  }

  const { offsets, neighbours } = adjacency(mesh);
  let current = Float64Array.from(mesh.positions);
  let next = new Float64Array(current.length);
  for (let it = 0; it < iterations; it++) {
    for (const step of steps) {
      for (let v = 0; v < offsets.length - 1; v++) {
        const start = offsets[v]!;
        const end = offsets[v + 1]!;
        const o = 3 * v;
        if (start === end) {
          next[o] = current[o]!;
          next[o + 1] = current[o + 1]!;
          next[o + 2] = current[o + 2]!;
          continue;
        }
        let sx = 0;
        let sy = 0;
        let sz = 0;
        for (let k = start; k < end; k++) {
          const n = 3 * neighbours[k]!;
          sx += current[n]!;
          sy += current[n + 1]!;
          sz += current[n + 2]!;
        }
        const inv = 1 / (end - start);
        next[o] = current[o]! + step * (sx * inv - current[o]!);
        next[o + 1] = current[o + 1]! + step * (sy * inv - current[o + 1]!);
        next[o + 2] = current[o + 2]! + step * (sz * inv - current[o + 2]!);
      }
      [current, next] = [next, current];
    }
  }
  return { positions: Float32Array.from(current), faces: mesh.faces.slice() };
}

/** Unique edge neighbours of every vertex in compressed-row form (self-loops dropped). */
function adjacency(mesh: Mesh): { offsets: Uint32Array; neighbours: Uint32Array } {
  const { faces } = mesh;
  const vertexCount = mesh.positions.length / 3;
  const degree = new Uint32Array(vertexCount + 1);
  const forEachEdge = (visit: (from: number, to: number) => void): void => {
    for (let f = 0; f < faces.length; f += 3) {
      const a = faces[f]!;
      const b = faces[f + 1]!;
      const c = faces[f + 2]!;
      if (a !== b) {
        visit(a, b);
        visit(b, a);
      }
      if (b !== c) {
        visit(b, c);
        visit(c, b);
      }
      if (c !== a) {
        visit(c, a);
        visit(a, c);
      }
    }
  };
  forEachEdge((from) => {
    degree[from + 1]!++;
  });
  for (let v = 0; v < vertexCount; v++) degree[v + 1]! += degree[v]!;
  const fill = degree.slice(0, vertexCount);
  const all = new Uint32Array(degree[vertexCount]!);
  forEachEdge((from, to) => {
    all[fill[from]!++] = to;
  });
  // Sort and deduplicate each vertex's list: an interior edge is listed once per adjacent face.
  const offsets = new Uint32Array(vertexCount + 1);
  let write = 0;
  for (let v = 0; v < vertexCount; v++) {
    const list = all.subarray(degree[v]!, degree[v + 1]!).sort();
    offsets[v] = write;
    let previous = -1;
    for (const neighbour of list) {
      // Writing never overtakes reading: `write` stays at or below the list's start + k.
      if (neighbour !== previous) all[write++] = neighbour;
      previous = neighbour;
    }
  }
  offsets[vertexCount] = write;
  return { offsets, neighbours: all.subarray(0, write) };
}
