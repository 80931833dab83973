import { createRng } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { neighbourAgreement } from './neighbour-agreement.js';

describe('neighbourAgreement', () => {
  it('counts the face-adjacent non-zero pairs that hold the same value', () => {
    // One row [5, 5, 7, 0, 7]: pairs (5,5) equal, (5,7) not; 0 breaks the row.
    expect(neighbourAgreement({ data: Uint16Array.of(5, 5, 7, 0, 7), shape: [1, 1, 5] })).toBe(0.5);
    // Two labelled cubes 2 × 2 × 2 side by side: 12 + 12 pairs inside, 4 across the boundary.
    const data = new Uint8Array(2 * 2 * 4);
    for (let i = 0; i < data.length; i++) data[i] = i % 4 < 2 ? 1 : 2;
    expect(neighbourAgreement({ data, shape: [2, 2, 4] })).toBeCloseTo(24 / 28, 15);
  });

  it('is 1 for a binary mask, NaN without touching voxels, small for noise', () => {
    expect(neighbourAgreement({ data: new Uint8Array(27).fill(255), shape: [3, 3, 3] })).toBe(1);
    expect(neighbourAgreement({ data: Uint8Array.of(1, 0, 1), shape: [1, 1, 3] })).toBeNaN();
    const rng = createRng(0);
    const noise = Uint16Array.from({ length: 16 ** 3 }, () => 1 + Math.floor(rng.next() * 1000));
    expect(neighbourAgreement({ data: noise, shape: [16, 16, 16] })).toBeLessThan(0.01);
  });

  it('rejects what is not a volume', () => {
    expect(() => neighbourAgreement({} as never)).toThrow(/^neighbourAgreement: 'volume/);
  });
});
