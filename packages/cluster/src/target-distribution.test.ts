import { IncompatibleError } from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DenseMatrix } from './dense-matrix.js';
import { hardLabels, softAssignment, targetDistribution } from './soft-assignment.js';
import { TargetDistribution } from './target-distribution.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ids = ['a', 'b', 'c', 'd'];
/** Four cells on a line, two near each of two centres. */
const features: DenseMatrix<Float32Array> = {
  data: Float32Array.from([0, 0, 0.5, 0, 4, 0, 5, 0]),
  shape: [4, 2],
};
const centres: DenseMatrix<Float32Array> = { data: Float32Array.from([0, 0, 5, 0]), shape: [2, 2] };

describe('TargetDistribution', () => {
  it('holds P and the hard labels of the soft assignment, looked up by sample index', () => {
    const target = new TargetDistribution(ids, features, centres, 1);
    const q = softAssignment(features, centres);
    const p = targetDistribution(q);
    expect(Array.from(target.labels)).toEqual([0, 0, 1, 1]);
    expect(Array.from(target.labels)).toEqual(Array.from(hardLabels(q)));
    expect(target.lastUpdate).toBe(-1);
    const rows = target.lookup([3, 0, 3]);
    expect(rows.shape).toEqual([3, 2]);
    const expected = [3, 0, 3].flatMap((i) => [p.data[2 * i]!, p.data[2 * i + 1]!]);
    expect(Array.from(rows.dataSync())).toEqual(Array.from(Float32Array.from(expected)));
    rows.dispose();
  });

  it('update: label change and rms shifts of features and centres since the last update', () => {
    const target = new TargetDistribution(ids, features, centres, 1);
    // Cell "c" moves 3 to the left, next to centre 0; centre 1 moves 1 to the right.
    const moved: DenseMatrix<Float32Array> = {
      data: Float32Array.from([0, 0, 0.5, 0, 1, 0, 5, 0]),
      shape: [4, 2],
    };
    const shifted: DenseMatrix<Float32Array> = {
      data: Float32Array.from([0, 0, 6, 0]),
      shape: [2, 2],
    };
    const change = target.update(moved, shifted, 7);
    expect(change.labelChange).toBe(0.25);
    expect(change.featureShift).toBeCloseTo(Math.sqrt(9 / 4), 12);
    expect(change.centreShift).toBeCloseTo(Math.sqrt(1 / 2), 12);
    expect(Array.from(target.labels)).toEqual([0, 0, 0, 1]);
    expect(target.lastUpdate).toBe(7);
  });

  it('saves and restores its state; after a restore the next shifts are unknown', () => {
    const target = new TargetDistribution(ids, features, centres, 1);
    target.update(features, centres, 3);
    const saved = target.stateDict();
    expect(saved.p.shape).toEqual([4, 2]);
    expect(saved).toMatchObject({ lastUpdate: 3, ids });
    const other = new TargetDistribution(
      ids,
      features,
      { data: Float32Array.from([1, 0, 2, 0]), shape: [2, 2] },
      1,
    );
    other.load(saved);
    expect(other.stateDict()).toEqual(saved);
    const change = other.update(features, centres, 4);
    expect(change).toEqual({ labelChange: 0, featureShift: null, centreShift: null });
  });

  it('refuses a state of another size or dataset order', () => {
    const target = new TargetDistribution(ids, features, centres, 1);
    const saved = target.stateDict();
    expect(() => target.load({ ...saved, labels: new Int32Array(3) })).toThrow(
      /does not fit this run \(4 cells, 2 clusters\)/,
    );
    expect(() => target.load(undefined)).toThrow(IncompatibleError);
    expect(() => target.load({ ...saved, ids: ['a', 'c', 'b', 'd'] })).toThrow(
      /another dataset order: index 1 was "c", now "b"/,
    );
  });
});
