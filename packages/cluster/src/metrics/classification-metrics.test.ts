import { readFileSync } from 'node:fs';
import { isCellshapeError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { accuracyScore, balancedAccuracyScore } from './accuracy.js';
import { classificationReport } from './classification-report.js';
import { cohenKappa } from './cohen-kappa.js';
import { confusionMatrix } from './confusion-matrix.js';
import { encodeLabels } from './label-encoder.js';
import {
  f1Score,
  type PerClassScores,
  precisionRecallF1,
  precisionScore,
  recallScore,
  type ScoreAverage,
} from './precision-recall-f1.js';

/** Expected values from scikit-learn 1.2.1 (scripts/make-classification-fixtures.py). */
interface Case {
  truth: number[];
  pred: number[];
  labels: number[] | null;
  confusion: { labels: number[]; matrix: number[][] };
  scores: Record<
    string,
    {
      precision: number | number[];
      recall: number | number[];
      f1: number | number[];
      support?: number[];
    }
  >;
  accuracy?: number;
  balancedAccuracy?: number;
  balancedAccuracyAdjusted?: number | null;
  kappa: Record<'none' | 'linear' | 'quadratic', number | null>;
  report: Record<string, Record<string, number> | number>;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/classification-metrics.json', import.meta.url), 'utf8'),
) as { cases: Record<string, Case> };
const cases = Object.entries(fixture.cases);

const close = (got: number | number[], want: number | number[]) => {
  if (Array.isArray(want)) {
    expect((got as number[]).length).toBe(want.length);
    for (const [i, w] of want.entries()) expect((got as number[])[i]).toBeCloseTo(w, 12);
  } else expect(got as number).toBeCloseTo(want, 12);
};

const isInvalid = (f: () => unknown, arg: string) => {
  try {
    f();
  } catch (e) {
    expect(isCellshapeError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as { arg?: string }).arg).toBe(arg);
    return;
  }
  throw new Error('expected an InvalidArgumentError');
};

describe.each(cases)('classification metrics equal scikit-learn: %s', (_, c) => {
  const labels = c.labels ?? undefined;
  it('confusion matrix', () => {
    expect(confusionMatrix(c.truth, c.pred, { labels })).toEqual(c.confusion);
  });
  it('precision, recall and F1 for every average and zero-division value', () => {
    for (const [key, want] of Object.entries(c.scores)) {
      const [average, zd] = key.split('_zd') as [ScoreAverage, string];
      const o = { average, zeroDivision: Number(zd) as 0 | 1, labels };
      const got = precisionRecallF1(c.truth, c.pred, o);
      close(got.precision, want.precision);
      close(got.recall, want.recall);
      close(got.f1, want.f1);
      if (average === 'none') expect((got as PerClassScores).support).toEqual(want.support);
      close(f1Score(c.truth, c.pred, o), want.f1);
      close(precisionScore(c.truth, c.pred, o), want.precision);
      close(recallScore(c.truth, c.pred, o), want.recall);
    }
  });
  it('accuracy and balanced accuracy', () => {
    if (c.accuracy === undefined) return;
    close(accuracyScore(c.truth, c.pred), c.accuracy);
    close(balancedAccuracyScore(c.truth, c.pred), c.balancedAccuracy!);
    if (c.balancedAccuracyAdjusted === null)
      isInvalid(() => balancedAccuracyScore(c.truth, c.pred, { adjusted: true }), 'truth');
    else
      close(
        balancedAccuracyScore(c.truth, c.pred, { adjusted: true }),
        c.balancedAccuracyAdjusted!,
      );
  });
  it("Cohen's kappa, unweighted, linear and quadratic (NaN in sklearn → error)", () => {
    for (const w of ['none', 'linear', 'quadratic'] as const) {
      const o = { labels, ...(w === 'none' ? {} : { weights: w }) };
      const want = c.kappa[w];
      if (want === null) isInvalid(() => cohenKappa(c.truth, c.pred, o), 'truth');
      else close(cohenKappa(c.truth, c.pred, o), want);
    }
  });
  it('classification report', () => {
    const r = classificationReport(c.truth, c.pred, { labels });
    const row = (
      x: { precision: number; recall: number; f1: number; support: number },
      key: string,
    ) => {
      const want = c.report[key] as Record<string, number>;
      close(
        [x.precision, x.recall, x.f1, x.support],
        [want.precision!, want.recall!, want['f1-score']!, want.support!],
      );
    };
    for (const cls of r.classes) row(cls, String(cls.label));
    row(r.macroAvg, 'macro avg');
    row(r.weightedAvg, 'weighted avg');
    if ('accuracy' in c.report) close(r.accuracy!, c.report.accuracy as number);
    else row(r.microAvg!, 'micro avg');
  });
});

describe('encodeLabels', () => {
  it('sorts the classes and codes each value by its index', () => {
    const { codes, classes } = encodeLabels(['drug', 'ctrl', 'drug', 'aa']);
    expect(classes).toEqual(['aa', 'ctrl', 'drug']);
    expect(Array.from(codes)).toEqual([2, 1, 2, 0]);
  });
  it('encodes predictions with the classes of the truth', () => {
    const truth = encodeLabels(['b', 'a']);
    const pred = encodeLabels(['a', 'a'], { classes: truth.classes });
    expect(Array.from(pred.codes)).toEqual([0, 0]);
    isInvalid(() => encodeLabels(['c'], { classes: truth.classes }), 'values[0]');
  });
  it('sorts numbers numerically, before strings', () => {
    expect(encodeLabels([10, 9, 'x', 2]).classes).toEqual([2, 9, 10, 'x']);
  });
  it('refuses values that are neither strings nor finite numbers', () => {
    isInvalid(() => encodeLabels(['a', null as unknown as string]), 'values[1]');
    isInvalid(() => encodeLabels([Number.NaN]), 'values[0]');
  });
});

describe('bad input', () => {
  it('names the argument', () => {
    isInvalid(() => accuracyScore([0, 1], [0]), 'pred');
    isInvalid(() => f1Score([0, 1.5], [0, 1]), 'truth');
    isInvalid(() => confusionMatrix([], []), 'truth');
    isInvalid(() => confusionMatrix([0, 1], [0, 1], { labels: [7] }), 'options.labels');
    isInvalid(() => confusionMatrix([0, 1], [0, 1], { labels: [0, 0] }), 'options.labels');
    isInvalid(() => f1Score([0], [0], { average: 'binary' as 'macro' }), 'options.average');
    isInvalid(() => f1Score([0], [0], { zeroDivision: 2 as 0 }), 'options.zeroDivision');
    isInvalid(
      () => cohenKappa([0, 1], [0, 1], { weights: 'cubic' as 'linear' }),
      'options.weights',
    );
    isInvalid(() => classificationReport([0, 1], [0, 1], { names: ['a'] }), 'options.names');
  });
  it('a single class scores perfectly where sklearn does', () => {
    expect(accuracyScore([4, 4], [4, 4])).toBe(1);
    expect(f1Score([4, 4], [4, 4])).toBe(1);
  });
});
