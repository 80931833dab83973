import { describe, expect, it } from 'vitest';
import { gaussianBlur } from '../preprocess/gaussian.js';
import type { Image2D } from '../types.js';
import { focusScore } from './focus.js';

/** Seeded "cells": discs of random size and brightness on a dim textured background. */
function cellField(height: number, width: number, seed: number): Image2D<Float32Array> {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const data = new Float32Array(height * width);
  for (let i = 0; i < data.length; i++) data[i] = 10 + 2 * rand();
  for (let k = 0; k < 25; k++) {
    const cy = rand() * height;
    const cx = rand() * width;
    const r = 2 + 6 * rand();
    const v = 50 + 100 * rand();
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r)
          data[y * width + x] = (data[y * width + x] as number) + v;
  }
  return { data, shape: [height, width, 1] };
}

describe('focusScore', () => {
  it('ranks a blurred series of the same image monotonically (sharper = higher), square and not', () => {
    for (const [h, w] of [
      [96, 96],
      [90, 120],
    ] as const) {
      const image = cellField(h, w, 7);
      const scores = [0, 0.5, 1, 1.5, 2, 3, 4].map(
        (sigma) => focusScore(gaussianBlur(image, sigma))[0] as number,
      );
      for (let i = 1; i < scores.length; i++)
        expect(scores[i]).toBeLessThan(scores[i - 1] as number);
    }
  });

  it('is near 0 for white noise and steep for blurred noise', () => {
    let s = 3;
    const rand = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296 - 0.5;
    };
    const n = 128;
    const noise = { data: new Float32Array(n * n).map(() => rand()), shape: [n, n, 1] as const };
    expect(Math.abs(focusScore(noise)[0] as number)).toBeLessThan(0.2);
    expect(focusScore(gaussianBlur(noise, 2))[0]).toBeLessThan(-1); // exp(−4π²σ²f²) over 0.02–0.125
  });

  it('keeps the ranking when camera noise is added after the blur', () => {
    const image = cellField(96, 96, 7);
    let s = 11;
    const rand = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296 - 0.5;
    };
    const scores = [0, 0.5, 1, 1.5, 2, 3, 4].map((sigma) => {
      const blurred = gaussianBlur(image, sigma);
      const noisy = blurred.data.map((v) => v + 3.46 * rand()); // std 1
      return focusScore({ data: noisy, shape: blurred.shape })[0] as number;
    });
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1] as number);
  });

  it('scores channels separately; a constant channel is NaN; refuses a tiny image', () => {
    const data = new Float32Array(64 * 64 * 2);
    const single = cellField(64, 64, 1).data;
    for (let i = 0; i < single.length; i++) data[2 * i] = single[i] as number;
    const [a, b] = focusScore({ data, shape: [64, 64, 2] });
    expect(a).toBeCloseTo(focusScore({ data: single, shape: [64, 64, 1] })[0] as number, 10);
    expect(b).toBeNaN();
    expect(() => focusScore({ data: new Float32Array(16), shape: [4, 4, 1] })).toThrow(
      /focusScore.*image/,
    );
  });
});
