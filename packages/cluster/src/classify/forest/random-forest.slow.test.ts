import { describe, expect, it } from 'vitest';
import { loadCvReference, loadDataset, mean } from '../../test-utils/classification-fixtures.js';
import { takeRows } from '../classifier.js';
import { RandomForestClassifier } from './random-forest.js';

describe('RandomForestClassifier on breast cancer (5 fixed folds)', () => {
  it('mean accuracy over 3 seeds within 1.5 points of sklearn (5 seeds: 0.954–0.965)', () => {
    const { X, target } = loadDataset('breastCancer');
    const ref = loadCvReference('breastCancer');
    const ours: number[] = [];
    for (let seed = 0; seed < 3; seed++)
      for (const test of ref.testFolds) {
        const inTest = new Set(test);
        const train = target.map((_, i) => i).filter((i) => !inTest.has(i));
        const rf = new RandomForestClassifier({ seed });
        const pred = rf
          .fit(
            takeRows(X, train),
            train.map((i) => target[i]!),
          )
          .predict(takeRows(X, test));
        ours.push(test.filter((i, t) => pred[t] === target[i]).length / test.length);
      }
    const sk = mean(Object.values(ref.randomForest).flat());
    expect(Math.abs(mean(ours) - sk)).toBeLessThanOrEqual(0.015);
  });
});
