import { describe, expect, it } from 'vitest';
import { selectFeatures } from './select-features.js';
import { profileFixture } from './test-fixture.js';

describe('selectFeatures', () => {
  const fx = profileFixture().select;

  it("keeps and drops the columns pycytominer's feature_select does (numpy fixture)", () => {
    const r = selectFeatures(fx.x as number[][]);
    expect(r.kept).toEqual(fx.kept);
    expect(Object.fromEntries(r.dropped.map((d) => [String(d.column), d.operation]))).toEqual(
      fx.dropped,
    );
    expect(r.matrix.shape).toEqual([fx.x.length, fx.kept.length]);
    expect(r.matrix.data[0]).toBe(fx.x[0]![fx.kept[0]!]);
  });

  it('correlation: of a pair with r > 0.9 drops the one more correlated with the rest', () => {
    const r = selectFeatures(fx.x as number[][], {
      operations: ['correlation_threshold'],
    });
    expect(r.dropped.map((d) => d.column)).toEqual(fx.correlationOnlyDropped);
    // hand case: b = 2a exactly (r = 1), c unrelated → the tie in |r| sums keeps column order
    const h = selectFeatures(
      [
        [1, 2, 5],
        [2, 4, 1],
        [3, 6, 4],
        [4, 8, 2],
      ],
      { operations: ['correlation_threshold'] },
    );
    expect(h.kept).toEqual([0, 2]);
  });

  it('frequency, variance and missing-value rules by hand', () => {
    const x = [
      [1, 0, 1, 1],
      [1, 1, 2, Number.NaN],
      [1, 2, 3, 2],
      [1, 3, 4, 3],
    ];
    const r = selectFeatures(x, { operations: ['frequency_threshold', 'drop_na_columns'] });
    expect(r.dropped).toEqual([
      { column: 0, operation: 'frequency_threshold' },
      { column: 3, operation: 'drop_na_columns' },
    ]);
    const v = selectFeatures(x, { operations: ['variance_threshold'], minVariance: 1 });
    // population variances: 0, 1.25, 1.25, 2/3 (NaN skipped)
    expect(v.kept).toEqual([1, 2]);
  });

  it('rejects bad input naming the argument', () => {
    expect(() => selectFeatures([[1], [1]])).toThrow(/every one of the 1 features was dropped/);
    expect(() => selectFeatures([[1]], { operations: ['pca' as 'drop_na_columns'] })).toThrow(
      /options.operations/,
    );
    expect(() => selectFeatures([[1]], { corrThreshold: 2 })).toThrow(/options.corrThreshold/);
  });
});
