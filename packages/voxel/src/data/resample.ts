import { invalidArgument } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';
import { checkVolume } from './volume-geometry.js';

/**
 * Trilinear resampling of a volume to a new grid, voxel centres aligned: output voxel `o` of an
 * axis samples input position `(o + 0.5) · n_in / n_out − 0.5`, clamped to the volume, so a
 * volume resampled to its own shape is unchanged and the centre of the grid stays the centre.
 * Spacing, when present, scales so that the physical extent is kept.
 */
export function resampleVolume(
  volume: Volume,
  shape: readonly [number, number, number],
): Volume<Float32Array> {
  const fn = 'resampleVolume';
  checkVolume(fn, 'volume', volume);
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((n) => Number.isInteger(n) && n > 0)
  )
    throw invalidArgument(fn, 'shape', 'three positive integers (z, y, x)', shape);
  const [iz, iy, ix] = volume.shape;
  const [oz, oy, ox] = shape;
  const axis = (nIn: number, nOut: number) => {
    const lo = new Int32Array(nOut);
    const hi = new Int32Array(nOut);
    const w = new Float32Array(nOut);
    for (let o = 0; o < nOut; o++) {
      const p = Math.min(Math.max((o + 0.5) * (nIn / nOut) - 0.5, 0), nIn - 1);
      const f = Math.floor(p);
      lo[o] = f;
      hi[o] = Math.min(f + 1, nIn - 1);
      w[o] = p - f;
    }
    return { lo, hi, w };
  };
  const az = axis(iz, oz);
  const ay = axis(iy, oy);
  const ax = axis(ix, ox);
  const src = volume.data;
  const out = new Float32Array(oz * oy * ox);
  const plane = iy * ix;
  for (let z = 0, i = 0; z < oz; z++) {
    const z0 = az.lo[z]! * plane;
    const z1 = az.hi[z]! * plane;
    const wz = az.w[z]!;
    for (let y = 0; y < oy; y++) {
      const y0 = ay.lo[y]! * ix;
      const y1 = ay.hi[y]! * ix;
      const wy = ay.w[y]!;
      for (let x = 0; x < ox; x++, i++) {
        const x0 = ax.lo[x]!;
        const x1 = ax.hi[x]!;
        const wx = ax.w[x]!;
        const line = (zy: number) => src[zy + x0]! * (1 - wx) + src[zy + x1]! * wx;
        const plane0 = line(z0 + y0) * (1 - wy) + line(z0 + y1) * wy;
        const plane1 = line(z1 + y0) * (1 - wy) + line(z1 + y1) * wy;
        out[i] = plane0 * (1 - wz) + plane1 * wz;
      }
    }
  }
  const result: Volume<Float32Array> = { data: out, shape: [oz, oy, ox] };
  if (volume.spacing)
    result.spacing = [
      (volume.spacing[0] * iz) / oz,
      (volume.spacing[1] * iy) / oy,
      (volume.spacing[2] * ix) / ox,
    ];
  return result;
}

/**
 * A 0/1 mask resampled to `shape`: trilinear interpolation of the mask, then voxels ≥ 0.5
 * are foreground (the surface stays where the interpolated mask crosses one half).
 */
export function resampleMask(
  mask: Volume,
  shape: readonly [number, number, number],
): Volume<Uint8Array> {
  const smooth = resampleVolume(mask, shape);
  const data = new Uint8Array(smooth.data.length);
  for (let i = 0; i < data.length; i++) data[i] = smooth.data[i]! >= 0.5 ? 1 : 0;
  const result: Volume<Uint8Array> = { data, shape: smooth.shape };
  if (smooth.spacing) result.spacing = smooth.spacing;
  return result;
}

/**
 * A 0/1 mask with anisotropic voxels (`spacing` z, y, x in physical units, e.g. `[2.18, 1, 1]`)
 * resampled to cubic voxels of the finest spacing: each axis gets `round(n · s / min(s))`
 * voxels, so the physical extent is kept and no axis loses resolution. Returns the new mask
 * with `spacing` set to the cubic size.
 *
 * @throws InvalidArgumentError naming `spacing` unless it holds three positive finite numbers.
 */
export function makeIsotropic(
  mask: Volume,
  spacing: readonly [number, number, number],
): Volume<Uint8Array> {
  const fn = 'makeIsotropic';
  checkVolume(fn, 'mask', mask);
  if (
    !Array.isArray(spacing) ||
    spacing.length !== 3 ||
    !spacing.every((s) => Number.isFinite(s) && s > 0)
  )
    throw invalidArgument(fn, 'spacing', 'three positive finite numbers (z, y, x)', spacing);
  const target = Math.min(...spacing);
  const shape = mask.shape.map((n, a) => Math.max(1, Math.round((n * spacing[a]!) / target))) as [
    number,
    number,
    number,
  ];
  const out = resampleMask({ data: mask.data, shape: mask.shape }, shape);
  out.spacing = [target, target, target];
  return out;
}
