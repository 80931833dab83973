import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_FAMILIES } from './families.js';
import { syntheticLabelImage } from './label-image.js';
import { generateSyntheticCells } from './synthetic-cells.js';

describe('syntheticLabelImage', () => {
  const options = { count: 2, size: 32, seed: 9 };
  const image = syntheticLabelImage(options);

  it('places count cells per family on a grid of slots', () => {
    expect(image.cells).toHaveLength(10);
    expect(image.families).toEqual([...SYNTHETIC_FAMILIES]);
    // 10 cells: nx = 3, ny = 2, nz = 2 slots of 32³.
    expect(image.labels.shape).toEqual([64, 64, 96]);
    expect(image.cells.map((c) => c.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('copies the same masks as generateSyntheticCells, without overlap', () => {
    const { cells } = generateSyntheticCells(options);
    const [nz, ny, nx] = image.labels.shape;
    const counts = new Map<number, number>();
    for (const v of image.labels.data) counts.set(v, (counts.get(v) ?? 0) + 1);
    image.cells.forEach((cell, k) => {
      const source = cells[k]!;
      expect(cell.id).toBe(source.id);
      expect(cell.label).toBe(source.label);
      const voxels = source.mask.data.reduce((s, v) => s + v, 0);
      expect(cell.voxelCount).toBe(voxels);
      expect(counts.get(cell.value)).toBe(voxels);
      expect(cell.bbox.min.every((v) => v >= 1)).toBe(true);
      expect(cell.bbox.max.every((v, a) => v <= [nz, ny, nx][a]! - 2)).toBe(true);
    });
  });

  it('keeps objects apart: no two labels are face or diagonal neighbours', () => {
    const [nz, ny, nx] = image.labels.shape;
    const d = image.labels.data;
    let touching = 0;
    for (let z = 0; z < nz - 1; z++)
      for (let y = 0; y < ny - 1; y++)
        for (let x = 0; x < nx - 1; x++) {
          const v = d[(z * ny + y) * nx + x]!;
          if (v === 0) continue;
          for (const [a, b, c] of [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
            [1, 1, 1],
            [0, 1, 1],
            [1, 0, 1],
            [1, 1, 0],
          ] as const) {
            const w = d[((z + a) * ny + y + b) * nx + x + c]!;
            if (w !== 0 && w !== v) touching++;
          }
        }
    expect(touching).toBe(0);
  });

  it('is reproducible for a seed', () => {
    const again = syntheticLabelImage(options);
    expect(
      Buffer.from(again.labels.data.buffer).equals(Buffer.from(image.labels.data.buffer)),
    ).toBe(true);
  });

  it('rejects invalid input', () => {
    expect(() => syntheticLabelImage({ count: 0 })).toThrow(/'count'/);
    expect(() => syntheticLabelImage({ count: 20_000 })).toThrow(/at most 65535/);
    expect(() => syntheticLabelImage({ families: [] })).toThrow(InvalidArgumentError);
    expect(() => syntheticLabelImage({ size: 2 })).toThrow(/'size'/);
    expect(() => syntheticLabelImage('x' as unknown as object)).toThrow(/'options'/);
  });
});
