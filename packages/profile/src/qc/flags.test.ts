import { parseCsv } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { gaussianBlur } from '../preprocess/gaussian.js';
import type { Image2D } from '../types.js';
import { measureQc, QC_COLUMNS, qcCsv, qcFlags, robustZ } from './flags.js';
import { intensityStats } from './intensity.js';

describe('intensityStats', () => {
  it('equals NumPy on 0..99 (median 49.5, q01 0.99, q99 98.01, std 28.866)', () => {
    const data = new Uint16Array(100).map((_, i) => i);
    const [s] = intensityStats({ data, shape: [10, 10, 1] });
    expect(s).toMatchObject({
      min: 0,
      max: 99,
      mean: 49.5,
      median: 49.5,
      total: 4950,
      saturatedFraction: 0,
    });
    expect(s?.q01).toBeCloseTo(0.99, 12);
    expect(s?.q25).toBeCloseTo(24.75, 12);
    expect(s?.q75).toBeCloseTo(74.25, 12);
    expect(s?.q99).toBeCloseTo(98.01, 12);
    expect(s?.std).toBeCloseTo(28.86607004772212, 12);
  });

  it('refuses a malformed image, naming the argument', () => {
    expect(() => intensityStats(null as never)).toThrow(/intensityStats.*image/);
    expect(() =>
      intensityStats({ data: Float32Array.of(1, Number.NaN), shape: [1, 2, 1] }),
    ).toThrow(/image\.data\[1\]/);
  });

  it('counts saturation at the integer type maximum, or at the maximum of a float image', () => {
    const bytes = Uint8Array.of(0, 255, 255, 10);
    expect(intensityStats({ data: bytes, shape: [2, 2, 1] })[0]?.saturatedFraction).toBe(0.5);
    const floats = Float32Array.of(0.1, 0.9, 0.5, 0.9);
    expect(intensityStats({ data: floats, shape: [2, 2, 1] })[0]?.saturatedFraction).toBe(0.5);
    expect(
      intensityStats({ data: floats, shape: [2, 2, 1] }, { saturationValue: 2 })[0]
        ?.saturatedFraction,
    ).toBe(0);
  });
});

describe('robustZ', () => {
  it('uses the median and 1.4826·MAD', () => {
    expect(robustZ([1, 2, 3, 4, 100])).toEqual([-2, -1, 0, 1, 97].map((d) => d / 1.4826));
    expect(robustZ([5, 5, 5, 7])).toEqual([0, 0, 0, Number.POSITIVE_INFINITY]);
  });
});

/** An 8-bit field of bright discs on a background, scaled by `gain`. */
function field(seed: number, gain = 1): Image2D<Uint8Array> {
  const n = 64;
  const data = new Uint8Array(n * n).fill(20 * gain);
  for (let k = 0; k < 12; k++) {
    const cy = (seed * 13 + k * 29) % n;
    const cx = (seed * 7 + k * 41) % n;
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= 16) data[y * n + x] = 120 * gain;
  }
  return { data, shape: [n, n, 1] };
}

describe('qcFlags', () => {
  it('flags the blurred, the saturated, the empty and the dim image of a batch, and no other', () => {
    const measurements = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((seed) =>
      measureQc(`site${seed}`, field(seed)),
    );
    const blurred = gaussianBlur(field(8), 3);
    measurements.push(
      ...measureQc('blurred', { data: Uint8Array.from(blurred.data), shape: blurred.shape }),
    );
    const clipped = field(9);
    for (let i = 0; i < 200; i++) clipped.data[i] = 255;
    measurements.push(...measureQc('saturated', clipped));
    measurements.push(
      ...measureQc('empty', { data: new Uint8Array(64 * 64).fill(20), shape: [64, 64, 1] }),
    );
    measurements.push(...measureQc('dim', field(10, 0.2)));
    // eight regular test fields vary little, so their MAD is small: judge at 5 robust SDs
    const rows = qcFlags(measurements, { zThreshold: 5 });
    const by = (id: string) => rows.find((r) => r.image === id)!;
    expect(by('blurred').outOfFocus).toBe(1);
    expect(by('saturated').saturated).toBe(1);
    expect(by('empty').empty).toBe(1);
    expect(by('dim').dim).toBe(1);
    for (const r of rows.filter((r) => r.image.startsWith('site'))) expect(r.flagged).toBe(0);
  });

  it('judges each batch on its own', () => {
    const bright = [0, 1, 2, 3].flatMap((s) => measureQc(`a${s}`, field(s, 3), { batch: 'A' }));
    const dark = [0, 1, 2, 3].flatMap((s) => measureQc(`b${s}`, field(s), { batch: 'B' }));
    expect(qcFlags([...bright, ...dark]).every((r) => r.dim === 0)).toBe(true);
  });

  it('writes a CSV with one row per image and channel that parses back', () => {
    const rows = qcFlags([0, 1, 2].flatMap((s) => measureQc(`s${s}`, field(s))));
    const table = parseCsv(qcCsv(rows));
    expect(table.header).toEqual([...QC_COLUMNS]);
    expect(table.rows.length).toBe(3);
    expect(table.rows[1]?.[0]).toBe('s1');
  });

  it('refuses a bad threshold', () => {
    expect(() => qcFlags([], { zThreshold: 0 })).toThrow(/qcFlags.*options\.zThreshold/);
  });
});
