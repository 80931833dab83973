import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { binariseMask } from './binarise.js';
import {
  CUBE_ROTATIONS,
  composeSymmetries,
  flipVolume,
  GRID_SYMMETRIES,
  rotate90,
  symmetryDeterminant,
  transformVolume,
} from './cube-symmetry.js';
import { fitToCube } from './fit-to-cube.js';
import { makeIsotropic, resampleMask, resampleVolume } from './resample.js';
import { chair, ellipsoid } from './test-volumes.js';
import { boundingBox, centreOfMass, foregroundCount } from './volume-geometry.js';

const key = (v: { data: ArrayLike<number>; shape: readonly number[] }) =>
  `${v.shape.join('x')}:${Array.from(v.data).join('')}`;

describe('grid symmetries', () => {
  it('are 48, of which 24 rotations with determinant +1, closed under composition', () => {
    expect(GRID_SYMMETRIES).toHaveLength(48);
    expect(CUBE_ROTATIONS).toHaveLength(24);
    const names = new Set(CUBE_ROTATIONS.map((s) => `${s.axes}|${s.flips}`));
    for (const a of CUBE_ROTATIONS)
      for (const b of CUBE_ROTATIONS) {
        const c = composeSymmetries(a, b);
        expect(symmetryDeterminant(c)).toBe(1);
        expect(names.has(`${c.axes}|${c.flips}`)).toBe(true);
      }
  });

  it('compose as applying one after the other', () => {
    const v = chair();
    for (const a of GRID_SYMMETRIES.filter((_, i) => i % 5 === 0))
      for (const b of GRID_SYMMETRIES.filter((_, i) => i % 7 === 0))
        expect(key(transformVolume(transformVolume(v, b), a))).toBe(
          key(transformVolume(v, composeSymmetries(a, b))),
        );
  });

  it('give 48 distinct images of an asymmetric object, each with the same voxel count', () => {
    const v = chair();
    const images = GRID_SYMMETRIES.map((s) => transformVolume(v, s));
    expect(new Set(images.map(key)).size).toBe(48);
    for (const image of images) expect(foregroundCount(image)).toBe(foregroundCount(v));
  });

  it('four quarter turns in any plane are the identity; one is not', () => {
    const v = chair();
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 0],
    ] as const) {
      expect(key(rotate90(v, a, b, 4))).toBe(key(v));
      expect(key(rotate90(v, a, b, 1))).not.toBe(key(v));
      expect(key(rotate90(rotate90(v, a, b, 1), a, b, 3))).toBe(key(v));
      expect(key(rotate90(v, a, b, -1))).toBe(key(rotate90(v, b, a, 1)));
    }
  });

  it('a quarter turn maps the from axis onto the to axis', () => {
    // A single voxel at z = 0 of a 3 × 1 × 3 volume, x = 0; turning z → x puts it at x = 0, z = 2.
    const v = { data: new Uint8Array(9), shape: [3, 1, 3] as [number, number, number] };
    v.data[0 * 3 + 0] = 1; // (z 0, x 0)
    v.data[1 * 3 + 0] = 2; // (z 1, x 0)
    const r = rotate90(v, 0, 2);
    // new x = old z; new z = 2 − old x.
    expect(r.data[2 * 3 + 0]).toBe(1);
    expect(r.data[2 * 3 + 1]).toBe(2);
  });

  it('flips are involutions with determinant −1', () => {
    const v = chair();
    for (const axis of [0, 1, 2]) expect(key(flipVolume(flipVolume(v, axis), axis))).toBe(key(v));
    expect(new Set(GRID_SYMMETRIES.map(symmetryDeterminant))).toEqual(new Set([1, -1]));
    expect(() => flipVolume(v, 3)).toThrow(/'axis'/);
    expect(() => rotate90(v, 1, 1)).toThrow(/'to'/);
  });
});

describe('fitToCube', () => {
  it('moves the centre of mass to the cube centre and keeps every voxel', () => {
    const object = ellipsoid([20, 17, 30], [3, 4, 6], [5, 11, 8]);
    const { cube, scale, cropped } = fitToCube(object, { size: 32 });
    expect(cube.shape).toEqual([32, 32, 32]);
    expect(scale).toBe(1);
    expect(cropped).toBe(0);
    expect(foregroundCount(cube)).toBe(foregroundCount(object));
    for (const c of centreOfMass(cube)) expect(Math.abs(c - 15.5)).toBeLessThanOrEqual(0.5);
  });

  it('keeps an asymmetric object inside the cube when centring would cut it', () => {
    // A thin rod with a heavy end: the mass centre is near the heavy end, the box fills the cube.
    const shape: [number, number, number] = [1, 1, 16];
    const data = new Uint8Array(16);
    data.fill(1, 0, 16);
    const rod = { data, shape };
    const heavy = ellipsoid([9, 9, 16], [4, 4, 3], [4, 4, 3]);
    for (let x = 0; x < 16; x++) heavy.data[(4 * 9 + 4) * 16 + x] = 1;
    expect(fitToCube(rod, { size: 16 }).cropped).toBe(0);
    const { cube, cropped } = fitToCube(heavy, { size: 16 });
    expect(cropped).toBe(0);
    expect(foregroundCount(cube)).toBe(foregroundCount(heavy));
    const box = boundingBox(cube)!;
    expect(box.max[2] - box.min[2]).toBe(16);
  });

  it("resamples a larger object into the cube ('resample'), crops it ('crop') or refuses ('error')", () => {
    const big = ellipsoid([40, 40, 40], [18, 9, 9], [20, 20, 20]);
    const resampled = fitToCube(big, { size: 16 });
    expect(resampled.scale).toBeCloseTo(16 / 37, 6);
    const box = boundingBox(resampled.cube)!;
    expect(box.max[0] - box.min[0]).toBeLessThanOrEqual(16);
    expect(box.max[0] - box.min[0]).toBeGreaterThanOrEqual(14);
    const cropped = fitToCube(big, { size: 16, fit: 'crop' });
    expect(cropped.cropped).toBe(foregroundCount(big) - foregroundCount(cropped.cube));
    expect(cropped.cropped).toBeGreaterThan(0);
    try {
      fitToCube(big, { size: 16, fit: 'error' });
      expect.unreachable();
    } catch (error) {
      expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/bounding box \[37, 19, 19\].*options\.size 16/);
    }
  });

  it('names bad arguments', () => {
    const v = ellipsoid([8, 8, 8], [2, 2, 2], [4, 4, 4]);
    expect(() => fitToCube(v, { size: 0 })).toThrow(/'options.size'/);
    expect(() => fitToCube(v, { size: 7.5 })).toThrow(/'options.size'/);
    expect(() => fitToCube(v, { fit: 'squash' as never })).toThrow(/'options.fit'/);
    expect(() => fitToCube({ data: new Uint8Array(8), shape: [2, 2, 2] })).toThrow(/'mask'/);
  });
});

describe('resampling', () => {
  it('to the same shape is the identity, and a constant stays constant', () => {
    const v = ellipsoid([7, 9, 11], [3, 4, 5], [3, 4, 5]);
    expect(key(resampleMask(v, [7, 9, 11]))).toBe(key(v));
    const c = resampleVolume({ data: new Float32Array(27).fill(2.5), shape: [3, 3, 3] }, [5, 7, 2]);
    expect(Array.from(c.data).every((x) => Math.abs(x - 2.5) < 1e-6)).toBe(true);
  });

  it('interpolates linearly between voxel centres', () => {
    // Input x = 0, 1 (values 0 and 1); 4 output voxels sample x = −0.25 → 0, 0.25, 0.75, 1.25 → 1.
    const r = resampleVolume({ data: new Float32Array([0, 1]), shape: [1, 1, 2] }, [1, 1, 4]);
    expect(Array.from(r.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('makeIsotropic keeps the physical volume of an anisotropic ellipsoid', () => {
    // A sphere of radius 8 µm imaged with z spacing 2 µm and x, y spacing 1 µm.
    const aniso = ellipsoid([12, 24, 24], [4, 8, 8], [5.5, 11.5, 11.5]);
    const iso = makeIsotropic(aniso, [2, 1, 1]);
    expect(iso.shape).toEqual([24, 24, 24]);
    expect(iso.spacing).toEqual([1, 1, 1]);
    const expected = (4 / 3) * Math.PI * 8 ** 3;
    expect(Math.abs(foregroundCount(iso) - expected) / expected).toBeLessThan(0.06);
    expect(() => makeIsotropic(aniso, [0, 1, 1])).toThrow(/'spacing'/);
  });
});

describe('binariseMask', () => {
  it('maps 0/255 to 0/1, thresholds on request, refuses several values without a threshold', () => {
    const v = {
      data: new Uint16Array([0, 255, 255, 0]),
      shape: [1, 2, 2] as [number, number, number],
    };
    expect(Array.from(binariseMask(v).data)).toEqual([0, 1, 1, 0]);
    const p = {
      data: new Float32Array([0.1, 0.6, 0.5, 0.9]),
      shape: [1, 2, 2] as [number, number, number],
    };
    expect(Array.from(binariseMask(p, { threshold: 0.5 }).data)).toEqual([0, 1, 0, 1]);
    expect(() => binariseMask(p)).toThrow(/'volume' must be a binary mask.*0\.1, 0\.6/);
    expect(() => binariseMask(p, { threshold: Number.NaN })).toThrow(/'options.threshold'/);
  });
});
