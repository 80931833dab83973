import { describe, expect, it } from 'vitest';
import {
  type LabelPairCase,
  loadAnalysisFixture,
  type MetricsFixture,
} from '../test-utils/analysis-fixtures.js';
import { adjustedRandIndex } from './adjusted-rand-index.js';
import {
  adjustedMutualInfoScore,
  mutualInfoScore,
  normalizedMutualInfoScore,
} from './mutual-info.js';
import { homogeneityCompletenessVMeasure } from './v-measure.js';

const { labelPairs } = loadAnalysisFixture<MetricsFixture>('metrics.json');
const METHODS = ['min', 'geometric', 'arithmetic', 'max'] as const;
/**
 * AMI is 0/0 when MI, its expectation and the normaliser coincide (every labeling of these
 * cluster sizes is equivalent): scikit-learn returns 0 or 1 there depending on rounding (1 only
 * for this case's 'min'); we return 0 whenever MI equals its expectation.
 */
const ROUNDING_DEPENDENT = new Set(['pred_all_singletons/min']);

function check(c: LabelPairCase) {
  const { truth, labels } = c;
  expect(mutualInfoScore(truth, labels)).toBeCloseTo(c.mutualInfo, 12);
  for (const m of METHODS) {
    expect(normalizedMutualInfoScore(truth, labels, { averageMethod: m })).toBeCloseTo(
      c.nmi[m],
      12,
    );
    const expected = ROUNDING_DEPENDENT.has(`${c.name}/${m}`) ? 0 : c.ami[m];
    expect(adjustedMutualInfoScore(truth, labels, { averageMethod: m })).toBeCloseTo(expected, 10);
  }
  expect(adjustedRandIndex(truth, labels)).toBeCloseTo(c.ari, 12);
  const v = homogeneityCompletenessVMeasure(truth, labels);
  expect([v.homogeneity, v.completeness, v.vMeasure].map((x) => x.toFixed(12))).toEqual(
    c.hcv.map((x) => x.toFixed(12)),
  );
  const half = homogeneityCompletenessVMeasure(truth, labels, { beta: 0.5 });
  expect(half.vMeasure).toBeCloseTo(c.hcvBeta05[2], 12);
}

describe('label-pair metrics equal scikit-learn 1.2.1 (fixtures/analysis/metrics.json)', () => {
  for (const c of labelPairs) it(c.name, () => check(c));

  it('default NMI/AMI average is arithmetic; the labelings may be typed arrays', () => {
    const c = labelPairs[0]!;
    const t = Int32Array.from(c.truth);
    expect(normalizedMutualInfoScore(t, c.labels)).toBeCloseTo(c.nmi.arithmetic, 12);
    expect(adjustedMutualInfoScore(t, Int32Array.from(c.labels))).toBeCloseTo(c.ami.arithmetic, 10);
  });

  it('rejects bad input naming the argument', () => {
    expect(() => mutualInfoScore([0, 1], [0])).toThrow(
      /mutualInfoScore: 'labels' must be one label per sample \(2\)/,
    );
    expect(() => normalizedMutualInfoScore([0, 1.5], [0, 1])).toThrow(
      /'truth' must hold 32-bit integers/,
    );
    expect(() =>
      adjustedMutualInfoScore([0, 1], [0, 1], { averageMethod: 'mean' as never }),
    ).toThrow(/'options.averageMethod'/);
    expect(() => homogeneityCompletenessVMeasure([], [])).toThrow(
      /'truth' must be a non-empty array/,
    );
    expect(() => homogeneityCompletenessVMeasure([0], [0], { beta: -1 })).toThrow(/'options.beta'/);
  });
});
