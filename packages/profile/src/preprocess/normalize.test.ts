import { describe, expect, it } from 'vitest';
import { centerCrop } from './center-crop.js';
import { normalizeImage, percentileOfSorted } from './normalize.js';

describe('normalizeImage', () => {
  it("'minmax' maps each channel's range to [0, 1]", () => {
    const image = {
      data: Uint16Array.of(0, 10, 100, 30, 200, 50, 400, 70),
      shape: [2, 2, 2] as const,
    };
    const out = normalizeImage(image, { method: 'minmax' });
    expect(Array.from(out.data)).toEqual([0, 0, 0.25, 1 / 3, 0.5, 2 / 3, 1, 1].map(Math.fround));
  });

  it("'percentile' uses NumPy's linear percentiles and clips", () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileOfSorted([0, 10], 25)).toBe(2.5);
    const data = new Float32Array(101);
    for (let i = 0; i <= 100; i++) data[i] = i;
    data[100] = 1e6; // a hot pixel does not squash the range
    const out = normalizeImage({ data, shape: [1, 101, 1] }, { low: 1, high: 99 });
    expect(out.data[1]).toBe(0);
    expect(out.data[50]).toBeCloseTo(49 / 98, 6);
    expect(out.data[100]).toBe(1);
  });

  it("'zscore' gives mean 0 and standard deviation 1 per channel; a constant channel gives 0", () => {
    const data = Float32Array.of(1, 5, 2, 5, 3, 5, 10, 5);
    const out = normalizeImage({ data, shape: [4, 1, 2] }, { method: 'zscore' });
    const c0 = [0, 2, 4, 6].map((i) => out.data[i] as number);
    const mean = c0.reduce((a, b) => a + b) / 4;
    expect(mean).toBeCloseTo(0, 6);
    expect(Math.sqrt(c0.reduce((a, b) => a + (b - mean) ** 2, 0) / 4)).toBeCloseTo(1, 6);
    expect([1, 3, 5, 7].map((i) => out.data[i])).toEqual([0, 0, 0, 0]);
  });

  it('refuses low ≥ high and an unknown method', () => {
    const image = { data: new Float32Array(4), shape: [2, 2, 1] as const };
    expect(() => normalizeImage(image, { low: 99, high: 1 })).toThrow(
      /normalizeImage.*options\.low/,
    );
    expect(() => normalizeImage(image, { method: 'l2' as never })).toThrow(/options\.method/);
  });
});

describe('centerCrop', () => {
  it('cuts the central window of every channel, keeping the array type and pixel size', () => {
    const data = new Uint8Array(5 * 6 * 2);
    for (let i = 0; i < data.length; i++) data[i] = i;
    const out = centerCrop({ data, shape: [5, 6, 2], pixelSize: [0.5, 0.5], unit: 'µm' }, [3, 2]);
    expect(out.shape).toEqual([3, 2, 2]);
    expect(out.data).toBeInstanceOf(Uint8Array);
    // rows 1..3, columns 2..3
    const expected = [1, 2, 3].flatMap((y) =>
      [2, 3].flatMap((x) => [0, 1].map((c) => (y * 6 + x) * 2 + c)),
    );
    expect(Array.from(out.data)).toEqual(expected);
    expect(out.pixelSize).toEqual([0.5, 0.5]);
  });

  it('refuses a window larger than the image', () => {
    const image = { data: new Float32Array(16), shape: [4, 4, 1] as const };
    expect(() => centerCrop(image, [5, 2])).toThrow(/centerCrop.*size/);
  });
});
