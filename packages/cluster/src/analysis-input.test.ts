import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import {
  analysisLabels,
  analysisMatrix,
  checkEnoughSamples,
  codeLabels,
} from './analysis-input.js';

describe('analysisMatrix', () => {
  it('packs rows as float64 and passes a DenseMatrix through without a copy', () => {
    const m = analysisMatrix('f', 'X', [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(m.shape).toEqual([3, 2]);
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const dense = { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] as [number, number] };
    expect(analysisMatrix('f', 'X', dense)).toBe(dense);
  });

  it('names the function, the argument and the place of a NaN or ∞', () => {
    const err = (() => {
      try {
        analysisMatrix('silhouetteScore', 'X', [
          [1, 2],
          [3, Number.POSITIVE_INFINITY],
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(isCellshapeError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(err)).toMatch(
      /silhouetteScore: 'X' must hold finite numbers, got Infinity at row 1, column 1/,
    );
    const nan = { data: new Float64Array([0, Number.NaN]), shape: [1, 2] as [number, number] };
    expect(() => analysisMatrix('f', 'X', nan)).toThrow(/'X' must hold finite.*row 0, column 1/);
  });

  it('rejects ragged, empty and too short input', () => {
    expect(() => analysisMatrix('f', 'X', [])).toThrow(/non-empty/);
    expect(() => analysisMatrix('f', 'X', [[1, 2], [3]])).toThrow(/'X\[1\]'/);
    expect(() => analysisMatrix('f', 'X', [[]])).toThrow(/'X\[0\]'/);
    expect(() => analysisMatrix('f', 'X', [[1]], { minRows: 2 })).toThrow(
      /at least 2 samples \(rows\)/,
    );
    const bad = { data: new Float64Array(3), shape: [2, 2] as [number, number] };
    expect(() => analysisMatrix('f', 'X', bad)).toThrow(/'X.shape'/);
  });
});

describe('analysisLabels', () => {
  it('copies integer labels (noise −1 allowed) into an Int32Array', () => {
    const src = [0, -1, 2];
    const out = analysisLabels('f', 'labels', src, 3);
    expect(Array.from(out)).toEqual([0, -1, 2]);
    out[0] = 9;
    expect(src[0]).toBe(0);
  });

  it('rejects non-integers, wrong lengths and empty arrays', () => {
    expect(() => analysisLabels('f', 'labels', [0, 1.5])).toThrow(
      /f: 'labels' must hold 32-bit integers, got 1.5 at index 1/,
    );
    expect(() => analysisLabels('f', 'labels', [0, 1], 3)).toThrow(/one label per sample \(3\)/);
    expect(() => analysisLabels('f', 'labels', [])).toThrow(/non-empty/);
    expect(() => analysisLabels('f', 'labels', new Float64Array(2) as never)).toThrow(/Int32Array/);
  });
});

describe('checkEnoughSamples / codeLabels', () => {
  it('refuses fewer samples than clusters', () => {
    expect(() => checkEnoughSamples('gmm', 'X', 3, 5, 'one per cluster, k = 5')).toThrow(
      /gmm: 'X' must have at least 5 samples \(one per cluster, k = 5\), got 3/,
    );
    expect(() => checkEnoughSamples('gmm', 'X', 5, 5, 'k')).not.toThrow();
  });

  it('codes labels in ascending value order with counts', () => {
    const e = codeLabels(Int32Array.from([5, -1, 5, 2]));
    expect(Array.from(e.classes)).toEqual([-1, 2, 5]);
    expect(Array.from(e.codes)).toEqual([2, 0, 2, 1]);
    expect(Array.from(e.counts)).toEqual([1, 1, 2]);
  });
});
