import { describe, expect, it } from 'vitest';
import { aggregateProfiles } from './aggregate-profiles.js';
import { maxDiff, profileFixture } from './test-fixture.js';

describe('aggregateProfiles', () => {
  it('takes the median or mean per group, counts kept, NaN skipped (hand-computed)', () => {
    const x = [
      [1, 10],
      [3, Number.NaN],
      [8, 30],
      [5, 7],
    ];
    const med = aggregateProfiles(x, ['a', 'a', 'a', 'b']);
    expect(med.columns).toEqual(['group']);
    expect(med.keys).toEqual([['a'], ['b']]);
    expect(med.counts).toEqual([3, 1]);
    expect(Array.from(med.profiles.data)).toEqual([3, 20, 5, 7]);
    expect(Array.from(med.groupOf)).toEqual([0, 0, 0, 1]);
    const mean = aggregateProfiles(x, ['a', 'a', 'a', 'b'], { method: 'mean' });
    expect(Array.from(mean.profiles.data)).toEqual([4, 20, 5, 7]);
  });

  it('groups jointly by several key columns (1 and "1" stay apart); all-NaN gives NaN', () => {
    const r = aggregateProfiles([[1], [2], [Number.NaN], [4]], {
      plate: ['p', 'p', 'q', 'q'],
      well: [1, 1, '1', 1],
    });
    expect(r.columns).toEqual(['plate', 'well']);
    expect(r.keys).toEqual([
      ['p', 1],
      ['q', '1'],
      ['q', 1],
    ]);
    expect(r.counts).toEqual([2, 1, 1]);
    expect(Array.from(r.profiles.data)).toEqual([1.5, Number.NaN, 4]);
  });

  it("equals pycytominer's aggregate (numpy fixture) per plate and well", () => {
    const { profiles: p } = profileFixture();
    for (const method of ['median', 'mean'] as const) {
      const r = aggregateProfiles(p.x, { plate: p.plate, well: p.well }, { method });
      expect(r.keys).toEqual(p.keys);
      expect(r.counts).toEqual(p.counts);
      expect(maxDiff(r.profiles.data, p.aggregate[method])).toBeLessThan(1e-12);
    }
  });

  it('rejects bad input naming the argument', () => {
    expect(() => aggregateProfiles([[1]], ['a', 'b'])).toThrow(/aggregateProfiles: 'groups'/);
    expect(() => aggregateProfiles([[1], [2]], { plate: ['a'] })).toThrow(/'groups.plate'/);
    expect(() => aggregateProfiles([[Number.POSITIVE_INFINITY]], ['a'])).toThrow(
      /'x' must hold finite numbers or NaN/,
    );
    expect(() => aggregateProfiles([[1]], ['a'], { method: 'max' as unknown as 'mean' })).toThrow(
      /options.method/,
    );
  });
});
