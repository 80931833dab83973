import { describe, expect, it } from 'vitest';
import { caseImage, maxAbsDiff, referenceCases } from './test-helpers.js';
import { denoiseTvChambolle } from './tv-denoise.js';

describe('denoiseTvChambolle equals skimage.restoration.denoise_tv_chambolle (fixtures/reference.json)', () => {
  for (const c of referenceCases('tvChambolle'))
    it(c.name, () => {
      const out = denoiseTvChambolle(caseImage(c), {
        weight: c.weight as number,
        eps: c.eps as number,
        maxIterations: c.maxIterations as number,
      });
      const scale = Math.max(...c.output.map(Math.abs));
      expect(maxAbsDiff(out.data, c.output) / scale).toBeLessThan(1e-6);
    });

  it('keeps a constant image and the mean of any image', () => {
    const c = referenceCases('tvChambolle')[0]!;
    const image = caseImage(c);
    const out = denoiseTvChambolle(image, { weight: 0.2 });
    const mean = (a: ArrayLike<number>): number =>
      Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out.data)).toBeCloseTo(mean(image.data), 5);
    const flat = denoiseTvChambolle({ data: new Float32Array(30).fill(0.25), shape: [5, 6, 1] });
    expect(maxAbsDiff(flat.data, new Float32Array(30).fill(0.25))).toBe(0);
  });

  it('refuses a weight ≤ 0', () => {
    const image = { data: new Float32Array(4), shape: [2, 2, 1] as const };
    expect(() => denoiseTvChambolle(image, { weight: 0 })).toThrow(
      /denoiseTvChambolle.*options\.weight/,
    );
  });
});
