import {
  checkBoolean,
  checkNumber,
  createRng,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { Mesh, PointCloud } from '../types.js';
import { faceCross } from './mesh-measures.js';
import { validateMesh } from './validate-mesh.js';

/** Options of {@link samplePoints}. */
export interface SamplePointsOptions {
  /** Seed of the random generator; the same seed gives the same points. Default 0. */
  seed?: number;
  /** Also return the unit normal of the face each point lies on. Default false. */
  normals?: boolean;
}

/** Defaults of {@link samplePoints}. */
export const DEFAULT_SAMPLE_POINTS_OPTIONS: Readonly<Required<SamplePointsOptions>> = {
  seed: 0,
  normals: false,
};

/** The default number of points, as the cellshape point-cloud models expect. */
export const DEFAULT_SAMPLE_COUNT = 2048;

const FN = 'samplePoints';

/**
 * Samples `n` points uniformly over the surface of `mesh`: a face is chosen with probability
 * proportional to its area (cumulative areas and a binary search), then a uniform point in it
 * from barycentric coordinates (u, v), reflected into the triangle when u + v > 1.
 * Reproducible: the same mesh, `n` and `seed` give the same points.
 *
 * @param n Number of points, a positive integer (default 2048).
 * @returns A point cloud `{ data, shape: [n, 3] }` of x, y, z in the mesh's units; with
 *   `normals: true` also `normals` (n × 3 unit face normals, outward for a mesh oriented as
 *   {@link marchingCubes} orients it).
 * @throws InvalidArgumentError on a malformed mesh, a bad `n` or options, or a mesh of zero
 *   total area (nothing to sample).
 */
export function samplePoints(
  mesh: Mesh,
  n: number = DEFAULT_SAMPLE_COUNT,
  options: SamplePointsOptions = {},
): PointCloud {
  validateMesh(FN, 'mesh', mesh);
  if (!Number.isInteger(n) || n < 1) throw invalidArgument(FN, 'n', 'a positive integer', n);
  const { seed, normals } = withDefaults(FN, DEFAULT_SAMPLE_POINTS_OPTIONS, options);
  checkNumber(FN, 'options.seed', seed);
  checkBoolean(FN, 'options.normals', normals);

  const { positions: p, faces } = mesh;
  const faceCount = faces.length / 3;
  const cumulative = new Float64Array(faceCount);
  let total = 0;
  let lastPositive = -1;
  for (let f = 0; f < faceCount; f++) {
    const a = 3 * faces[3 * f]!;
    const b = 3 * faces[3 * f + 1]!;
    const c = 3 * faces[3 * f + 2]!;
    // Cross product written out: this loop runs over every face on every call.
    const ux = p[b]! - p[a]!;
    const uy = p[b + 1]! - p[a + 1]!;
    const uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!;
    const vy = p[c + 1]! - p[a + 1]!;
    const vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    const area = 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (area > 0) lastPositive = f;
    total += area;
    cumulative[f] = total;
  }
  if (!(total > 0) || !Number.isFinite(total))
    throw new InvalidArgumentError(
      `${FN}: 'mesh' must have a positive surface area to sample, got ${total} (${faceCount} faces)`,
      { fn: FN, arg: 'mesh' },
    );

  const rng = createRng(seed);
  const data = new Float32Array(3 * n);
  const normalData = normals ? new Float32Array(3 * n) : undefined;
  for (let i = 0; i < n; i++) {
    // The first face whose cumulative area exceeds the draw (zero-area faces never qualify).
    const target = rng.next() * total;
    let lo = 0;
    let hi = faceCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    const f = lo < faceCount ? lo : lastPositive;
    let u = rng.next();
    let v = rng.next();
    if (u + v > 1) {
      u = 1 - u;
      v = 1 - v;
    }
    const a = 3 * faces[3 * f]!;
    const b = 3 * faces[3 * f + 1]!;
    const c = 3 * faces[3 * f + 2]!;
    for (let k = 0; k < 3; k++) {
      const origin = p[a + k]!;
      data[3 * i + k] = origin + u * (p[b + k]! - origin) + v * (p[c + k]! - origin);
    }
    if (normalData) {
      const [nx, ny, nz] = faceCross(p, a, b, c);
      const length = Math.sqrt(nx * nx + ny * ny + nz * nz);
      normalData[3 * i] = nx / length;
      normalData[3 * i + 1] = ny / length;
      normalData[3 * i + 2] = nz / length;
    }
  }
  return normalData ? { data, shape: [n, 3], normals: normalData } : { data, shape: [n, 3] };
}
