import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import { principalAxes } from '../points/pca-pose.js';
import { marchingCubes, meshArea, meshVolume, validateMesh } from '../surface/index.js';
import { enclosedVolume, surfaceArea } from '../surface/mesh-measures.js';
import type { Mesh, Volume } from '../types.js';
import { assertVolume } from '../volume/assert-volume.js';
import { hullOf } from './convex-hull.js';

/**
 * The classical shape measures of the cellshape paper. Lengths are in the physical units of
 * the mesh positions or of the mask's voxel spacing; every vector is ordered x, y, z.
 */
export interface ShapeMeasures {
  /** Enclosed volume. */
  volume: number;
  /** Surface area. */
  surfaceArea: number;
  /** `π^(1/3) (6V)^(2/3) / A`: 1 for a sphere, smaller for any other shape. */
  sphericity: number;
  /** Size of the axis-aligned bounding box, `[x, y, z]`. */
  extents: [number, number, number];
  /**
   * `[major, intermediate, minor]` = `sqrt(20 λ)` for the eigenvalues λ of the solid's
   * covariance (scikit-image's 3-D `axis_major_length` / `axis_minor_length` convention:
   * exactly the full axes 2a, 2b, 2c of a solid ellipsoid).
   */
  principalAxisLengths: [number, number, number];
  /** `intermediate / major` (1 for a sphere, small for a rod). */
  elongation: number;
  /** `minor / intermediate` (1 for a sphere, small for a disc). */
  flatness: number;
  /** Volume of the convex hull. */
  convexHullVolume: number;
  /** `volume / convexHullVolume` (1 for a convex shape). */
  solidity: number;
  /** Centre of mass of the solid, `[x, y, z]`. */
  centroid: [number, number, number];
}

/** Assembles the measures from volume, area, extents, centroid, covariance and hull volume. */
function assemble(
  volume: number,
  surfaceArea: number,
  extents: [number, number, number],
  centroid: [number, number, number],
  covariance: number[][],
  convexHullVolume: number,
): ShapeMeasures {
  const lengths = principalAxes(covariance).values.map((l) => Math.sqrt(20 * l)) as [
    number,
    number,
    number,
  ];
  const [major, intermediate, minor] = lengths;
  return {
    volume,
    surfaceArea,
    sphericity: (Math.cbrt(Math.PI) * (6 * volume) ** (2 / 3)) / surfaceArea,
    extents,
    principalAxisLengths: lengths,
    elongation: major > 0 ? intermediate / major : 0,
    flatness: intermediate > 0 ? minor / intermediate : 0,
    convexHullVolume,
    solidity: volume / convexHullVolume,
    centroid,
  };
}

function extentsOf(positions: ArrayLike<number>): [number, number, number] {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3)
    for (let k = 0; k < 3; k++) {
      const v = positions[i + k] as number;
      if (v < (lo[k] as number)) lo[k] = v;
      if (v > (hi[k] as number)) hi[k] = v;
    }
  return [0, 1, 2].map((k) => (hi[k] as number) - (lo[k] as number)) as [number, number, number];
}

/**
 * Six times the solid's volume and its first and second moments (`m1[i]` = ∫ x_i, `m2[3i + j]`
 * = ∫ x_i x_j), summed over the tetrahedra (first vertex, face): relative to the first vertex,
 * to keep float64 cancellation small. Scalars only, no array per face: this loop runs over
 * every face of every converted object.
 */
function solidMoments(
  p: ArrayLike<number>,
  f: ArrayLike<number>,
): { v6: number; m1: number[]; m2: number[] } {
  const ox = p[0] as number;
  const oy = p[1] as number;
  const oz = p[2] as number;
  let v6 = 0;
  let m1x = 0;
  let m1y = 0;
  let m1z = 0;
  let xx = 0;
  let xy = 0;
  let xz = 0;
  let yy = 0;
  let yz = 0;
  let zz = 0;
  for (let t = 0; t < f.length; t += 3) {
    const a = 3 * (f[t] as number);
    const b = 3 * (f[t + 1] as number);
    const c = 3 * (f[t + 2] as number);
    const ax = (p[a] as number) - ox;
    const ay = (p[a + 1] as number) - oy;
    const az = (p[a + 2] as number) - oz;
    const bx = (p[b] as number) - ox;
    const by = (p[b + 1] as number) - oy;
    const bz = (p[b + 2] as number) - oz;
    const cx = (p[c] as number) - ox;
    const cy = (p[c + 1] as number) - oy;
    const cz = (p[c + 2] as number) - oz;
    const det = ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
    v6 += det;
    const sx = ax + bx + cx;
    const sy = ay + by + cy;
    const sz = az + bz + cz;
    m1x += (det * sx) / 24;
    m1y += (det * sy) / 24;
    m1z += (det * sz) / 24;
    // ∫ x_i x_j over the tetrahedron (0, a, b, c) = V/20 · (Σ p_i p_j + s_i s_j), V = det/6.
    const w = det / 120;
    xx += w * (ax * ax + bx * bx + cx * cx + sx * sx);
    xy += w * (ax * ay + bx * by + cx * cy + sx * sy);
    xz += w * (ax * az + bx * bz + cx * cz + sx * sz);
    yy += w * (ay * ay + by * by + cy * cy + sy * sy);
    yz += w * (ay * az + by * bz + cy * cz + sy * sz);
    zz += w * (az * az + bz * bz + cz * cz + sz * sz);
  }
  return { v6, m1: [m1x, m1y, m1z], m2: [xx, xy, xz, xy, yy, yz, xz, yz, zz] };
}

/**
 * Shape measures of a closed, outward-oriented triangle mesh. Volume, centroid and the
 * second moments are integrals over the enclosed solid, summed over the signed tetrahedra
 * that each face forms with a reference vertex (exact for a closed mesh); the principal axes
 * come from the solid's covariance (see {@link ShapeMeasures.principalAxisLengths}), the
 * extents from the vertices, the hull from the vertices' convex hull.
 */
export function meshShapeMeasures(mesh: Mesh): ShapeMeasures {
  const fn = 'meshShapeMeasures';
  validateMesh(fn, 'mesh', mesh);
  const { positions: p, faces: f } = mesh;
  const volume = enclosedVolume(mesh);
  if (f.length === 0 || !(volume > 0))
    throw new InvalidArgumentError(
      `${fn}: 'mesh' must be closed with outward faces (enclosing a positive volume), got volume ${volume}`,
      { fn, arg: 'mesh' },
    );
  const { v6, m1, m2 } = solidMoments(p, f);
  const solid = v6 / 6;
  const origin = [p[0] as number, p[1] as number, p[2] as number];
  const mean = m1.map((m) => m / solid);
  const covariance = [0, 1, 2].map((i) =>
    [0, 1, 2].map(
      (j) => (m2[3 * i + j] as number) / solid - (mean[i] as number) * (mean[j] as number),
    ),
  );
  const centroid = mean.map((m, k) => m + (origin[k] as number)) as [number, number, number];
  const hullVolume = enclosedVolume(hullOf(fn, p));
  return assemble(volume, surfaceArea(mesh), extentsOf(p), centroid, covariance, hullVolume);
}

/**
 * Shape measures of a binary mask (any nonzero voxel is foreground), in physical units from
 * `volume.spacing` (z, y, x; default 1). Conventions, chosen to agree with scikit-image:
 * the volume is the voxel count × voxel volume; the surface area is that of the marching-cubes
 * surface at level 0.5 of the mask padded by one empty voxel (so objects touching the border
 * are closed); voxel (z, y, x) is the point (x·sx, y·sy, z·sz), so the centroid and the
 * principal axes (covariance of the voxel centres, as `regionprops`) are in the frame of
 * `marchingCubes`; the extents are the bounding box of the voxel cubes ((max − min + 1) ×
 * spacing); the convex hull is that of the voxel cubes' corners, so a box has solidity 1
 * (scikit-image rasterises its hull instead and reports slightly different solidities).
 */
export function maskShapeMeasures(volume: Volume): ShapeMeasures {
  const fn = 'maskShapeMeasures';
  assertVolume(fn, 'volume', volume);
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  const [sz, sy, sx] = volume.spacing ?? [1, 1, 1];
  const scale = [sx, sy, sz];
  const padded = new Uint8Array((nz + 2) * (ny + 2) * (nx + 2));
  let count = 0;
  const sum = [0, 0, 0];
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const hullCorners: number[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      let first = -1;
      let last = -1;
      for (let x = 0; x < nx; x++) {
        const value = data[(z * ny + y) * nx + x] as number;
        if (Number.isNaN(value))
          throw invalidArgument(fn, 'volume.data', 'free of NaN', `NaN at [${z}, ${y}, ${x}]`);
        if (value === 0) continue;
        padded[((z + 1) * (ny + 2) + y + 1) * (nx + 2) + x + 1] = 1;
        count++;
        const q = [x, y, z];
        for (let k = 0; k < 3; k++) {
          sum[k]! += q[k] as number;
          lo[k] = Math.min(lo[k] as number, q[k] as number);
          hi[k] = Math.max(hi[k] as number, q[k] as number);
        }
        if (first < 0) first = x;
        last = x;
      }
      // Only the ends of each row can be corners of the hull of the voxel cubes.
      if (first >= 0)
        for (const x of first === last ? [first] : [first, last])
          for (const dz of [-0.5, 0.5])
            for (const dy of [-0.5, 0.5])
              for (const dx of [-0.5, 0.5])
                hullCorners.push((x + dx) * sx, (y + dy) * sy, (z + dz) * sz);
    }
  if (count === 0)
    throw invalidArgument(fn, 'volume', 'a mask with at least one foreground (nonzero) voxel');
  const mean = sum.map((s) => s / count);
  const covariance = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let z = lo[2] as number; z <= (hi[2] as number); z++)
    for (let y = lo[1] as number; y <= (hi[1] as number); y++)
      for (let x = lo[0] as number; x <= (hi[0] as number); x++) {
        if (data[(z * ny + y) * nx + x] === 0) continue;
        const d = [x - (mean[0] as number), y - (mean[1] as number), z - (mean[2] as number)];
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 3; j++) covariance[i]![j]! += (d[i] as number) * (d[j] as number);
      }
  const physicalCovariance = covariance.map((row, i) =>
    row.map((c, j) => (c / count) * (scale[i] as number) * (scale[j] as number)),
  );
  const surface = marchingCubes(
    { data: padded, shape: [nz + 2, ny + 2, nx + 2] },
    { level: 0.5, spacing: [sz, sy, sx] },
  );
  return assemble(
    count * sx * sy * sz,
    meshArea(surface),
    [0, 1, 2].map((k) => ((hi[k] as number) - (lo[k] as number) + 1) * (scale[k] as number)) as [
      number,
      number,
      number,
    ],
    mean.map((m, k) => m * (scale[k] as number)) as [number, number, number],
    physicalCovariance,
    meshVolume(hullOf(fn, hullCorners)),
  );
}
