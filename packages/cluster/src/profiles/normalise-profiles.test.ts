import { describe, expect, it } from 'vitest';
import { normaliseProfiles } from './normalise-profiles.js';
import { maxDiff, profileFixture } from './test-fixture.js';

describe('normaliseProfiles', () => {
  const fx = profileFixture().profiles;

  it('standardise / robust by hand: (x − mean)/std, (x − median)/(MAD·1.4826)', () => {
    const x = [[1], [2], [4], [9]];
    const s = normaliseProfiles(x);
    // mean 4, population std √(9+4+0+25)/2 = √9.5
    expect(s.data[3]).toBeCloseTo(5 / Math.sqrt(9.5), 14);
    const r = normaliseProfiles(x, { method: 'robust' });
    // median 3, |x − 3| = 2,1,1,6 → MAD 1.5 → scale 2.2239
    expect(r.data[3]).toBeCloseTo(6 / (1.5 * 1.4826), 12);
    const c = normaliseProfiles(x, { reference: [true, true, false, false], ddof: 1 });
    // controls 1, 2: mean 1.5, sample std √0.5
    expect(c.data[2]).toBeCloseTo(2.5 / Math.sqrt(0.5), 14);
  });

  for (const method of ['standardise', 'robust', 'spherize'] as const) {
    it(`${method} equals the numpy reimplementation of pycytominer, per plate, all and controls`, () => {
      const all = normaliseProfiles(fx.x, { method, by: fx.plate });
      expect(maxDiff(all.data, fx.normalise[method].all)).toBeLessThan(1e-9);
      const ctrl = normaliseProfiles(fx.x, { method, by: fx.plate, reference: fx.control });
      expect(maxDiff(ctrl.data, fx.normalise[method].controls)).toBeLessThan(1e-9);
      const whole = normaliseProfiles(fx.x, { method });
      expect(maxDiff(whole.data, fx.normalise[method].unbatched)).toBeLessThan(1e-9);
    });
  }

  it('spherize whitens: the reference rows come out with identity covariance', () => {
    const w = normaliseProfiles(fx.x, { method: 'spherize' });
    const [n, f] = w.shape;
    for (let a = 0; a < f; a++)
      for (let b = 0; b < f; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += w.data[i * f + a]! * w.data[i * f + b]!;
        expect(s / (n - 1)).toBeCloseTo(a === b ? 1 : 0, 5);
      }
  });

  it('rejects too few reference rows, rank-deficient spherize and bad options', () => {
    expect(() =>
      normaliseProfiles([[1], [2], [3]], { by: ['p', 'p', 'q'], reference: [true, false, false] }),
    ).toThrow(/plate "q" has 0 control cells, at least 1/);
    expect(() =>
      normaliseProfiles(
        [
          [1, 2],
          [2, 4],
          [3, 6.5],
        ],
        { method: 'spherize', reference: [true, true, false] },
      ),
    ).toThrow(/more reference rows than features, the data has 2 rows for 2 features/);
    expect(() =>
      normaliseProfiles(
        [
          [1, 2],
          [2, 4],
          [3, 6],
          [5, 10],
        ],
        { method: 'spherize' },
      ),
    ).toThrow(/not of full rank/);
    expect(() =>
      normaliseProfiles(
        [
          [1, 5],
          [2, 5],
          [3, 5],
        ],
        { method: 'spherize' },
      ),
    ).toThrow(/feature 1 is constant/);
    expect(() => normaliseProfiles([[1], [2]], { reference: [true] })).toThrow(/options.reference/);
    expect(() => normaliseProfiles([[Number.NaN], [2]])).toThrow(/finite numbers, got NaN/);
  });
});
