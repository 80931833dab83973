import type { DenseMatrix } from '../dense-matrix.js';

/**
 * The column filters of {@link selectFeatures}, each as pycytominer's operation of the same name
 * (pycytominer's main branch of 2026, `pycytominer/operations/`): given the matrix, the rows to judge on and the
 * candidate columns, each returns the columns it excludes. Missing values (NaN) are skipped.
 */

function present(m: DenseMatrix, rows: readonly number[], c: number): number[] {
  const f = m.shape[1];
  const out: number[] = [];
  for (const i of rows) {
    const v = m.data[i * f + c]!;
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/** `variance_threshold`: population variance (ddof 0) below `minVariance`. */
export function lowVariance(
  m: DenseMatrix,
  rows: readonly number[],
  cols: readonly number[],
  minVariance: number,
): number[] {
  return cols.filter((c) => {
    const v = present(m, rows, c);
    if (v.length === 0) return false; // pandas' var is NaN, and NaN < ε is false
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length < minVariance;
  });
}

/**
 * `frequency_threshold` (caret's `nearZeroVar`, pycytominer's `variance_threshold` until its PR #719):
 * the second most common value is rarer than `freqCut` × the most common one (or there is only
 * one value), or the distinct values are fewer than `uniqueCut` × the rows.
 */
export function lowFrequency(
  m: DenseMatrix,
  rows: readonly number[],
  cols: readonly number[],
  freqCut: number,
  uniqueCut: number,
): number[] {
  return cols.filter((c) => {
    const counts = new Map<number, number>();
    for (const v of present(m, rows, c)) counts.set(v, (counts.get(v) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    if (sorted.length < 2 || sorted[1]! / sorted[0]! < freqCut) return true;
    return counts.size / rows.length < uniqueCut;
  });
}

/** Pearson r of two columns over the rows where both are present (pandas' `corr`); NaN if undefined. */
function pearson(m: DenseMatrix, rows: readonly number[], a: number, b: number): number {
  const f = m.shape[1];
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (const i of rows) {
    const x = m.data[i * f + a]!;
    const y = m.data[i * f + b]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    sa += x;
    sb += y;
  }
  if (n < 2) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (const i of rows) {
    const x = m.data[i * f + a]!;
    const y = m.data[i * f + b]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    xy += (x - ma) * (y - mb);
    xx += (x - ma) ** 2;
    yy += (y - mb) ** 2;
  }
  return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : Number.NaN;
}

/**
 * `correlation_threshold`: for every pair of columns with Pearson r > `threshold` (signed, as
 * pycytominer: strongly anti-correlated pairs stay), drop the column whose summed |r| with all
 * candidate columns is larger — the one most redundant with the rest. Pairs are judged
 * independently and their drops united; ties in the sum keep column order.
 */
export function highCorrelation(
  m: DenseMatrix,
  rows: readonly number[],
  cols: readonly number[],
  threshold: number,
): number[] {
  const k = cols.length;
  const r = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    r[i * k + i] = 1;
    for (let j = 0; j < i; j++) {
      const v = pearson(m, rows, cols[i]!, cols[j]!);
      r[i * k + j] = v;
      r[j * k + i] = v;
    }
  }
  const total = Array.from({ length: k }, (_, i) => {
    let s = 0;
    for (let j = 0; j < k; j++) if (!Number.isNaN(r[i * k + j]!)) s += Math.abs(r[i * k + j]!);
    return s;
  });
  const rank = new Int32Array(k);
  [...total.keys()]
    .sort((a, b) => total[a]! - total[b]! || a - b)
    .forEach((i, p) => {
      rank[i] = p;
    });
  const dropped = new Set<number>();
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++)
      if (r[i * k + j]! > threshold) dropped.add(rank[i]! > rank[j]! ? cols[i]! : cols[j]!);
  return cols.filter((c) => dropped.has(c));
}

/** `drop_na_columns`: a share of missing values (NaN) above `cutoff`. */
export function tooManyMissing(
  m: DenseMatrix,
  rows: readonly number[],
  cols: readonly number[],
  cutoff: number,
): number[] {
  return cols.filter((c) => (rows.length - present(m, rows, c).length) / rows.length > cutoff);
}
