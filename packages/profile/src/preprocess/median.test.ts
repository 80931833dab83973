import { describe, expect, it } from 'vitest';
import { foldIndex } from './gaussian.js';
import {
  footprintOffsets,
  medianFilter,
  medianPlane,
  removeOutliers,
  selectKth,
} from './median.js';
import { caseImage, maxAbsDiff, referenceCases } from './test-helpers.js';

describe('selectKth', () => {
  it('returns the k-th order statistic for every k, with ties', () => {
    const values = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const sorted = [...values].sort((a, b) => a - b);
    for (let k = 0; k < values.length; k++)
      expect(selectKth(Float64Array.from(values), values.length, k)).toBe(sorted[k]);
  });
});

describe('footprintOffsets', () => {
  it('disk(2) has the 13 pixels of skimage.morphology.disk(2); square(1) has 9', () => {
    expect(footprintOffsets(2, 'disk').dy.length).toBe(13);
    expect(footprintOffsets(10, 'disk').dy.length).toBe(317);
    expect(footprintOffsets(1, 'square').dy.length).toBe(9);
  });
});

describe('medianPlane (sliding rank histogram)', () => {
  /** The definition: sort each reflected neighbourhood. */
  function bruteMedian(
    plane: Float64Array,
    h: number,
    w: number,
    r: number,
    fp: 'disk' | 'square',
  ): Float64Array {
    const { dy, dx } = footprintOffsets(r, fp);
    const out = new Float64Array(plane.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = Array.from(
          dy,
          (d, k) =>
            plane[
              foldIndex(y + d, h, 'reflect') * w + foldIndex(x + (dx[k] as number), w, 'reflect')
            ] as number,
        );
        out[y * w + x] = v.sort((a, b) => a - b)[v.length >> 1] as number;
      }
    return out;
  }

  it('equals the sorted-neighbourhood definition with ties, many distinct values and r up to 12', () => {
    let s = 5;
    const rand = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const [h, w] = [37, 41];
    const ties = Float64Array.from({ length: h * w }, () => Math.floor(rand() * 6));
    const distinct = Float64Array.from({ length: h * w }, () => rand() * 1000 - 500);
    for (const plane of [ties, distinct])
      for (const [r, fp] of [
        [1, 'square'],
        [2, 'disk'],
        [4, 'disk'],
        [12, 'disk'],
        [3, 'square'],
      ] as const)
        expect(Array.from(medianPlane(plane, h, w, r, fp))).toEqual(
          Array.from(bruteMedian(plane, h, w, r, fp)),
        );
  });
});

describe('medianFilter equals scipy.ndimage.median_filter (fixtures/reference.json)', () => {
  for (const c of referenceCases('median'))
    it(c.name, () => {
      const out = medianFilter(caseImage(c), {
        radius: c.radius as number,
        footprint: c.footprint as 'disk' | 'square',
      });
      expect(maxAbsDiff(out.data, c.output)).toBeLessThan(1e-5); // exact up to the float32 output
    });

  it('filters channels independently', () => {
    const a = caseImage(referenceCases('median')[0]!);
    const two = new Float64Array(a.data.length * 2);
    for (let i = 0; i < a.data.length; i++) {
      two[2 * i] = a.data[i] as number;
      two[2 * i + 1] = -(a.data[i] as number);
    }
    const out = medianFilter({ data: two, shape: [a.shape[0], a.shape[1], 2] });
    const one = medianFilter(a);
    for (let i = 0; i < one.data.length; i++) {
      expect(out.data[2 * i]).toBe(one.data[i]);
      expect(out.data[2 * i + 1]).toBe(-(one.data[i] as number));
    }
  });
});

describe('against ImageJ 1.52i itself (fixtures/reference.json)', () => {
  for (const c of referenceCases('rankImagej'))
    it(c.name, () => {
      const image = caseImage(c);
      const out =
        c.op === 'median'
          ? medianFilter(image, {
              radius: c.radius as number,
              footprint: 'imagej',
              mode: 'nearest',
            })
          : removeOutliers(image, { radius: c.radius as number, threshold: c.threshold as number });
      expect(maxAbsDiff(out.data, c.output)).toBeLessThan(1e-4);
    });

  it("ImageJ's kernel (dy² + dx² ≤ ⌊r²⌋ + 1) has 21 pixels for r = 2 and 325 for r = 10", () => {
    expect(footprintOffsets(2, 'imagej').dy.length).toBe(21);
    expect(footprintOffsets(1.5, 'imagej').dy.length).toBe(
      footprintOffsets(1.75, 'imagej').dy.length,
    );
    expect(footprintOffsets(10, 'imagej').dy.length).toBe(325);
  });
});

describe('removeOutliers (ImageJ Remove Outliers)', () => {
  const flat = (): Float32Array => new Float32Array(15 * 15).fill(100);

  it('replaces a bright speck by the local median and leaves everything else untouched', () => {
    const data = flat();
    data[7 * 15 + 7] = 400;
    data[2 * 15 + 3] = 130; // deviation 30 < threshold 50: kept
    const out = removeOutliers({ data, shape: [15, 15, 1] }, { radius: 2, threshold: 50 });
    expect(out.data[7 * 15 + 7]).toBe(100);
    expect(out.data[2 * 15 + 3]).toBe(130);
    for (let i = 0; i < data.length; i++) if (i !== 7 * 15 + 7) expect(out.data[i]).toBe(data[i]);
  });

  it("'bright' keeps dark pits, 'dark' keeps bright specks, 'both' removes both", () => {
    const data = flat();
    data[3 * 15 + 3] = 400;
    data[10 * 15 + 10] = 0;
    const image = { data, shape: [15, 15, 1] as const };
    const bright = removeOutliers(image, { radius: 2, threshold: 50, which: 'bright' });
    expect([bright.data[48], bright.data[160]]).toEqual([100, 0]);
    const dark = removeOutliers(image, { radius: 2, threshold: 50, which: 'dark' });
    expect([dark.data[48], dark.data[160]]).toEqual([400, 100]);
    const both = removeOutliers(image, { radius: 2, threshold: 50, which: 'both' });
    expect([both.data[48], both.data[160]]).toEqual([100, 100]);
  });

  it('refuses a bad option naming it', () => {
    const image = { data: flat(), shape: [15, 15, 1] as const };
    expect(() => removeOutliers(image, { which: 'up' as never })).toThrow(
      /removeOutliers.*options\.which/,
    );
    expect(() => medianFilter(image, { radius: -1 })).toThrow(/medianFilter.*options\.radius/);
  });
});
