import { describe, expect, it } from 'vitest';
import { fft, powerSpectrum2d } from './fft.js';

/** The O(n²) definition. */
function dft(re: number[], im: number[]): [number[], number[]] {
  const n = re.length;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * j * k) / n;
      sr += (re[j] as number) * Math.cos(a) - (im[j] as number) * Math.sin(a);
      si += (re[j] as number) * Math.sin(a) + (im[j] as number) * Math.cos(a);
    }
    outRe.push(sr);
    outIm.push(si);
  }
  return [outRe, outIm];
}

describe('fft', () => {
  for (const n of [1, 2, 8, 64, 3, 5, 12, 45, 100])
    it(`equals the DFT definition for n = ${n}`, () => {
      const re = Array.from({ length: n }, (_, i) => Math.sin(1.3 * i) + 0.1 * i);
      const im = Array.from({ length: n }, (_, i) => Math.cos(0.7 * i * i));
      const [er, ei] = dft(re, im);
      const r = Float64Array.from(re);
      const m = Float64Array.from(im);
      fft(r, m);
      for (let k = 0; k < n; k++) {
        expect(r[k]).toBeCloseTo(er[k] as number, 9);
        expect(m[k]).toBeCloseTo(ei[k] as number, 9);
      }
    });
});

describe('powerSpectrum2d', () => {
  it("satisfies Parseval (Σ|F|² = N·Σx²) and puts a cosine's power at its frequency", () => {
    const h = 12;
    const w = 10;
    const plane = new Float64Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) plane[y * w + x] = Math.cos((2 * Math.PI * 3 * x) / w);
    const p = powerSpectrum2d(plane, h, w);
    const energy = plane.reduce((a, v) => a + v * v, 0);
    expect(p.reduce((a, v) => a + v, 0)).toBeCloseTo(h * w * energy, 6);
    expect(p[3]).toBeCloseTo((h * w * h * w) / 4, 6);
    expect(p[w - 3]).toBeCloseTo((h * w * h * w) / 4, 6);
    expect(p[1]).toBeCloseTo(0, 6);
  });
});
