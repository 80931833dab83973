import { join } from 'node:path';
import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { isBinaryMask } from './is-binary-mask.js';
import { labelConnectedComponents } from './label-connected-components.js';
import { labelObjects } from './label-objects.js';
import { readVolume } from './read-volume.js';
import { haveSharedData, SHARED_DATA } from './test-data.js';

/** A 4 × 5 × 6 label image: label 7 a 2×2×2 cube inside, label 3 a bar on the x = 5 face. */
function twoObjects(): Volume<Uint16Array> {
  const shape: [number, number, number] = [4, 5, 6];
  const data = new Uint16Array(120);
  const at = (z: number, y: number, x: number) => (z * 5 + y) * 6 + x;
  for (let z = 1; z < 3; z++)
    for (let y = 1; y < 3; y++) for (let x = 2; x < 4; x++) data[at(z, y, x)] = 7;
  for (let y = 0; y < 3; y++) data[at(2, y, 5)] = 3;
  return { data, shape, spacing: [2, 1, 1] };
}

describe('labelObjects', () => {
  it('gives bounding boxes, voxel counts, centroids and padded crops, sorted by id', () => {
    const objects = labelObjects(twoObjects());
    expect(objects.map((o) => o.id)).toEqual([3, 7]);
    const [bar, cube] = objects as [(typeof objects)[0], (typeof objects)[0]];
    expect(bar.bbox).toEqual({ min: [2, 0, 5], max: [3, 3, 6] });
    expect(bar.voxelCount).toBe(3);
    expect(bar.centroid).toEqual([2, 1, 5]);
    expect(cube.bbox).toEqual({ min: [1, 1, 2], max: [3, 3, 4] });
    expect(cube.voxelCount).toBe(8);
    expect(cube.centroid).toEqual([1.5, 1.5, 2.5]);
    // Padding 1: shape max − min + 2, ones exactly inside, zero border, spacing kept.
    expect(cube.mask.shape).toEqual([4, 4, 4]);
    expect(cube.mask.spacing).toEqual([2, 1, 1]);
    const { data } = cube.mask;
    for (let z = 0; z < 4; z++)
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 4; x++) {
          const inside = z > 0 && z < 3 && y > 0 && y < 3 && x > 0 && x < 3;
          expect(data[(z * 4 + y) * 4 + x]).toBe(inside ? 1 : 0);
        }
    expect(bar.mask.data.reduce((a, v) => a + v, 0)).toBe(3);
  });

  it('crops without padding and never includes other labels', () => {
    const volume = twoObjects();
    volume.data[(2 * 5 + 1) * 6 + 4] = 3; // a voxel of 3 inside the cube's box
    const cube = labelObjects(volume, { padding: 0 }).find((o) => o.id === 7)!;
    expect(cube.mask.shape).toEqual([2, 2, 2]);
    expect(Array.from(cube.mask.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const bar = labelObjects(volume, { padding: 2 }).find((o) => o.id === 3)!;
    expect(bar.mask.shape).toEqual([5, 7, 6]);
    expect(bar.voxelCount).toBe(4);
  });

  it('clears objects touching the border and drops small ones', () => {
    expect(labelObjects(twoObjects(), { clearBorder: true }).map((o) => o.id)).toEqual([7]);
    expect(labelObjects(twoObjects(), { minSize: 4 }).map((o) => o.id)).toEqual([7]);
    expect(labelObjects(twoObjects(), { minSize: 3 }).map((o) => o.id)).toEqual([3, 7]);
    expect(labelObjects(twoObjects(), { minSize: 9 })).toEqual([]);
  });

  it('treats a 2-D image as [1, y, x]: clear-border ignores the single z plane', () => {
    const data = new Int32Array([0, 0, 0, 0, 0, 5, 5, 0, 0, 0, 0, 0, 9, 0, 0, 0]);
    const objects = labelObjects({ data, shape: [1, 4, 4] }, { clearBorder: true });
    expect(objects.map((o) => o.id)).toEqual([5]);
    expect(objects[0]!.mask.shape).toEqual([3, 3, 4]);
  });

  it('accepts integer-valued float labels, negative ids and another background', () => {
    const data = new Float64Array([-1, -1, 2, 2, 4, 4]);
    const objects = labelObjects({ data, shape: [1, 1, 6] }, { background: 4, padding: 0 });
    expect(objects.map((o) => [o.id, o.voxelCount])).toEqual([
      [-1, 2],
      [2, 2],
    ]);
  });

  it('sees a binary mask as one object, so masks go through labelConnectedComponents first', () => {
    const mask: Volume = { data: new Uint8Array([255, 0, 255, 0, 0, 0]), shape: [1, 2, 3] };
    expect(isBinaryMask(mask)).toBe(true);
    expect(labelObjects(mask)).toHaveLength(1);
    expect(labelObjects(labelConnectedComponents(mask))).toHaveLength(2);
    expect(isBinaryMask(twoObjects())).toBe(false);
    expect(isBinaryMask({ data: new Float32Array([0, Number.NaN]), shape: [1, 1, 2] })).toBe(false);
    expect(isBinaryMask({ data: new Float32Array(2), shape: [1, 1, 2] })).toBe(true);
  });
});

describe('labelObjects: invalid input', () => {
  const ok = twoObjects();
  it('rejects non-integer labels and NaN', () => {
    expect(() =>
      labelObjects({ data: new Float32Array([0, 1, Number.NaN]), shape: [1, 1, 3] }),
    ).toThrow(/labelObjects: 'volume.data' must be integer labels, found NaN at voxel \[0, 0, 2\]/);
    expect(() => labelObjects({ data: new Float32Array([0.5]), shape: [1, 1, 1] })).toThrow(
      /found 0.5/,
    );
    expect(() => labelObjects({ data: new Float64Array([Infinity]), shape: [1, 1, 1] })).toThrow(
      InvalidArgumentError,
    );
  });
  it('rejects bad volumes and options', () => {
    expect(() => labelObjects({ data: new Uint8Array(4), shape: [2, 2] } as never)).toThrow(
      /'volume.shape' must be \[z, y, x\]/,
    );
    expect(() => labelObjects(ok, { padding: -1 })).toThrow(
      /'options.padding' must be an integer ≥ 0, got -1/,
    );
    expect(() => labelObjects(ok, { padding: 1.5 })).toThrow(/'options.padding'/);
    expect(() => labelObjects(ok, { minSize: -2 })).toThrow(/'options.minSize'/);
    expect(() => labelObjects(ok, { minSize: Number.NaN })).toThrow(/'options.minSize'/);
    expect(() => labelObjects(ok, { clearBorder: 'yes' as never })).toThrow(
      /'options.clearBorder'/,
    );
    expect(() => labelObjects(ok, { background: 0.5 })).toThrow(/'options.background'/);
    expect(() => isBinaryMask({ data: new Uint8Array(3), shape: [1, 1, 2] })).toThrow(
      /isBinaryMask: 'volume.shape'/,
    );
  });
});

const DATA = SHARED_DATA;
const HAVE = haveSharedData(
  'labelObjects real-data tests',
  'masks3d/qcanet_16cell_nuclei_binary.tif',
  'images2d/stardist_dsb2018_mask2d_labels.tif',
);

describe.skipIf(!HAVE)('labelObjects on real masks (reference: skimage 0.19 regionprops)', () => {
  it('QCANet 16-cell binary mask → 16 nuclei with regionprops bbox, area and centroid', () => {
    // regionprops(label(tifffile.imread(path) > 0)): (label, bbox, area, centroid)
    const reference: [number, number[], number, number[]][] = [
      [1, [1, 67, 58, 11, 86, 76], 1774, [5.049, 76.0665, 66.5705]],
      [2, [3, 58, 23, 13, 75, 40], 1593, [7.8832, 66.4426, 31.3421]],
      [3, [5, 32, 58, 15, 49, 75], 1667, [9.6083, 40.024, 66.4295]],
      [4, [11, 57, 89, 21, 74, 107], 1691, [15.3726, 65.0911, 97.5594]],
      [5, [13, 15, 39, 23, 30, 55], 1219, [17.7285, 22.0361, 46.4135]],
      [6, [13, 84, 30, 25, 102, 47], 2097, [18.2685, 92.8379, 37.9766]],
      [7, [14, 90, 64, 26, 108, 82], 1941, [19.966, 98.4106, 72.2772]],
      [8, [15, 50, 45, 24, 67, 62], 1426, [19.2504, 57.6872, 53.2076]],
      [9, [17, 64, 66, 28, 80, 82], 1625, [21.7028, 71.9649, 73.5471]],
      [10, [19, 40, 75, 30, 57, 93], 1728, [23.9352, 48.3484, 83.0133]],
      [11, [21, 43, 19, 33, 59, 35], 1646, [26.3153, 50.3998, 25.9769]],
      [12, [25, 28, 52, 36, 43, 68], 1457, [29.8909, 35.3439, 59.0412]],
      [13, [26, 56, 56, 37, 72, 71], 1513, [30.6933, 63.197, 63.0872]],
      [14, [27, 77, 36, 40, 95, 55], 2353, [32.7459, 85.6944, 44.9031]],
      [15, [32, 46, 37, 44, 63, 55], 2171, [37.7351, 54.082, 45.1433]],
      [16, [32, 57, 74, 44, 74, 92], 2013, [37.5559, 64.9528, 82.5912]],
    ];
    const mask = readVolume(join(DATA, 'masks3d/qcanet_16cell_nuclei_binary.tif'));
    const objects = labelObjects(labelConnectedComponents(mask), { clearBorder: true });
    expect(objects).toHaveLength(16); // skimage clear_border keeps all 16
    objects.forEach((object, i) => {
      const [id, bbox, area, centroid] = reference[i]!;
      expect(object.id).toBe(id);
      expect([...object.bbox.min, ...object.bbox.max]).toEqual(bbox);
      expect(object.voxelCount).toBe(area);
      object.centroid.forEach((c, a) => {
        expect(c).toBeCloseTo(centroid[a]!, 3);
      });
      expect(object.mask.data.reduce((s, v) => s + v, 0)).toBe(area);
    });
  });

  it('StarDist 2-D label image: 125 nuclei, clear-border and min-size as skimage', () => {
    // regionprops(l) → 125 objects; clear_border(l) → 112; area ≥ 100 → 118; both → 108.
    const labels = readVolume(join(DATA, 'images2d/stardist_dsb2018_mask2d_labels.tif'));
    const all = labelObjects(labels);
    expect(all).toHaveLength(125);
    expect(all.reduce((s, o) => s + o.voxelCount, 0)).toBe(52226);
    expect(labelObjects(labels, { clearBorder: true })).toHaveLength(112);
    expect(labelObjects(labels, { minSize: 100 })).toHaveLength(118);
    expect(labelObjects(labels, { clearBorder: true, minSize: 100 })).toHaveLength(108);
    const first = all[0]!;
    expect([first.id, ...first.bbox.min.slice(1), ...first.bbox.max.slice(1)]).toEqual([
      1, 443, 410, 467, 442,
    ]);
    expect(first.voxelCount).toBe(542);
    expect(first.centroid[1]).toBeCloseTo(455.05535055350555, 10);
    expect(first.centroid[2]).toBeCloseTo(425.73985239852396, 10);
    const last = all.at(-1)!;
    expect([last.id, last.voxelCount]).toEqual([183, 537]);
    expect(last.centroid[1]).toBeCloseTo(488.76908752327745, 10);
  });
});
