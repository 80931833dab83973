import { checkOneOf, withDefaults } from '@cellshape/core';
import { type ClassLabels, checkClassLabels, uniqueLabels } from './class-labels.js';
import { checkLabelList } from './confusion-matrix.js';

/**
 * How per-class scores are combined: `'macro'` (unweighted mean over classes), `'weighted'`
 * (mean weighted by each class's support, its number of true samples), `'micro'` (from the
 * pooled counts; equals accuracy when every class is listed) or `'none'` (one score per class).
 */
export type ScoreAverage = 'macro' | 'weighted' | 'micro' | 'none';

/** Options of {@link precisionRecallF1} and the single scores. */
export interface PrecisionRecallF1Options<A extends ScoreAverage = ScoreAverage> {
  /** How to combine the classes. Default `'macro'` (sklearn's default `'binary'` is not offered). */
  average?: A;
  /**
   * The value of a score whose denominator is 0 — precision of a class never predicted, recall
   * of a class never true: 0 or 1. Default 0, as sklearn's `zero_division='warn'` (which
   * returns 0 and warns; here the value is the warning).
   */
  zeroDivision?: 0 | 1;
  /** The classes to score, in order. Default: the sorted union of `truth` and `pred`. */
  labels?: readonly number[];
}

/** Defaults of {@link PrecisionRecallF1Options}. */
export const DEFAULT_PRECISION_RECALL_F1_OPTIONS = {
  average: 'macro',
  zeroDivision: 0,
} as const satisfies PrecisionRecallF1Options;

/** Per-class precision, recall, F1 and support (`average: 'none'`). */
export interface PerClassScores {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  /** True samples of each class. */
  support: number[];
}

/** Averaged precision, recall and F1; `support` is the number of true samples of the listed classes. */
export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The result type for an average: per-class arrays for `'none'`, numbers otherwise. */
export type ScoresFor<A extends ScoreAverage> = A extends 'none' ? PerClassScores : AveragedScores;

const AVERAGES: readonly ScoreAverage[] = ['macro', 'weighted', 'micro', 'none'];

/** True positives, predicted and true counts of each listed class. */
function counts(truth: ClassLabels, pred: ClassLabels, labels: readonly number[]) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const predicted = tp.slice();
  const actual = tp.slice();
  for (let s = 0; s < truth.length; s++) {
    const i = index.get(truth[s]!);
    const j = index.get(pred[s]!);
    if (i !== undefined) actual[i]!++;
    if (j !== undefined) predicted[j]!++;
    if (i !== undefined && truth[s] === pred[s]) tp[i]!++;
  }
  return { tp, predicted, actual };
}

const divide = (num: number, den: number, zero: number) => (den === 0 ? zero : num / den);
/** F1 from precision and recall after the zero-division rule (sklearn: 0 when both are 0). */
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const mean = (v: number[], w?: number[]) => {
  const ws = w ?? v.map(() => 1);
  const total = ws.reduce((a, b) => a + b, 0);
  return v.reduce((a, x, i) => a + x * ws[i]!, 0) / total;
};

/**
 * Precision (tp / predicted), recall (tp / true) and F1 (their harmonic mean) of a
 * classification, per class or averaged, as scikit-learn's `precision_recall_fscore_support`.
 *
 * ```ts
 * precisionRecallF1([0, 1, 2, 2], [0, 2, 2, 2]);                      // macro averages
 * precisionRecallF1([0, 1, 2, 2], [0, 2, 2, 2], { average: 'none' }); // per class
 * ```
 *
 * @throws InvalidArgumentError for non-integer labels, different lengths or a bad option.
 */
export function precisionRecallF1<A extends ScoreAverage = 'macro'>(
  truth: ClassLabels,
  pred: ClassLabels,
  options?: PrecisionRecallF1Options<A>,
): ScoresFor<A> {
  return prf('precisionRecallF1', truth, pred, options) as ScoresFor<A>;
}

/** {@link precisionRecallF1} under the name of the calling function (for its errors). */
export function prf(
  fn: string,
  truth: ClassLabels,
  pred: ClassLabels,
  options: PrecisionRecallF1Options | undefined,
): PerClassScores | AveragedScores {
  const o = withDefaults(fn, DEFAULT_PRECISION_RECALL_F1_OPTIONS, options);
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  const average = checkOneOf(fn, 'options.average', o.average, AVERAGES);
  const zero = checkOneOf(fn, 'options.zeroDivision', o.zeroDivision, [0, 1]);
  const labels = o.labels ? checkLabelList(fn, o.labels, truth) : uniqueLabels(truth, pred);
  const { tp, predicted, actual } = counts(truth, pred, labels);
  const support = actual.reduce((a, b) => a + b, 0);
  if (average === 'micro') {
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    const precision = divide(sum(tp), sum(predicted), zero);
    const recall = divide(sum(tp), support, zero);
    return { precision, recall, f1: f1Of(precision, recall), support };
  }
  const precision = tp.map((t, i) => divide(t, predicted[i]!, zero));
  const recall = tp.map((t, i) => divide(t, actual[i]!, zero));
  const f1 = precision.map((p, i) => f1Of(p, recall[i]!));
  switch (average) {
    case 'none':
      return { labels, precision, recall, f1, support: actual };
    case 'macro':
      return { precision: mean(precision), recall: mean(recall), f1: mean(f1), support };
    case 'weighted':
      if (support === 0) {
        // sklearn: no true sample of any listed class.
        const none = predicted.every((p) => p === 0);
        return none
          ? { precision: zero, recall: zero, f1: zero, support }
          : { precision: 0, recall: zero, f1: 0, support };
      }
      return {
        precision: mean(precision, actual),
        recall: mean(recall, actual),
        f1: mean(f1, actual),
        support,
      };
    default: {
      const never: never = average;
      return never;
    }
  }
}

/** The score type for an average: `number[]` (per class) for `'none'`, a number otherwise. */
export type ScoreFor<A extends ScoreAverage> = A extends 'none' ? number[] : number;

function single<A extends ScoreAverage>(
  fn: string,
  key: 'precision' | 'recall' | 'f1',
  truth: ClassLabels,
  pred: ClassLabels,
  options: PrecisionRecallF1Options<A> | undefined,
): ScoreFor<A> {
  return prf(fn, truth, pred, options)[key] as ScoreFor<A>;
}

/** F1 score (sklearn's `f1_score`), macro-averaged by default; see {@link precisionRecallF1}. */
export function f1Score<A extends ScoreAverage = 'macro'>(
  truth: ClassLabels,
  pred: ClassLabels,
  options?: PrecisionRecallF1Options<A>,
): ScoreFor<A> {
  return single('f1Score', 'f1', truth, pred, options);
}

/** Precision (sklearn's `precision_score`), macro-averaged by default; see {@link precisionRecallF1}. */
export function precisionScore<A extends ScoreAverage = 'macro'>(
  truth: ClassLabels,
  pred: ClassLabels,
  options?: PrecisionRecallF1Options<A>,
): ScoreFor<A> {
  return single('precisionScore', 'precision', truth, pred, options);
}

/** Recall (sklearn's `recall_score`), macro-averaged by default; see {@link precisionRecallF1}. */
export function recallScore<A extends ScoreAverage = 'macro'>(
  truth: ClassLabels,
  pred: ClassLabels,
  options?: PrecisionRecallF1Options<A>,
): ScoreFor<A> {
  return single('recallScore', 'recall', truth, pred, options);
}
