import { describe, expect, it } from 'vitest';
import { kneedle } from './kneedle.js';

describe('kneedle', () => {
  // kneed's README example (DataGenerator.figure2): y = −1/(x + 0.1) + 5 on 10 points, knee 0.2222.
  const x = Array.from({ length: 10 }, (_, i) => i / 9);
  const y = x.map((v) => -1 / (v + 0.1) + 5);

  it('finds the knee of a concave increasing curve (kneed figure 2)', () => {
    const r = kneedle(x, y, { curve: 'concave', direction: 'increasing' });
    expect(r.knee).toBeCloseTo(2 / 9, 12);
    expect(r.kneeIndex).toBe(2);
  });

  it('finds the same point on the mirrored convex decreasing and convex increasing curves', () => {
    expect(
      kneedle(
        x,
        y.map((v) => -v),
      ).knee,
    ).toBeCloseTo(2 / 9, 12);
    // Reflect x: the knee reflects with it.
    const xr = x.map((v) => 1 - v).reverse();
    const yr = [...y].reverse().map((v) => -v);
    expect(kneedle(xr, yr, { curve: 'convex', direction: 'increasing' }).knee).toBeCloseTo(
      7 / 9,
      12,
    );
  });

  it('picks 4 on sklearn inertia of 4 blobs (KMeans n_init=20, k = 1…10)', () => {
    const inertia = [
      35997.67, 16236.417, 7325.377, 3442.039, 3267.339, 3095.216, 2944.241, 2795.535, 2690.422,
      2566.229,
    ];
    const ks = inertia.map((_, i) => i + 1);
    expect(kneedle(ks, inertia).knee).toBe(4);
  });

  it('returns null on a straight line', () => {
    expect(kneedle([1, 2, 3, 4], [4, 3, 2, 1]).knee).toBeNull();
  });

  it('rejects bad input', () => {
    expect(() => kneedle([1, 2], [1, 2])).toThrow(/at least 3/);
    expect(() => kneedle([1, 3, 2], [1, 2, 3])).toThrow(/strictly increasing/);
    expect(() => kneedle([1, 2, 3], [1, Number.NaN, 3])).toThrow(/finite/);
    expect(() => kneedle([1, 2, 3], [1, 2])).toThrow(/as long as 'x'/);
    expect(() => kneedle([1, 2, 3], [3, 2, 1], { sensitivity: -1 })).toThrow(/sensitivity/);
  });
});
