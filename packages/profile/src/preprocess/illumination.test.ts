import { describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { correctIllumination, estimateIllumination } from './illumination.js';

/** Images of uniform samples under a vignetting field, each with a bright cell somewhere else. */
function vignettedStack(
  n: number,
  height: number,
  width: number,
): { images: Image2D<Float32Array>[]; field: Float64Array } {
  const field = new Float64Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      field[y * width + x] =
        1 - 0.4 * (((x - width / 2) / width) ** 2 + ((y - height / 2) / height) ** 2);
  const images = Array.from({ length: n }, (_, k) => {
    const data = new Float32Array(height * width);
    const cy = (7 + 11 * k) % height;
    const cx = (5 + 17 * k) % width;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const cell = (y - cy) ** 2 + (x - cx) ** 2 < 9 ? 300 : 0;
        data[y * width + x] = (100 + cell) * (field[y * width + x] as number);
      }
    return { data, shape: [height, width, 1] as const };
  });
  return { images, field };
}

describe('estimateIllumination / correctIllumination', () => {
  it('recovers a vignetting field (mean 1) from the per-pixel median, and flattens the images', () => {
    const { images, field } = vignettedStack(9, 40, 48);
    const estimate = estimateIllumination(images, { sigma: 2 });
    const mean = field.reduce((a, b) => a + b, 0) / field.length;
    let err = 0;
    for (let i = 0; i < field.length; i++)
      err = Math.max(err, Math.abs((estimate.data[i] as number) - (field[i] as number) / mean));
    expect(err).toBeLessThan(0.02); // the smoothing bends the field a little at the edges
    expect(estimate.data.reduce((a, b) => a + b, 0) / estimate.data.length).toBeCloseTo(1, 5);
    const flat = correctIllumination(images[0]!, estimate);
    // background pixels now agree within 2 % (they varied by 10 % before)
    const background = Array.from(flat.data).filter((v) => v < 200);
    expect(Math.max(...background) / Math.min(...background)).toBeLessThan(1.02);
  });

  it('reports progress per image read and per channel field', () => {
    const { images } = vignettedStack(3, 8, 8);
    const events: string[] = [];
    estimateIllumination(images, {
      onProgress: (e) => events.push(`${e.message} ${e.done}/${e.total}`),
    });
    expect(events).toEqual(['read 1/3', 'read 2/3', 'read 3/3', 'field 1/1']);
  });

  it("'mean' is pulled by the cells; the median is not", () => {
    const { images } = vignettedStack(9, 40, 48);
    const median = estimateIllumination(images, { sigma: 0 });
    const mean = estimateIllumination(images, { sigma: 0, statistic: 'mean' });
    const spread = (a: Float32Array): number => Math.max(...a) / Math.min(...a);
    expect(spread(mean.data)).toBeGreaterThan(spread(median.data));
  });

  it('refuses an empty stack and images of different shapes', () => {
    expect(() => estimateIllumination([])).toThrow(/estimateIllumination.*images/);
    const a = { data: new Float32Array(4).fill(1), shape: [2, 2, 1] as const };
    const b = { data: new Float32Array(6).fill(1), shape: [2, 3, 1] as const };
    expect(() => estimateIllumination([a, b])).toThrow(/images\[1\]\.shape/);
    expect(() => correctIllumination(b, a)).toThrow(/field\.shape/);
  });
});
