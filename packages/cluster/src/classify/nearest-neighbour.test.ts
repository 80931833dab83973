import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { leaveOneOutNearestNeighbour } from './nearest-neighbour.js';

/** scikit-learn's leave-one-out 1-NN on seeded data (fixtures/generate-nearest-neighbour.py). */
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'nearest-neighbour.json'), 'utf8'),
) as {
  X: number[][];
  y: number[];
  euclidean: { predicted: number[]; accuracy: number; balancedAccuracy: number };
  cosine: { predicted: number[]; accuracy: number; balancedAccuracy: number };
};
const X = { data: Float64Array.from(reference.X.flat()), shape: [40, 5] as [number, number] };

describe('leaveOneOutNearestNeighbour', () => {
  it.each(['euclidean', 'cosine'] as const)(
    'predicts as scikit-learn (LeaveOneOut, KNeighborsClassifier(1), %s)',
    (metric) => {
      const r = leaveOneOutNearestNeighbour(X, reference.y, { metric });
      expect(Array.from(r.predicted)).toEqual(reference[metric].predicted);
      expect(r.accuracy).toBeCloseTo(reference[metric].accuracy, 12);
      expect(r.balancedAccuracy).toBeCloseTo(reference[metric].balancedAccuracy, 12);
    },
  );

  it('finds the nearest other sample, lowest index among ties, across distance blocks', () => {
    // 600 points on a line (more than one 256-row block): i's neighbours are i ± 1, equally
    // near, so the lower one wins — except for the first point.
    const n = 600;
    const line = {
      data: Float64Array.from({ length: n }, (_, i) => i),
      shape: [n, 1] as [number, number],
    };
    const labels = Array.from({ length: n }, (_, i) => (i < 300 ? 'a' : 'b'));
    const r = leaveOneOutNearestNeighbour(line, labels);
    expect(r.neighbour[0]).toBe(1);
    for (let i = 1; i < n; i++) expect(r.neighbour[i]).toBe(i - 1);
    // Only cell 300 (nearest: 299, an 'a') is wrong.
    expect(r.accuracy).toBeCloseTo(599 / 600, 12);
    expect(r.classes).toEqual(['a', 'b']);
  });

  it('rejects a single sample and labels of another length', () => {
    const one = { data: new Float64Array([1, 2]), shape: [1, 2] as [number, number] };
    expect(() => leaveOneOutNearestNeighbour(one, ['a'])).toThrow(InvalidArgumentError);
    expect(() => leaveOneOutNearestNeighbour(X, [1, 2])).toThrow(/'labels'/);
  });
});
