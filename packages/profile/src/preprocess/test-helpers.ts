import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Image2D } from '../types.js';

const reference: unknown = JSON.parse(
  readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8'),
);

/** One case of fixtures/reference.json (written by scripts/preprocess_reference.py). */
export interface ReferenceCase {
  name: string;
  shape: [number, number];
  /** Key of the input in the fixture's `inputs`. */
  input: string;
  output: number[];
  [param: string]: unknown;
}

/** The golden cases of one method. */
export function referenceCases(
  kind: 'gaussian' | 'median' | 'rankImagej' | 'rollingBall' | 'rollingBallImagej' | 'tvChambolle',
): ReferenceCase[] {
  return (reference as unknown as Record<string, ReferenceCase[]>)[kind] as ReferenceCase[];
}

/** A single-channel float64 image of a reference case's input. */
export function caseImage(c: ReferenceCase): Image2D<Float64Array> {
  const inputs = (reference as { inputs: Record<string, number[]> }).inputs;
  return {
    data: Float64Array.from(inputs[c.input] as number[]),
    shape: [c.shape[0], c.shape[1], 1],
  };
}

/** Largest |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** A seeded smooth-plus-noise test image (values about 0..100), `channels` channels. */
export function syntheticImage(
  height: number,
  width: number,
  channels = 1,
  seed = 1,
): Image2D<Float32Array> {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const data = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++)
        data[(y * width + x) * channels + c] =
          20 +
          0.3 * x +
          0.2 * y +
          40 * Math.exp(-((y - height / 3) ** 2 + (x - width / 2) ** 2) / 20) +
          5 * rand() +
          10 * c;
  return { data, shape: [height, width, channels] };
}
