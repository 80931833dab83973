import { type AnalysisLabels, analysisLabels, codeLabels } from '../analysis-input.js';

/** The contingency table of two labelings, as scikit-learn's `contingency_matrix`. */
export interface Contingency {
  /** Samples. */
  n: number;
  /** Row sums: samples per truth class (ascending class value). */
  rows: Int32Array;
  /** Column sums: samples per predicted cluster (ascending label value). */
  cols: Int32Array;
  /** The non-zero cells as (row, column, count) triples. */
  cells: Array<[row: number, col: number, count: number]>;
}

/** Validates `truth` and `labels` (same length, integers; −1 is a label like any other). */
export function contingency(
  fn: string,
  truth: AnalysisLabels,
  labels: AnalysisLabels,
): Contingency {
  const t = codeLabels(analysisLabels(fn, 'truth', truth));
  const p = codeLabels(analysisLabels(fn, 'labels', labels, truth.length));
  const cols = p.counts.length;
  const table = new Map<number, number>();
  for (let i = 0; i < t.codes.length; i++) {
    const key = t.codes[i]! * cols + p.codes[i]!;
    table.set(key, (table.get(key) ?? 0) + 1);
  }
  const cells = [...table.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, count]): [number, number, number] => [Math.floor(key / cols), key % cols, count]);
  return { n: t.codes.length, rows: t.counts, cols: p.counts, cells };
}

/** Entropy (natural log) of a labeling from its class counts; 0 for a single class. */
export function entropyOf(counts: Int32Array): number {
  if (counts.length <= 1) return 0;
  let total = 0;
  for (const c of counts) total += c;
  const logTotal = Math.log(total);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * (Math.log(c) - logTotal);
  return h;
}
