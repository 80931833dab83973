import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import type { Image2D } from '../types.js';
import { dilateMask } from './mask.js';
import { augmentBatch, augmentView } from './view.js';

/** A 32 × 32 two-channel crop with a bright 8 × 8 "cell" in the middle and a textured background. */
function cellCrop(): { image: Image2D<Float32Array>; mask: Uint8Array } {
  const n = 32;
  const data = new Float32Array(n * n * 2);
  const mask = new Uint8Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const inside = y >= 12 && y < 20 && x >= 12 && x < 20;
      mask[y * n + x] = inside ? 1 : 0;
      data[(y * n + x) * 2] = inside ? 100 : 10 + ((x * 7 + y * 3) % 5);
      data[(y * n + x) * 2 + 1] = inside ? 50 : 5 + ((x + y) % 3);
    }
  return { image: { data, shape: [n, n, 2] }, mask };
}

describe('dilateMask', () => {
  it('grows a single pixel into the 13-pixel disk of radius 2', () => {
    const mask = new Uint8Array(49);
    mask[24] = 1;
    const d = dilateMask(mask, 7, 7, 2);
    expect(d.reduce((a, b) => a + b, 0)).toBe(13);
    expect(d[24 - 14]).toBe(1); // two rows up
    expect(d[24 - 16]).toBe(0); // (−2, −2) is outside the disk
  });
});

describe('augmentView', () => {
  it('is deterministic for a seed and draws a fresh view on each call', () => {
    const { image } = cellCrop();
    const a = augmentView(image, undefined, createRng(5));
    const b = augmentView(image, undefined, createRng(5));
    expect(Array.from(a.image.data)).toEqual(Array.from(b.image.data));
    const rng = createRng(5);
    const views = Array.from({ length: 6 }, () =>
      Array.from(augmentView(image, undefined, rng).image.data).join(),
    );
    expect(new Set(views).size).toBeGreaterThan(1);
  });

  it('blur keeps a constant image constant (and its mean)', () => {
    const flat = { data: new Float32Array(16 * 16 * 3).fill(7), shape: [16, 16, 3] as const };
    const out = augmentView(flat, undefined, createRng(1), { blur: [2, 3] }).image.data;
    for (const v of out) expect(v).toBeCloseTo(7, 5);
  });

  it('FBR: zero outside the dilated mask, the image untouched inside', () => {
    const { image, mask } = cellCrop();
    for (let seed = 0; seed < 10; seed++) {
      const view = augmentView(image, mask, createRng(seed), { blackout: 'fbr', blur: false });
      const m = view.mask as Uint8Array;
      expect(m.reduce((a, v) => a + v, 0)).toBe(
        dilateMask(mask, 32, 32, 2).reduce((a, v) => a + v, 0),
      );
      for (let i = 0; i < m.length; i++)
        if (!m[i]) expect([view.image.data[2 * i], view.image.data[2 * i + 1]]).toEqual([0, 0]);
        else expect(view.image.data[2 * i]).toBeGreaterThan(0);
    }
  });

  it('PBR never changes a pixel of the dilated mask and blanks a square of background', () => {
    const { image, mask } = cellCrop();
    for (let seed = 0; seed < 10; seed++) {
      const opts = { blackout: 'pbr', blur: false } as const;
      const view = augmentView(image, mask, createRng(seed), opts);
      const same = augmentView(image, mask, createRng(seed), { ...opts, blackout: 'none' });
      const m = view.mask as Uint8Array;
      let blanked = 0;
      for (let i = 0; i < m.length; i++) {
        for (const c of [0, 1]) {
          if (m[i]) expect(view.image.data[2 * i + c]).toBe(same.image.data[2 * i + c]);
          else if (view.image.data[2 * i + c] !== same.image.data[2 * i + c]) {
            expect(view.image.data[2 * i + c]).toBe(0);
            blanked++;
          }
        }
      }
      expect(blanked).toBeGreaterThan(0);
    }
  });

  it('random resized crop gives S × S; z-score gives mean 0, std 1 per channel', () => {
    const { image } = cellCrop();
    const view = augmentView(image, undefined, createRng(2), {
      crop: { size: 24 },
      zScore: true,
    }).image;
    expect(view.shape).toEqual([24, 24, 2]);
    for (const c of [0, 1]) {
      const v = Array.from(view.data).filter((_, i) => i % 2 === c);
      const mean = v.reduce((a, b) => a + b) / v.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length)).toBeCloseTo(1, 4);
    }
  });

  it('refuses PBR without a mask and a mask of the wrong size', () => {
    const { image } = cellCrop();
    expect(() => augmentView(image, undefined, createRng(1), { blackout: 'pbr' })).toThrow(
      /augmentView.*mask/,
    );
    expect(() => augmentView(image, new Uint8Array(3), createRng(1))).toThrow(/augmentView.*mask/);
  });
});

describe('augmentBatch', () => {
  it('equals augmentView on each sample with the forks of the seed, and is deterministic', () => {
    const { image, mask } = cellCrop();
    const b = 3;
    const data = new Float32Array(b * image.data.length);
    const masks = new Uint8Array(b * mask.length);
    for (let i = 0; i < b; i++) {
      data.set(
        image.data.map((v) => v + i),
        i * image.data.length,
      );
      masks.set(mask, i * mask.length);
    }
    const options = { blackout: 'pbr', crop: { size: 16 } } as const;
    const out = augmentBatch(data, [b, 32, 32, 2], masks, 9, options);
    expect(out.length).toBe(b * 16 * 16 * 2);
    expect(Array.from(augmentBatch(data, [b, 32, 32, 2], masks, 9, options))).toEqual(
      Array.from(out),
    );
    const rng = createRng(9);
    for (let i = 0; i < b; i++) {
      const one = augmentView(
        { data: data.subarray(i * 2048, (i + 1) * 2048), shape: [32, 32, 2] },
        mask,
        rng.fork(),
        options,
      );
      expect(Array.from(out.subarray(i * 512, (i + 1) * 512))).toEqual(Array.from(one.image.data));
    }
  });

  it('refuses a wrong data length and rotations of non-square images', () => {
    expect(() => augmentBatch(new Float32Array(5), [1, 2, 2, 1], undefined, 0)).toThrow(
      /augmentBatch.*data/,
    );
    expect(() => augmentBatch(new Float32Array(6), [1, 2, 3, 1], undefined, 0)).toThrow(
      /augmentBatch.*shape/,
    );
    expect(
      augmentBatch(new Float32Array(6), [1, 2, 3, 1], undefined, 0, { rotate: false }).length,
    ).toBe(6);
  });
});
