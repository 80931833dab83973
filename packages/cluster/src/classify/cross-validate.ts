import {
  checkBoolean,
  checkNumber,
  checkOneOf,
  InvalidArgumentError,
  invalidArgument,
  mixSeed,
  withDefaults,
} from '@cellshape/core';
import type { AnalysisMatrix } from '../analysis-input.js';
import type { DenseMatrix } from '../dense-matrix.js';
import { accuracyScore, balancedAccuracyScore } from '../metrics/accuracy.js';
import { cohenKappa } from '../metrics/cohen-kappa.js';
import { type ConfusionMatrix, confusionMatrix } from '../metrics/confusion-matrix.js';
import { encodeLabels, type LabelValue } from '../metrics/label-encoder.js';
import { f1Score } from '../metrics/precision-recall-f1.js';
import { columnStats } from '../standardise.js';
import { type Classifier, takeRows } from './classifier.js';
import { codesOf, type Fold } from './folds.js';
import { RandomForestClassifier, type RandomForestOptions } from './forest/random-forest.js';
import { groupKFold } from './group-k-fold.js';
import { toFeatureMatrix } from './input-matrix.js';
import { stratifiedGroupKFold } from './stratified-group-k-fold.js';
import { stratifiedKFold } from './stratified-k-fold.js';
import { SvmClassifier, type SvmOptions } from './svm/svm-classifier.js';

/** How samples are split: by class (`'stratified'`), by group (`'group'`) or both (`'stratifiedGroup'`). */
export type FoldKind = 'stratified' | 'group' | 'stratifiedGroup';

/** Options of {@link crossValidateClassifier}. */
export interface CrossValidateOptions {
  /**
   * `'svm'`, `'randomForest'`, a {@link Classifier} (refitted on each fold) or a function making
   * one per fold. Default `'svm'`.
   */
  classifier?: 'svm' | 'randomForest' | Classifier | ((fold: number) => Classifier);
  /** Settings of `'svm'`. Default {@link DEFAULT_CV_SVM_OPTIONS}: RBF, C = 5, balanced (the paper's). */
  svm?: SvmOptions;
  /** Settings of `'randomForest'` (its seed is mixed with the fold number). Default sklearn's. */
  randomForest?: RandomForestOptions;
  /** How to split. Default `'stratified'`; `'group'` and `'stratifiedGroup'` need `groups`. */
  folds?: FoldKind;
  /** The group (sample, patient, well) of each row; a group is never on both sides of a split. */
  groups?: ArrayLike<LabelValue>;
  /** Number of folds. Default 5. */
  k?: number;
  /** Shuffle stratified folds (seeded). Default true. */
  shuffle?: boolean;
  /** Z-score the features with the mean and std of the training folds only. Default true. */
  standardise?: boolean;
  /** Seed of the fold shuffle and the forest. Default 0. */
  seed?: number;
  /** Called after each fold with the folds done and the total. */
  onProgress?: (progress: { fold: number; folds: number }) => void;
}

/** The SVM of cross-validation by default: RBF, C = 5, balanced class weights, γ = 'scale'. */
export const DEFAULT_CV_SVM_OPTIONS = {
  kernel: 'rbf',
  C: 5,
  classWeight: 'balanced',
} as const satisfies SvmOptions;

/** Defaults of {@link CrossValidateOptions}. */
export const DEFAULT_CROSS_VALIDATE_OPTIONS = {
  classifier: 'svm',
  svm: DEFAULT_CV_SVM_OPTIONS,
  randomForest: {},
  folds: 'stratified',
  k: 5,
  shuffle: true,
  standardise: true,
  seed: 0,
} as const;

/** The scores of one set of predictions. */
export interface ClassificationScores {
  accuracy: number;
  balancedAccuracy: number;
  /** Macro-averaged F1 (zero division → 0). */
  macroF1: number;
  /** Cohen's kappa; null where it is undefined (truth and predictions one and the same class). */
  kappa: number | null;
}

/** One fold of {@link CrossValidationResult}. */
export interface FoldResult extends Fold {
  /** Predicted class codes of the test samples. */
  predicted: Int32Array;
  scores: ClassificationScores;
}

/** The result of {@link crossValidateClassifier}. Labels are codes into `classes`. */
export interface CrossValidationResult {
  /** The distinct labels, sorted; code c is `classes[c]`. */
  classes: LabelValue[];
  /** The label code of each sample. */
  codes: Int32Array;
  folds: FoldResult[];
  /** The out-of-fold prediction (a code) of every sample. */
  predicted: Int32Array;
  /** Scores of all out-of-fold predictions together. */
  pooled: ClassificationScores;
  /** Mean of the per-fold scores (kappa over the folds where it is defined; null if none). */
  mean: ClassificationScores;
  /** Pooled confusion matrix over the codes 0 … K − 1 (rows truth, columns prediction). */
  confusion: ConfusionMatrix;
}

/**
 * Cross-validates a classifier of a metadata column from features (embeddings): splits into
 * k folds (stratified by class, or grouped so that no group is on both sides), standardises
 * with the training folds' statistics, fits on the training folds, predicts the test fold, and
 * scores each fold and all out-of-fold predictions together.
 *
 * ```ts
 * const cv = crossValidateClassifier(X, treatmentOfEachWell, { folds: 'group', groups: plateOfEachWell });
 * console.log(cv.pooled.balancedAccuracy, cv.confusion.matrix, cv.classes);
 * ```
 *
 * @param X features, `n × d`, finite.
 * @param labels the class of each row (integers or strings), at least two classes.
 * @throws InvalidArgumentError for non-finite features, lengths that differ, a single class,
 *   fewer samples (or groups) than folds, a class with fewer members than folds (stratified),
 *   or group folds without `groups`.
 */
export function crossValidateClassifier(
  X: AnalysisMatrix,
  labels: ArrayLike<LabelValue>,
  options?: CrossValidateOptions,
): CrossValidationResult {
  const fn = 'crossValidateClassifier';
  const o = withDefaults(fn, DEFAULT_CROSS_VALIDATE_OPTIONS, options);
  const m = toFeatureMatrix(fn, 'X', X);
  const n = m.shape[0];
  codesOf(fn, 'labels', labels, n);
  const { codes, classes } = encodeLabels(labels);
  if (classes.length < 2)
    throw new InvalidArgumentError(`${fn}: 'labels' must hold at least two classes, got one`, {
      fn,
      arg: 'labels',
    });
  checkBoolean(fn, 'options.standardise', o.standardise);
  checkNumber(fn, 'options.seed', o.seed);
  const folds = makeFolds(fn, codes, n, o);
  const predicted = new Int32Array(n);
  const results = folds.map((fold, f) => {
    const { train, test } = scaled(m, fold, o.standardise);
    const model = classifierFor(fn, o, f).fit(
      train,
      Int32Array.from(fold.train, (i) => codes[i]!),
    );
    const pred = model.predict(test);
    pred.forEach((p, t) => {
      predicted[fold.test[t]!] = p;
    });
    o.onProgress?.({ fold: f + 1, folds: folds.length });
    return {
      ...fold,
      predicted: pred,
      scores: scoresOf(
        Int32Array.from(fold.test, (i) => codes[i]!),
        pred,
      ),
    };
  });
  const all = classes.map((_, c) => c);
  return {
    classes,
    codes,
    folds: results,
    predicted,
    pooled: scoresOf(codes, predicted),
    mean: meanScores(results.map((r) => r.scores)),
    confusion: confusionMatrix(codes, predicted, { labels: all }),
  };
}

function makeFolds(
  fn: string,
  codes: Int32Array,
  n: number,
  o: { folds: FoldKind; groups?: ArrayLike<LabelValue>; k: number; shuffle: boolean; seed: number },
): Fold[] {
  const kind = checkOneOf(fn, 'options.folds', o.folds, ['stratified', 'group', 'stratifiedGroup']);
  if (kind === 'stratified')
    return stratifiedKFold(codes, { k: o.k, shuffle: o.shuffle, seed: o.seed });
  if (o.groups === undefined)
    throw invalidArgument(fn, 'options.groups', `given with folds '${kind}'`);
  codesOf(fn, 'options.groups', o.groups, n);
  return kind === 'group'
    ? groupKFold(o.groups, { k: o.k })
    : stratifiedGroupKFold(codes, o.groups, { k: o.k, shuffle: o.shuffle, seed: o.seed });
}

function classifierFor(
  fn: string,
  o: {
    classifier: CrossValidateOptions['classifier'];
    svm: SvmOptions;
    randomForest: RandomForestOptions;
    seed: number;
  },
  fold: number,
): Classifier {
  const c = o.classifier;
  if (c === 'svm') return new SvmClassifier(o.svm);
  if (c === 'randomForest')
    return new RandomForestClassifier({
      ...o.randomForest,
      seed: mixSeed(o.randomForest.seed ?? o.seed, 0xf0, fold),
    });
  if (typeof c === 'function') return c(fold);
  if (c && typeof c === 'object' && typeof c.fit === 'function' && typeof c.predict === 'function')
    return c;
  throw invalidArgument(
    fn,
    'options.classifier',
    "'svm', 'randomForest', a Classifier or a function making one",
    c,
  );
}

/** Train and test rows of a fold, z-scored with the training rows' mean and std when asked. */
function scaled(m: DenseMatrix<Float64Array>, fold: Fold, standardise: boolean) {
  const train = takeRows(m, fold.train);
  const test = takeRows(m, fold.test);
  if (!standardise) return { train, test };
  const d = m.shape[1];
  const rows = Array.from({ length: fold.train.length }, (_, i) => i);
  for (let c = 0; c < d; c++) {
    const { mean, std } = columnStats(train, c, rows, 0);
    const scale = std > 0 ? std : 1; // a constant column is only centred (as StandardScaler)
    for (const x of [train, test])
      for (let i = 0; i < x.shape[0]; i++) x.data[i * d + c] = (x.data[i * d + c]! - mean) / scale;
  }
  return { train, test };
}

/** Accuracy, balanced accuracy, macro F1 and kappa of predictions. */
export function scoresOf(truth: Int32Array, pred: Int32Array): ClassificationScores {
  let kappa: number | null = null;
  if (new Set([...truth, ...pred]).size > 1) kappa = cohenKappa(truth, pred);
  return {
    accuracy: accuracyScore(truth, pred),
    balancedAccuracy: balancedAccuracyScore(truth, pred),
    macroF1: f1Score(truth, pred, { average: 'macro' }),
    kappa,
  };
}

function meanScores(all: ClassificationScores[]): ClassificationScores {
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const kappas = all.map((s) => s.kappa).filter((k): k is number => k !== null);
  return {
    accuracy: avg(all.map((s) => s.accuracy)),
    balancedAccuracy: avg(all.map((s) => s.balancedAccuracy)),
    macroF1: avg(all.map((s) => s.macroF1)),
    kappa: kappas.length > 0 ? avg(kappas) : null,
  };
}
