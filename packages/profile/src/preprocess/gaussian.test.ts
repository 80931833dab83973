import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { foldIndex, gaussianBlur, gaussianKernel } from './gaussian.js';
import { caseImage, maxAbsDiff, referenceCases } from './test-helpers.js';

describe('gaussianKernel', () => {
  it('has 2·round(4σ)+1 taps that sum to 1 and are symmetric', () => {
    const k = gaussianKernel(1.5);
    expect(k.length).toBe(13);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let i = 0; i < k.length; i++) expect(k[i]).toBeCloseTo(k[k.length - 1 - i] as number, 15);
    expect(gaussianKernel(0)).toEqual(Float64Array.of(1));
  });
});

describe('foldIndex', () => {
  it('reflects about the edge (scipy reflect) and clamps (nearest)', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 9].map((i) => foldIndex(i, 5, 'reflect'))).toEqual([
      2, 1, 0, 0, 4, 4, 3, 0,
    ]);
    expect([-2, 7].map((i) => foldIndex(i, 5, 'nearest'))).toEqual([0, 4]);
  });
});

describe('gaussianBlur equals scipy.ndimage.gaussian_filter (fixtures/reference.json)', () => {
  for (const c of referenceCases('gaussian'))
    it(c.name, () => {
      const out = gaussianBlur(caseImage(c), c.sigma as number, {
        mode: c.mode as 'reflect' | 'nearest',
      });
      expect(maxAbsDiff(out.data, c.output)).toBeLessThan(1e-4); // float32 output of values ≈ 100
    });

  it('keeps a constant image and its mean, per channel', () => {
    const data = new Float32Array(12 * 9 * 2);
    for (let i = 0; i < data.length; i++) data[i] = i % 2 === 0 ? 3 : -7;
    const out = gaussianBlur({ data, shape: [12, 9, 2] }, 2.5);
    for (let i = 0; i < out.data.length; i++)
      expect(out.data[i]).toBeCloseTo(i % 2 === 0 ? 3 : -7, 5);
  });

  it('refuses a negative sigma and NaN pixels, naming the argument', () => {
    const image = { data: new Float32Array(4), shape: [2, 2, 1] as const };
    expect(() => gaussianBlur(image, -1)).toThrow(/gaussianBlur.*sigma/);
    const nan = { data: Float32Array.of(0, Number.NaN, 0, 0), shape: [2, 2, 1] as const };
    try {
      gaussianBlur(nan, 1);
      expect.unreachable();
    } catch (err) {
      expect(isCellshapeError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect(String(err)).toMatch(/image\.data\[1\]/);
    }
    expect(() => gaussianBlur({ data: new Float32Array(3), shape: [2, 2, 1] }, 1)).toThrow(
      /image\.data/,
    );
  });
});
