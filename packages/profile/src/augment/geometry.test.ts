import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { flip, randomCropBox, resizeBox, rotate90 } from './geometry.js';

const image = () => {
  const data = new Uint16Array(3 * 4 * 2);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return { data, shape: [3, 4, 2] as const };
};

describe('rotate90 and flip', () => {
  it('rotate90 equals numpy.rot90 on a 3 × 4 image (one turn: columns become rows, last first)', () => {
    const r = rotate90({ data: Uint8Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3, 1] }, 1);
    expect(r.shape).toEqual([3, 2, 1]);
    expect(Array.from(r.data)).toEqual([3, 6, 2, 5, 1, 4]); // np.rot90([[1,2,3],[4,5,6]])
    const r3 = rotate90({ data: Uint8Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3, 1] }, -1);
    expect(Array.from(r3.data)).toEqual([4, 1, 5, 2, 6, 3]);
  });

  it('four turns are the identity, two turns equal both flips, flips are involutions', () => {
    const a = image();
    let r = a as ReturnType<typeof image> | ReturnType<typeof rotate90<Uint16Array>>;
    for (let k = 0; k < 4; k++) r = rotate90(r, 1);
    expect(r.shape).toEqual(a.shape);
    expect(Array.from(r.data)).toEqual(Array.from(a.data));
    expect(Array.from(rotate90(a, 2).data)).toEqual(
      Array.from(flip(flip(a, 'horizontal'), 'vertical').data),
    );
    for (const axis of ['horizontal', 'vertical'] as const) {
      expect(Array.from(flip(flip(a, axis), axis).data)).toEqual(Array.from(a.data));
      expect(flip(a, axis).data).toBeInstanceOf(Uint16Array);
    }
    expect(
      Array.from(flip({ data: Uint8Array.of(1, 2, 3), shape: [1, 3, 1] }, 'horizontal').data),
    ).toEqual([3, 2, 1]);
  });
});

describe('resizeBox and randomCropBox', () => {
  it('bilinear resize keeps a linear ramp linear (pixel centres aligned) and a constant constant', () => {
    const ramp = new Float32Array(8).map((_, x) => x);
    const up = resizeBox(
      { data: ramp, shape: [1, 8, 1] },
      { y: 0, x: 0, height: 1, width: 8 },
      1,
      16,
    );
    // output centre (x + ½)/2 − ½ in source pixels, clamped at the ends
    expect(up.data[5]).toBeCloseTo(2.25, 6);
    expect(up.data[0]).toBe(0);
    expect(up.data[15]).toBe(7);
    const down = resizeBox(
      { data: ramp, shape: [1, 8, 1] },
      { y: 0, x: 0, height: 1, width: 8 },
      1,
      4,
    );
    expect(Array.from(down.data)).toEqual([0.5, 2.5, 4.5, 6.5]);
  });

  it('draws crops of area U(0.5, 1) with the aspect ratio kept, inside the image', () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const box = randomCropBox(100, 100, rng);
      expect(box.height).toBe(box.width);
      expect(box.height * box.width).toBeGreaterThanOrEqual(0.49 * 100 * 100);
      expect(box.y + box.height).toBeLessThanOrEqual(100);
      expect(box.x + box.width).toBeLessThanOrEqual(100);
    }
    expect(() => randomCropBox(10, 10, rng, { scale: [0, 1] })).toThrow(
      /randomCropBox.*options\.scale\[0\]/,
    );
  });
});
