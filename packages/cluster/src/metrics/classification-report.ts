import { invalidArgument } from '@cellshape/core';
import { type ClassLabels, checkClassLabels, uniqueLabels } from './class-labels.js';
import { checkLabelList } from './confusion-matrix.js';
import {
  type AveragedScores,
  type PerClassScores,
  type PrecisionRecallF1Options,
  prf,
} from './precision-recall-f1.js';

/** Options of {@link classificationReport}. */
export interface ClassificationReportOptions
  extends Pick<PrecisionRecallF1Options, 'zeroDivision' | 'labels'> {
  /** A display name per class, in the order of the labels (e.g. `encodeLabels(...).classes`). */
  names?: readonly string[];
}

/** One row of {@link ClassificationReport}. */
export interface ClassReportRow {
  label: number;
  /** `names[i]` when given, else the label as text. */
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The result of {@link classificationReport}: what sklearn's `classification_report(..., output_dict=True)` holds. */
export interface ClassificationReport {
  classes: ClassReportRow[];
  /**
   * Accuracy when the classes are exactly the true and predicted labels; otherwise the micro
   * averages (sklearn prints "micro avg" then).
   */
  accuracy?: number;
  microAvg?: AveragedScores;
  macroAvg: AveragedScores;
  weightedAvg: AveragedScores;
}

/**
 * Precision, recall, F1 and support per class plus the macro and weighted averages and the
 * accuracy, as scikit-learn's `classification_report` (as data, not text).
 *
 * @throws InvalidArgumentError for bad labels, or `names` of another length than the classes.
 */
export function classificationReport(
  truth: ClassLabels,
  pred: ClassLabels,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const fn = 'classificationReport';
  checkClassLabels(fn, 'truth', truth);
  checkClassLabels(fn, 'pred', pred, truth.length);
  const all = uniqueLabels(truth, pred);
  const labels = options.labels ? checkLabelList(fn, options.labels, truth) : all;
  const base = { zeroDivision: options.zeroDivision, labels };
  const perClass = prf(fn, truth, pred, { ...base, average: 'none' }) as PerClassScores;
  if (options.names && options.names.length !== labels.length)
    throw invalidArgument(
      fn,
      'options.names',
      `${labels.length} names, one per class`,
      options.names,
    );
  const classes = labels.map((label, i) => ({
    label,
    name: options.names?.[i] ?? String(label),
    precision: perClass.precision[i]!,
    recall: perClass.recall[i]!,
    f1: perClass.f1[i]!,
    support: perClass.support[i]!,
  }));
  const micro = prf(fn, truth, pred, { ...base, average: 'micro' }) as AveragedScores;
  const coversAll = labels.length === all.length && all.every((l) => labels.includes(l));
  return {
    classes,
    ...(coversAll ? { accuracy: micro.f1 } : { microAvg: micro }),
    macroAvg: prf(fn, truth, pred, { ...base, average: 'macro' }) as AveragedScores,
    weightedAvg: prf(fn, truth, pred, { ...base, average: 'weighted' }) as AveragedScores,
  };
}
