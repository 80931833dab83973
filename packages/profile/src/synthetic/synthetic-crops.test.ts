import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { syntheticCrops2D } from './synthetic-crops.js';

describe('syntheticCrops2D', () => {
  it('gives balanced, reproducible crops with one centred cell each', () => {
    const a = syntheticCrops2D({ count: 3, size: 48, seed: 2 });
    const b = syntheticCrops2D({ count: 3, size: 48, seed: 2 });
    expect(a.ids.length).toBe(15);
    expect([...a.labels]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(a.ids[3]).toBe('elongated-0');
    a.images.forEach((image, i) => {
      expect(image.shape).toEqual([48, 48, 1]);
      expect(Buffer.from(image.data.buffer).equals(Buffer.from(b.images[i]!.data.buffer))).toBe(
        true,
      );
      // The mask's centroid lies within the jitter (2 px) plus a pixel of the crop centre, and
      // the mask never touches the border.
      const m = a.masks[i]!.data;
      let [sx, sy, n, onBorder] = [0, 0, 0, 0];
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 48; x++) {
          if (!m[y * 48 + x]) continue;
          if (x === 0 || y === 0 || x === 47 || y === 47) onBorder++;
          [sx, sy, n] = [sx + x, sy + y, n + 1];
        }
      expect(onBorder).toBe(0);
      expect(n).toBeGreaterThan(30);
      // Asymmetric cells (protrusions) pull the centroid off the box centre a little more.
      expect(Math.abs(sx / n - 23.5)).toBeLessThan(8);
      expect(Math.abs(sy / n - 23.5)).toBeLessThan(8);
    });
  });

  it('keeps a crop when other families are added', () => {
    const one = syntheticCrops2D({ count: 2, families: ['lobed'], seed: 4 });
    const all = syntheticCrops2D({ count: 2, seed: 4 });
    const i = all.ids.indexOf('lobed-1');
    expect(Buffer.from(all.masks[i]!.data).equals(Buffer.from(one.masks[1]!.data))).toBe(true);
  });

  it('renders two channels for fluorescence', () => {
    const { images } = syntheticCrops2D({
      count: 1,
      modality: 'fluorescence',
      families: ['round'],
    });
    expect(images[0]!.shape).toEqual([64, 64, 2]);
  });

  it('refuses bad options', () => {
    expect(() => syntheticCrops2D({ families: [] })).toThrow(InvalidArgumentError);
    expect(() => syntheticCrops2D({ size: 8 })).toThrow(/'size'/);
    expect(() => syntheticCrops2D({ count: 0 })).toThrow(/'count'/);
    expect(() => syntheticCrops2D({ jitter: 40 })).toThrow(/'jitter'/);
  });
});
