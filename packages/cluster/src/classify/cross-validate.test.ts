import { describe, expect, it } from 'vitest';
import type { AnalysisLabels, AnalysisMatrix } from '../analysis-input.js';
import { accuracyScore } from '../metrics/accuracy.js';
import { expectInvalid, loadDataset } from '../test-utils/classification-fixtures.js';
import { type Classifier, classCodes } from './classifier.js';
import { crossValidateClassifier } from './cross-validate.js';

const iris = loadDataset('iris');
const names = iris.target.map((t) => ['setosa', 'versicolor', 'virginica'][t]!);

/** Predicts the most frequent training class: a baseline with known scores. */
class Majority implements Classifier {
  label = 0;
  fit(_X: AnalysisMatrix, labels: AnalysisLabels): this {
    const { classes, codes } = classCodes(labels);
    const counts = classes.map((_, c) => codes.filter((v) => v === c).length);
    this.label = classes[counts.indexOf(Math.max(...counts))]!;
    return this;
  }
  predict(X: AnalysisMatrix): Int32Array {
    return new Int32Array(Array.isArray(X) ? X.length : (X as { shape: number[] }).shape[0]!).fill(
      this.label,
    );
  }
}

describe('crossValidateClassifier', () => {
  it('SVM (the default: RBF, C = 5, balanced) classifies iris as sklearn does (≈ 0.96)', () => {
    const progress: number[] = [];
    const cv = crossValidateClassifier(iris.X, names, {
      onProgress: ({ fold }) => progress.push(fold),
    });
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(cv.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(cv.pooled.accuracy).toBeGreaterThan(0.93);
    // pooled scores are those of the out-of-fold predictions; the matrix sums to n
    expect(cv.pooled.accuracy).toBeCloseTo(accuracyScore(cv.codes, cv.predicted), 12);
    expect(cv.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(150);
    expect(cv.confusion.matrix[0]![0]).toBe(50); // setosa is separable
    for (const f of cv.folds) expect(f.test.length).toBe(30);
  });
  it('a majority baseline scores chance: balanced accuracy 1/K, kappa 0', () => {
    const cv = crossValidateClassifier(iris.X, iris.target, { classifier: new Majority() });
    expect(cv.pooled.balancedAccuracy).toBeCloseTo(1 / 3, 12);
    expect(cv.mean.kappa).toBeCloseTo(0, 12);
    expect(cv.pooled.macroF1).toBeGreaterThan(0);
  });
  it('grouped folds keep every group on one side', () => {
    const groups = iris.target.map((_, i) => `well${i % 15}`);
    const cv = crossValidateClassifier(iris.X, iris.target, {
      folds: 'group',
      groups,
      classifier: 'randomForest',
      randomForest: { nTrees: 10 },
    });
    for (const f of cv.folds) {
      const test = new Set(Array.from(f.test, (i) => groups[i]));
      for (const i of f.train) expect(test.has(groups[i]!)).toBe(false);
    }
    expect(cv.pooled.accuracy).toBeGreaterThan(0.85);
  });
  it('stratified grouped folds and a factory classifier', () => {
    const groups = iris.target.map((_, i) => i % 10);
    const made: number[] = [];
    const cv = crossValidateClassifier(iris.X, iris.target, {
      folds: 'stratifiedGroup',
      groups,
      k: 5,
      classifier: (fold) => {
        made.push(fold);
        return new Majority();
      },
    });
    expect(made).toEqual([0, 1, 2, 3, 4]);
    expect(cv.folds).toHaveLength(5);
  });
  it('refuses bad input, naming the argument', () => {
    const X = { data: new Float64Array(8), shape: [4, 2] as [number, number] };
    expectInvalid(() => crossValidateClassifier(X, [0, 1, 0], {}), 'labels');
    expectInvalid(() => crossValidateClassifier(X, [1, 1, 1, 1], {}), 'labels');
    expectInvalid(() => crossValidateClassifier(X, [0, 1, 0, 1], { k: 5 }), 'options.k');
    expectInvalid(() => crossValidateClassifier(X, [0, 1, 0, 1], { k: 3 }), 'labels');
    expectInvalid(
      () => crossValidateClassifier(X, [0, 1, 0, 1], { k: 2, folds: 'group' }),
      'options.groups',
    );
    expectInvalid(
      () => crossValidateClassifier(X, [0, 1, 0, 1], { k: 2, folds: 'group', groups: [0, 1] }),
      'options.groups',
    );
    expectInvalid(
      () =>
        crossValidateClassifier(X, [0, 1, 0, 1], { k: 3, folds: 'group', groups: [0, 0, 1, 1] }),
      'options.k',
    );
    expectInvalid(
      () => crossValidateClassifier(X, [0, 1, 0, 1], { k: 2, classifier: 'knn' as 'svm' }),
      'options.classifier',
    );
    const bad = {
      data: Float64Array.from([0, 1, Number.NaN, 0, 1, 1, 0, 0]),
      shape: [4, 2] as [number, number],
    };
    expectInvalid(() => crossValidateClassifier(bad, [0, 1, 0, 1], { k: 2 }), 'X');
  });
});
