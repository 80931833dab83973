import { checkNumber, withDefaults } from '@cellshape/core';
import type { AnalysisLabels } from '../analysis-input.js';
import { contingency, entropyOf } from './contingency.js';
import { mutualInfoOf } from './mutual-info.js';

/** Options of {@link homogeneityCompletenessVMeasure}. */
export interface VMeasureOptions {
  /** Weight of completeness against homogeneity (> 1 favours completeness). Default 1. */
  beta?: number;
}

/** Defaults of {@link VMeasureOptions}. */
export const DEFAULT_V_MEASURE_OPTIONS = { beta: 1 } as const;

/** What {@link homogeneityCompletenessVMeasure} returns, each in [0, 1]. */
export interface VMeasure {
  /** 1 when every cluster holds members of one class only: MI / H(truth). */
  homogeneity: number;
  /** 1 when every class sits in one cluster: MI / H(labels). */
  completeness: number;
  /** Their weighted harmonic mean, (1 + β)·h·c / (β·h + c). */
  vMeasure: number;
}

/**
 * Homogeneity, completeness and V-measure of a clustering against known classes, as
 * scikit-learn's `homogeneity_completeness_v_measure` (natural-log entropies; a labeling with
 * a single class has zero entropy and its ratio is 1; −1 is a label like any other).
 *
 * @param truth the known class of each sample (integers).
 * @param labels the cluster of each sample (integers), same length.
 */
export function homogeneityCompletenessVMeasure(
  truth: AnalysisLabels,
  labels: AnalysisLabels,
  options?: VMeasureOptions,
): VMeasure {
  const fn = 'homogeneityCompletenessVMeasure';
  const { beta } = withDefaults(fn, DEFAULT_V_MEASURE_OPTIONS, options);
  checkNumber(fn, 'options.beta', beta, { min: 0 });
  const table = contingency(fn, truth, labels);
  const hTruth = entropyOf(table.rows);
  const hLabels = entropyOf(table.cols);
  const mi = mutualInfoOf(table);
  const homogeneity = hTruth === 0 ? 1 : mi / hTruth;
  const completeness = hLabels === 0 ? 1 : mi / hLabels;
  const vMeasure =
    homogeneity + completeness === 0
      ? 0
      : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}
