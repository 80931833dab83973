import { checkOneOf, InvalidArgumentError, withDefaults } from '@cellshape/core';
import type { AnalysisMatrix } from '../analysis-input.js';
import { accuracyScore, balancedAccuracyScore } from '../metrics/accuracy.js';
import { encodeLabels, type LabelValue } from '../metrics/label-encoder.js';
import {
  DISTANCE_METRICS,
  type DistanceMetric,
  forEachUpperBlock,
  prepareRows,
} from '../metrics/pairwise-distance.js';
import { codesOf } from './folds.js';
import { toFeatureMatrix } from './input-matrix.js';

/** Options of {@link leaveOneOutNearestNeighbour}. */
export interface LeaveOneOutNearestNeighbourOptions {
  /** Distance between samples. Default `'euclidean'`. */
  metric?: DistanceMetric;
}

/** Defaults of {@link LeaveOneOutNearestNeighbourOptions}. */
export const DEFAULT_LEAVE_ONE_OUT_NN_OPTIONS = { metric: 'euclidean' } as const;

/** The result of {@link leaveOneOutNearestNeighbour}. Labels are codes into `classes`. */
export interface LeaveOneOutNearestNeighbourResult {
  /** The distinct labels, sorted; code c is `classes[c]`. */
  classes: LabelValue[];
  /** The label code of each sample. */
  codes: Int32Array;
  /** The index of each sample's nearest other sample. */
  neighbour: Int32Array;
  /** The predicted code of each sample: its nearest other sample's. */
  predicted: Int32Array;
  /** Share of samples whose nearest other sample has their label. */
  accuracy: number;
  /** Mean recall over the classes (every class weighs alike). */
  balancedAccuracy: number;
}

/**
 * Leave-one-out 1-nearest-neighbour classification: each sample is labelled with the label of
 * its nearest *other* sample — scikit-learn's `cross_val_predict(KNeighborsClassifier(1), X, y,
 * cv=LeaveOneOut())`. It asks the plainest question of an embedding: are cells next to cells of
 * their own kind? No fitting, no folds, no parameter; the distances are computed in blocks and
 * never stored as an n × n matrix. Among equally near samples the lowest index wins.
 *
 * ```ts
 * const { accuracy } = leaveOneOutNearestNeighbour(features, treatmentOfEachCell);
 * ```
 *
 * @param X `n × d` features, finite, n ≥ 2.
 * @param labels the class of each row (strings or numbers).
 * @throws InvalidArgumentError for non-finite features, fewer than two rows or lengths that differ.
 */
export function leaveOneOutNearestNeighbour(
  X: AnalysisMatrix,
  labels: ArrayLike<LabelValue>,
  options?: LeaveOneOutNearestNeighbourOptions,
): LeaveOneOutNearestNeighbourResult {
  const fn = 'leaveOneOutNearestNeighbour';
  const o = withDefaults(fn, DEFAULT_LEAVE_ONE_OUT_NN_OPTIONS, options);
  checkOneOf(fn, 'options.metric', o.metric, DISTANCE_METRICS);
  const m = toFeatureMatrix(fn, 'X', X);
  const n = m.shape[0];
  if (n < 2)
    throw new InvalidArgumentError(`${fn}: 'X' must have at least 2 rows, got ${n}`, {
      fn,
      arg: 'X',
    });
  codesOf(fn, 'labels', labels, n);
  const { codes, classes } = encodeLabels(labels);
  const best = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const neighbour = new Int32Array(n).fill(-1);
  // Visits j > i only in increasing j for each i, and i < j in increasing i for each j: a strict
  // `<` keeps the lowest index among ties.
  const offer = (i: number, j: number, d: number): void => {
    if (d < best[i]! || (d === best[i]! && j < neighbour[i]!)) {
      best[i] = d;
      neighbour[i] = j;
    }
  };
  forEachUpperBlock(prepareRows(m, o.metric), (i0, i1, j0, j1, block, w) => {
    for (let i = i0; i < i1; i++)
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const d = block[(i - i0) * w + (j - j0)]!;
        offer(i, j, d);
        offer(j, i, d);
      }
  });
  const predicted = Int32Array.from(neighbour, (j) => codes[j]!);
  return {
    classes,
    codes,
    neighbour,
    predicted,
    accuracy: accuracyScore(codes, predicted),
    balancedAccuracy: balancedAccuracyScore(codes, predicted),
  };
}
