import { type AnalysisLabels, analysisLabels } from '../analysis-input.js';

/** Class labels as the classification metrics and classifiers take them: integers (any sign). */
export type ClassLabels = AnalysisLabels;

/**
 * Validates class labels (integers, any sign; strings go through `encodeLabels` first) of an
 * optional length, as every analysis function does, and returns them.
 */
export function checkClassLabels(
  fn: string,
  arg: string,
  labels: unknown,
  length?: number,
): ClassLabels {
  analysisLabels(fn, arg, labels as AnalysisLabels, length);
  return labels as ClassLabels;
}

/** The sorted distinct values of one or more label arrays (sklearn's `unique_labels`). */
export function uniqueLabels(...arrays: ClassLabels[]): number[] {
  const set = new Set<number>();
  for (const a of arrays) for (let i = 0; i < a.length; i++) set.add(a[i]!);
  return [...set].sort((x, y) => x - y);
}
