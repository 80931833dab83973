/**
 * Implicit cell shapes: a body ellipsoid (with a low-frequency random-field perturbation)
 * smoothly united with extra primitives (spheres, tapered capsules), all in a local frame
 * measured in units of the body radius. {@link rasteriseShape} evaluates the field on a cubic
 * voxel grid after a rotation and a scale. Fields are signed-distance-like: negative inside.
 */
import { invalidArgument, type Rng } from '@cellshape/core';

export type Vec3 = [number, number, number];

/** A sphere of `radius` at `centre` (local units). */
export interface SpherePrimitive {
  kind: 'sphere';
  centre: Vec3;
  radius: number;
}

/** A capsule from `a` (radius `ra`) to `b` (radius `rb`), tapering linearly (local units). */
export interface CapsulePrimitive {
  kind: 'capsule';
  a: Vec3;
  b: Vec3;
  ra: number;
  rb: number;
}

export type Primitive = SpherePrimitive | CapsulePrimitive;

/** A cell shape in its local frame, in units of the body radius. */
export interface ImplicitShape {
  /** Semi-axes of the body ellipsoid centred at the origin, along local x, y, z. */
  body: Vec3;
  /** Primitives smoothly united with the body (not perturbed by the noise). */
  extras: Primitive[];
  /** Width of the polynomial smooth union (0: plain union). */
  blend: number;
  /** Random plane waves: kx, ky, kz, phase per wave (wave vectors in local units). */
  waves: Float64Array;
  /** Noise amplitude: the standard deviation of the body-surface perturbation. */
  amplitude: number;
}

/** Number of plane waves in the body's random field. */
const WAVES = 6;

/** A uniformly distributed unit vector. */
export function randomDirection(rng: Rng): Vec3 {
  const z = rng.uniform(-1, 1);
  const phi = rng.uniform(0, 2 * Math.PI);
  const r = Math.sqrt(1 - z * z);
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

/**
 * Low-frequency random field on the body: `WAVES` plane waves with random directions,
 * wave numbers in [1.2, 2.4] per body radius (one to two bumps around the cell) and phases.
 */
export function randomWaves(rng: Rng): Float64Array {
  const waves = new Float64Array(WAVES * 4);
  for (let m = 0; m < WAVES; m++) {
    const [dx, dy, dz] = randomDirection(rng);
    const k = rng.uniform(1.2, 2.4);
    waves.set([k * dx, k * dy, k * dz, rng.uniform(0, 2 * Math.PI)], m * 4);
  }
  return waves;
}

/** The radius of a sphere about the origin that contains the shape (local units). */
export function shapeExtent(shape: ImplicitShape): number {
  // The noise sum is normalised to unit variance; 3 standard deviations bound it in practice,
  // and the rasteriser's margin clip is the hard guarantee.
  let extent = Math.max(...shape.body) + 3 * shape.amplitude;
  for (const p of shape.extras) {
    switch (p.kind) {
      case 'sphere':
        extent = Math.max(extent, Math.hypot(...p.centre) + p.radius);
        break;
      case 'capsule':
        extent = Math.max(extent, Math.hypot(...p.a) + p.ra, Math.hypot(...p.b) + p.rb);
        break;
      default: {
        const never: never = p;
        throw invalidArgument('shapeExtent', 'primitive', 'a sphere or a capsule', never);
      }
    }
  }
  // A polynomial smooth union bulges out by at most blend / 4.
  return extent + shape.blend / 4;
}

/** Placement of a shape on the grid. */
export interface Placement {
  /** Grid edge in voxels. */
  size: number;
  /** Voxels of the body radius (the local unit). */
  scale: number;
  /** Row-major 3 × 3 rotation from grid (x, y, z) to local axes. */
  rotation: number[];
  /** Voxels on each face that stay 0. */
  margin: number;
  /** Smallest capsule radius in voxels, so thin protrusions survive voxelisation. */
  minThickness: number;
}

/** The extras with every capsule radius raised to at least `minRadius` (local units). */
function thickenCapsules(extras: Primitive[], minRadius: number): Primitive[] {
  return extras.map((p) =>
    p.kind === 'capsule'
      ? {
          ...p,
          ra: Math.max(p.ra, minRadius),
          rb: Math.max(p.rb, minRadius),
        }
      : p,
  );
}

/** Per-axis sin/cos tables of the plane waves in grid coordinates, `m` rows of `size`. */
interface WaveTables {
  m: number;
  sinX: Float64Array;
  cosX: Float64Array;
  sinY: Float64Array;
  cosY: Float64Array;
  sinZ: Float64Array;
  cosZ: Float64Array;
}

/**
 * Plane waves in grid coordinates: k·q with q = R p / scale is (Rᵀ k / scale)·p, which is
 * separable over the axes, so sin/cos per axis are tabulated once.
 */
function tabulateWaves(
  waves: Float64Array,
  r: number[],
  inv: number,
  size: number,
  c: number,
): WaveTables {
  const m = waves.length / 4;
  const sinX = new Float64Array(m * size);
  const cosX = new Float64Array(m * size);
  const sinY = new Float64Array(m * size);
  const cosY = new Float64Array(m * size);
  const sinZ = new Float64Array(m * size);
  const cosZ = new Float64Array(m * size);
  for (let w = 0; w < m; w++) {
    const kx = waves[w * 4]!;
    const ky = waves[w * 4 + 1]!;
    const kz = waves[w * 4 + 2]!;
    const phase = waves[w * 4 + 3]!;
    const gx = (r[0]! * kx + r[3]! * ky + r[6]! * kz) * inv;
    const gy = (r[1]! * kx + r[4]! * ky + r[7]! * kz) * inv;
    const gz = (r[2]! * kx + r[5]! * ky + r[8]! * kz) * inv;
    for (let i = 0; i < size; i++) {
      const d = i - c;
      sinX[w * size + i] = Math.sin(gx * d + phase);
      cosX[w * size + i] = Math.cos(gx * d + phase);
      sinY[w * size + i] = Math.sin(gy * d);
      cosY[w * size + i] = Math.cos(gy * d);
      sinZ[w * size + i] = Math.sin(gz * d);
      cosZ[w * size + i] = Math.cos(gz * d);
    }
  }
  return { m, sinX, cosX, sinY, cosY, sinZ, cosZ };
}

/** The field's constants, in grid terms where needed. */
interface FieldSetup {
  /** Grid edge, grid centre, first and last voxel inside the margin, reach of the shape (voxels). */
  size: number;
  c: number;
  lo: number;
  hi: number;
  extent: number;
  /** Rotation and 1 / scale (grid to local). */
  r: number[];
  inv: number;
  /** Squared semi-axes and smallest semi-axis of the body. */
  ax2: number;
  ay2: number;
  az2: number;
  minAxis: number;
  extras: Primitive[];
  /** Smooth-union width. */
  k: number;
  noiseGain: number;
}

/** The kernel: evaluates the field on every voxel of the rows that reach the shape. */
function fillMask(out: Uint8Array, setup: FieldSetup, tables: WaveTables): void {
  const { size, c, lo, hi, extent, r, inv, ax2, ay2, az2, minAxis, extras, k, noiseGain } = setup;
  const { m, sinX, cosX, sinY, cosY, sinZ, cosZ } = tables;
  const sinYZ = new Float64Array(m);
  const cosYZ = new Float64Array(m);

  for (let z = lo; z <= hi; z++) {
    const dz = z - c;
    for (let y = lo; y <= hi; y++) {
      const dy = y - c;
      const reach2 = extent * extent - dz * dz - dy * dy;
      if (reach2 <= 0) continue;
      const reach = Math.sqrt(reach2);
      const x0 = Math.max(lo, Math.ceil(c - reach));
      const x1 = Math.min(hi, Math.floor(c + reach));
      for (let w = 0; w < m; w++) {
        const sy = sinY[w * size + y]!;
        const cy = cosY[w * size + y]!;
        const sz = sinZ[w * size + z]!;
        const cz = cosZ[w * size + z]!;
        sinYZ[w] = sy * cz + cy * sz;
        cosYZ[w] = cy * cz - sy * sz;
      }
      const row = (z * size + y) * size;
      for (let x = x0; x <= x1; x++) {
        const dx = x - c;
        const qx = (r[0]! * dx + r[1]! * dy + r[2]! * dz) * inv;
        const qy = (r[3]! * dx + r[4]! * dy + r[5]! * dz) * inv;
        const qz = (r[6]! * dx + r[7]! * dy + r[8]! * dz) * inv;
        // Ellipsoid distance bound (k0 (k0 − 1) / k1), exact on the surface.
        const k0 = Math.sqrt((qx * qx) / ax2 + (qy * qy) / ay2 + (qz * qz) / az2);
        const k1 = Math.sqrt(
          (qx * qx) / (ax2 * ax2) + (qy * qy) / (ay2 * ay2) + (qz * qz) / (az2 * az2),
        );
        let f = k1 > 0 ? (k0 * (k0 - 1)) / k1 : -minAxis;
        if (noiseGain > 0) {
          let n = 0;
          for (let w = 0; w < m; w++) {
            n += sinX[w * size + x]! * cosYZ[w]! + cosX[w * size + x]! * sinYZ[w]!;
          }
          f += noiseGain * n;
        }
        for (const p of extras) {
          const d = primitiveDistance(p, qx, qy, qz);
          if (k > 0) {
            const h = Math.max(k - Math.abs(f - d), 0) / k;
            f = Math.min(f, d) - (h * h * k) / 4;
          } else {
            f = Math.min(f, d);
          }
        }
        if (f < 0) out[row + x] = 1;
      }
    }
  }
}

/**
 * Evaluates the shape's field at every voxel centre of a `size`³ grid (centred on the grid)
 * and returns the 0/1 mask, C order (z, y, x). Voxels within `margin` of a face are 0.
 */
export function rasteriseShape(shape: ImplicitShape, placement: Placement): Uint8Array {
  const { size, scale, rotation: r, margin } = placement;
  const out = new Uint8Array(size * size * size);
  const c = (size - 1) / 2;
  const inv = 1 / scale;
  const [ax, ay, az] = shape.body;
  const tables = tabulateWaves(shape.waves, r, inv, size, c);
  const setup: FieldSetup = {
    size,
    c,
    lo: margin,
    hi: size - 1 - margin,
    extent: shapeExtent(shape) * scale + 1,
    r,
    inv,
    ax2: ax * ax,
    ay2: ay * ay,
    az2: az * az,
    minAxis: Math.min(ax, ay, az),
    extras: thickenCapsules(shape.extras, placement.minThickness * inv),
    k: shape.blend,
    noiseGain: shape.amplitude * Math.sqrt(2 / Math.max(tables.m, 1)),
  };
  fillMask(out, setup, tables);
  return out;
}

function primitiveDistance(p: Primitive, x: number, y: number, z: number): number {
  switch (p.kind) {
    case 'sphere':
      return Math.hypot(x - p.centre[0], y - p.centre[1], z - p.centre[2]) - p.radius;
    case 'capsule': {
      const [ax, ay, az] = p.a;
      const bx = p.b[0] - ax;
      const by = p.b[1] - ay;
      const bz = p.b[2] - az;
      const px = x - ax;
      const py = y - ay;
      const pz = z - az;
      const t = Math.min(
        1,
        Math.max(0, (px * bx + py * by + pz * bz) / (bx * bx + by * by + bz * bz)),
      );
      const d = Math.sqrt((px - bx * t) ** 2 + (py - by * t) ** 2 + (pz - bz * t) ** 2);
      return d - (p.ra + (p.rb - p.ra) * t);
    }
    default: {
      const never: never = p;
      throw invalidArgument('rasteriseShape', 'primitive', 'a sphere or a capsule', never);
    }
  }
}
