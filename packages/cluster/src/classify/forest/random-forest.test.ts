import { describe, expect, it } from 'vitest';
import {
  expectInvalid,
  loadCvReference,
  loadDataset,
  mean,
} from '../../test-utils/classification-fixtures.js';
import { takeRows } from '../classifier.js';
import { RandomForestClassifier } from './random-forest.js';

describe('RandomForestClassifier', () => {
  it('matches scikit-learn on iris within 2 points (mean over 3 seeds, 5 fixed folds)', () => {
    // Not bit-equal (another random stream): sklearn's 5 seeds span 0.940–0.947 here.
    const { X, target } = loadDataset('iris');
    const ref = loadCvReference('iris');
    const ours: number[] = [];
    for (let seed = 0; seed < 3; seed++)
      for (const test of ref.testFolds) {
        const inTest = new Set(test);
        const train = target.map((_, i) => i).filter((i) => !inTest.has(i));
        const rf = new RandomForestClassifier({ seed, nTrees: 50 });
        const pred = rf
          .fit(
            takeRows(X, train),
            train.map((i) => target[i]!),
          )
          .predict(takeRows(X, test));
        ours.push(test.filter((i, t) => pred[t] === target[i]).length / test.length);
      }
    const sk = mean(Object.values(ref.randomForest).flat());
    expect(Math.abs(mean(ours) - sk)).toBeLessThanOrEqual(0.02);
  });
  it('fits the training data exactly with unlimited depth and no bootstrap', () => {
    const X = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 2],
      [3, 0],
    ];
    const y = [0, 1, 1, 0, 2, 2];
    const rf = new RandomForestClassifier({ nTrees: 5, bootstrap: false, maxFeatures: 'all' }).fit(
      X,
      y,
    );
    expect(Array.from(rf.predict(X))).toEqual(y);
    const p = rf.predictProba(X);
    for (let i = 0; i < 6; i++)
      expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 12);
  });
  it('respects maxDepth and minSamplesLeaf', () => {
    const X = Array.from({ length: 40 }, (_, i) => [i]);
    const y = X.map(([v]) => (v! % 4 < 2 ? 0 : 1));
    const stump = new RandomForestClassifier({ nTrees: 3, maxDepth: 1, seed: 2 }).fit(X, y);
    for (const t of stump.model.trees) expect(t.feature.length).toBeLessThanOrEqual(3);
    const coarse = new RandomForestClassifier({
      nTrees: 3,
      minSamplesLeaf: 10,
      bootstrap: false,
    }).fit(X, y);
    for (const t of coarse.model.trees) expect(t.feature.length).toBeLessThanOrEqual(7);
  });
  it('is seeded', () => {
    const { X, target } = loadDataset('iris');
    const a = new RandomForestClassifier({ nTrees: 5, seed: 3 }).fit(X, target).predictProba(X);
    const b = new RandomForestClassifier({ nTrees: 5, seed: 3 }).fit(X, target).predictProba(X);
    const c = new RandomForestClassifier({ nTrees: 5, seed: 4 }).fit(X, target).predictProba(X);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });
  it('balanced class weights favour the small class', () => {
    // Overlapping classes: 18 of class 0 and 2 of class 1 at the same place.
    const X = Array.from({ length: 20 }, () => [0]);
    const y = X.map((_, i) => (i < 18 ? 0 : 1));
    const plain = new RandomForestClassifier({ nTrees: 1, bootstrap: false }).fit(X, y);
    const balanced = new RandomForestClassifier({
      nTrees: 1,
      bootstrap: false,
      classWeight: 'balanced',
    }).fit(X, y);
    const [p0, p1] = plain.predictProba([[0]]);
    expect([p0, p1]).toEqual([expect.closeTo(0.9, 12), expect.closeTo(0.1, 12)]);
    const [b0, b1] = balanced.predictProba([[0]]);
    expect([b0, b1]).toEqual([expect.closeTo(0.5, 12), expect.closeTo(0.5, 12)]);
  });
  it('refuses bad input, naming the argument', () => {
    expectInvalid(() => new RandomForestClassifier({ nTrees: 0 }), 'options.nTrees');
    expectInvalid(() => new RandomForestClassifier({ maxFeatures: 1.5 }), 'options.maxFeatures');
    expectInvalid(
      () => new RandomForestClassifier({ minSamplesLeaf: 0 }),
      'options.minSamplesLeaf',
    );
    expectInvalid(() => new RandomForestClassifier().fit([[Number.NaN], [1]], [0, 1]), 'X');
    expectInvalid(() => new RandomForestClassifier().fit([[0], [1]], [1, 1]), 'labels');
    expectInvalid(() => new RandomForestClassifier().fit([[0], [1]], [0]), 'labels');
    expect(() => new RandomForestClassifier().predict([[0]])).toThrow(/fit\(\)/);
  });
});
