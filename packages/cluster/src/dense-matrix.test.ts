import { describe, expect, it } from 'vitest';
import { denseMatrix } from './dense-matrix.js';

describe('denseMatrix', () => {
  it('packs rows row-major as float64', () => {
    const m = denseMatrix([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.shape).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad input', () => {
    expect(() => denseMatrix([])).toThrow(/non-empty/);
    expect(() => denseMatrix([[1, 2], [3]])).toThrow(/rows\[1\]/);
    expect(() => denseMatrix([[1, Number.NaN]])).toThrow(/finite/);
    expect(() => denseMatrix([[]])).toThrow(/shape/);
  });
});
