import { join } from 'node:path';
import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { labelConnectedComponents } from './label-connected-components.js';
import { readVolume } from './read-volume.js';
import { haveSharedData, SHARED_DATA } from './test-data.js';

function volumeOf(shape: [number, number, number], on: [number, number, number][]): Volume {
  const data = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (const [z, y, x] of on) data[(z * shape[1] + y) * shape[2] + x] = 1;
  return { data, shape };
}

const count = (labels: Volume<Int32Array>) => labels.data.reduce((m, v) => Math.max(m, v), 0);

/** Voxels per label 1..n. */
function sizes(labels: Volume<Int32Array>): number[] {
  const out = new Array<number>(count(labels)).fill(0);
  for (const v of labels.data) if (v > 0) out[v - 1]!++;
  return out;
}

/**
 * A 9 × 11 × 13 pseudo-random mask (151 voxels on) where the three connectivities differ.
 * The same formula in NumPy: z, y, x = np.meshgrid(np.arange(9), np.arange(11), np.arange(13),
 * indexing='ij'); m = ((x*x*7 + y*13 + z*29 + x*y*3 + y*z*5 + z*x*11 + x*y*z) % 17) < 2
 */
function scrambled(): Volume {
  const data = new Uint8Array(9 * 11 * 13);
  let i = 0;
  for (let z = 0; z < 9; z++)
    for (let y = 0; y < 11; y++)
      for (let x = 0; x < 13; x++, i++)
        data[i] =
          (x * x * 7 + y * 13 + z * 29 + x * y * 3 + y * z * 5 + z * x * 11 + x * y * z) % 17 < 2
            ? 1
            : 0;
  return { data, shape: [9, 11, 13] };
}

describe('labelConnectedComponents', () => {
  it('connects by faces, edges or corners as asked', () => {
    const corner = volumeOf(
      [2, 2, 2],
      [
        [0, 0, 0],
        [1, 1, 1],
      ],
    );
    expect(count(labelConnectedComponents(corner))).toBe(1);
    expect(count(labelConnectedComponents(corner, { connectivity: 18 }))).toBe(2);
    const edge = volumeOf(
      [1, 2, 2],
      [
        [0, 0, 0],
        [0, 1, 1],
      ],
    );
    expect(count(labelConnectedComponents(edge, { connectivity: 18 }))).toBe(1);
    expect(count(labelConnectedComponents(edge, { connectivity: 6 }))).toBe(2);
    const face = volumeOf(
      [2, 1, 1],
      [
        [0, 0, 0],
        [1, 0, 0],
      ],
    );
    expect(count(labelConnectedComponents(face, { connectivity: 6 }))).toBe(1);
  });

  it('merges a U shape that meets only at the end of the scan', () => {
    const u = volumeOf(
      [1, 3, 3],
      [
        [0, 0, 0],
        [0, 1, 0],
        [0, 2, 0],
        [0, 2, 1],
        [0, 2, 2],
        [0, 1, 2],
        [0, 0, 2],
      ],
    );
    const labels = labelConnectedComponents(u, { connectivity: 6 });
    expect(Array.from(labels.data)).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 1]);
  });

  it('matches skimage.measure.label on a scrambled mask for 6, 18 and 26 connectivity', () => {
    // Expected values from skimage 0.19: l = label(m, connectivity=1|2|3); s = np.bincount(l.ravel())[1:];
    // checksum = (l.ravel() * np.arange(l.size)).sum() % 1000003 (pins every label value).
    const reference = {
      6: { n: 105, max: 20, singles: 87, first: [1, 2, 1, 1, 1, 1, 1, 3, 2, 1], checksum: 895552 },
      18: { n: 47, max: 64, singles: 28, first: [1, 2, 2, 1, 1, 1, 7, 3, 64, 1], checksum: 229856 },
      26: { n: 26, max: 93, singles: 14, first: [2, 2, 5, 1, 1, 1, 7, 93, 1, 1], checksum: 74048 },
    };
    const mask = scrambled();
    for (const connectivity of [6, 18, 26] as const) {
      const labels = labelConnectedComponents(mask, { connectivity });
      const s = sizes(labels);
      const expected = reference[connectivity];
      expect(s.length).toBe(expected.n);
      expect(Math.max(...s)).toBe(expected.max);
      expect(s.filter((v) => v === 1).length).toBe(expected.singles);
      expect(s.slice(0, 10)).toEqual(expected.first);
      let checksum = 0;
      labels.data.forEach((v, i) => {
        checksum = (checksum + v * i) % 1000003;
      });
      expect(checksum).toBe(expected.checksum);
    }
    expect(labelConnectedComponents(mask).data).toEqual(
      labelConnectedComponents(mask, { connectivity: 26 }).data,
    );
  });

  it('thresholds grey values, keeps shape and spacing, and does not touch its input', () => {
    const data = new Float32Array([0.1, 0.9, 0.2, 0.8, 0.05, 0.7]);
    const grey: Volume = { data, shape: [1, 1, 6], spacing: [2, 1, 1] };
    const labels = labelConnectedComponents(grey, { threshold: 0.5 });
    expect(Array.from(labels.data)).toEqual([0, 1, 0, 2, 0, 3]);
    expect(labels.shape).toEqual([1, 1, 6]);
    expect(labels.spacing).toEqual([2, 1, 1]);
    expect(labels.spacing).not.toBe(grey.spacing);
    expect(data).toEqual(new Float32Array([0.1, 0.9, 0.2, 0.8, 0.05, 0.7]));
    expect(count(labelConnectedComponents(grey))).toBe(1); // every non-zero voxel
  });

  it('labels an empty mask with zeros and a full one with a single label', () => {
    expect(count(labelConnectedComponents({ data: new Uint8Array(27), shape: [3, 3, 3] }))).toBe(0);
    const full = labelConnectedComponents({ data: new Uint8Array(27).fill(255), shape: [3, 3, 3] });
    expect(new Set(full.data)).toEqual(new Set([1]));
  });
});

describe('labelConnectedComponents: invalid input', () => {
  const ok = volumeOf([1, 2, 2], [[0, 0, 0]]);
  it('rejects malformed masks and options', () => {
    expect(() =>
      labelConnectedComponents({ data: new Uint8Array(4), shape: [2, 2] } as never),
    ).toThrow(/labelConnectedComponents: 'mask.shape' must be \[z, y, x\]/);
    expect(() => labelConnectedComponents(ok, { connectivity: 8 as never })).toThrow(
      /'options.connectivity' must be 6, 18 or 26, got 8/,
    );
    expect(() => labelConnectedComponents(ok, { threshold: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => labelConnectedComponents(ok, 26 as never)).toThrow(/'options'/);
    expect(() =>
      labelConnectedComponents({ data: new Float64Array([0, Number.NaN]), shape: [1, 1, 2] }),
    ).toThrow(/'mask.data' must be free of NaN, found NaN at index 1/);
  });
});

const QCANET = join(SHARED_DATA, 'masks3d/qcanet_16cell_nuclei_binary.tif');
const HAVE = haveSharedData(
  'the QCANet connected-component test',
  'masks3d/qcanet_16cell_nuclei_binary.tif',
);

describe.skipIf(!HAVE)('labelConnectedComponents on the QCANet 16-cell mask', () => {
  it('finds the 16 nuclei with the voxel counts of skimage.measure.label', () => {
    // skimage 0.19: regionprops(label(tifffile.imread(path) > 0, connectivity=c)).area, c = 1, 2, 3
    const areas = [
      1774, 1593, 1667, 1691, 1219, 2097, 1941, 1426, 1625, 1728, 1646, 1457, 1513, 2353, 2171,
      2013,
    ];
    const mask = readVolume(QCANET);
    for (const connectivity of [6, 18, 26] as const)
      expect(sizes(labelConnectedComponents(mask, { connectivity }))).toEqual(areas);
  });
});
