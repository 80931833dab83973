import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { MASK_MEASURES, maskMeasures } from './mask-measures.js';

/** scikit-image 0.19 regionprops of 45 masks (scripts/make-mask-measures-fixture.py). */
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/mask-measures.json', import.meta.url), 'utf8'),
) as { cases: Array<Record<string, number> & { rows: string[] }> };

describe('maskMeasures', () => {
  it("equals scikit-image's regionprops on 45 masks (blobs, a line, a pixel, a ring, a diagonal)", () => {
    for (const { rows, ...expected } of fixture.cases) {
      const [h, w] = [rows.length, rows[0]!.length];
      const mask = Uint8Array.from(rows.join(''), (ch) => Number(ch));
      const got = maskMeasures(mask, h, w)!;
      for (const [name, value] of Object.entries(expected))
        expect(got[name as keyof typeof got], `${name} of\n${rows.join('\n')}`).toBeCloseTo(
          value,
          9,
        );
    }
  });

  it('ranks a disk above a square in circularity, both solid, the disk round', () => {
    const n = 101;
    const disk = Uint8Array.from({ length: n * n }, (_, i) =>
      (Math.floor(i / n) - 50) ** 2 + ((i % n) - 50) ** 2 <= 45 ** 2 ? 1 : 0,
    );
    const d = maskMeasures(disk, n, n)!;
    // The pixel perimeter estimator runs long on a digital disk: 0.91, not 1.
    expect(d.circularity).toBeGreaterThan(0.88);
    expect(d.eccentricity).toBeLessThan(0.01);
    expect(d.solidity).toBeGreaterThan(0.98);
    const square = Uint8Array.from({ length: n * n }, (_, i) =>
      Math.abs(Math.floor(i / n) - 50) <= 40 && Math.abs((i % n) - 50) <= 40 ? 1 : 0,
    );
    const s = maskMeasures(square, n, n)!;
    expect(s.area).toBe(81 * 81);
    expect(s.extent).toBe(1);
    expect(s.solidity).toBe(1);
    expect(s.perimeter).toBe(4 * 80); // every border pixel weighs 1 on straight edges
    expect(s.circularity).toBeLessThan(d.circularity - 0.05);
  });

  it('returns null for an empty mask and names bad arguments', () => {
    expect(maskMeasures(new Uint8Array(12), 3, 4)).toBeNull();
    expect(() => maskMeasures(new Uint8Array(11), 3, 4)).toThrow(InvalidArgumentError);
    expect(() => maskMeasures(new Uint8Array(12), 0, 4)).toThrow(/maskMeasures/);
    expect(MASK_MEASURES).toHaveLength(8);
  });
});
