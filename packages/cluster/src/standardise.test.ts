import { describe, expect, it } from 'vitest';
import { standardise } from './standardise.js';

describe('standardise', () => {
  it('z-scores columns (ddof 0) and only centres constant columns', () => {
    const r = standardise({ data: new Float64Array([1, 5, 3, 5]), shape: [2, 2] });
    expect(Array.from(r.data)).toEqual([-1, 0, 1, 0]);
    const s = standardise({ data: new Float64Array([1, 3]), shape: [2, 1] }, { ddof: 1 });
    expect(s.data[1]).toBeCloseTo(1 / Math.SQRT2, 14);
  });

  it('rejects bad input', () => {
    expect(() => standardise({ data: new Float64Array([1]), shape: [1, 1] }, { ddof: 1 })).toThrow(
      /2 rows/,
    );
    expect(() =>
      standardise({ data: new Float64Array([Number.POSITIVE_INFINITY]), shape: [1, 1] }),
    ).toThrow(/finite/);
  });
});
