import { InvalidArgumentError, invalidArgument } from '@cellshape/core';
import { type AnalysisMatrix, analysisMatrix } from '../analysis-input.js';
import { checkMatrix, type DenseMatrix } from '../dense-matrix.js';
import { checkGroups, type GroupKey } from '../signatures.js';

/**
 * A feature matrix as the profile functions take it: the analysis toolkit's
 * {@link AnalysisMatrix} (a {@link DenseMatrix} or an array of rows).
 */
export type ProfileMatrix = AnalysisMatrix;

/**
 * Reads a {@link ProfileMatrix} as a {@link DenseMatrix}: finite values only (the toolkit's
 * `analysisMatrix`), or with `allowNaN` also missing values (NaN) — aggregation skips them and
 * feature selection counts them, as pandas does — while ±Infinity is always rejected.
 */
export function profileMatrix(
  fn: string,
  arg: string,
  x: ProfileMatrix,
  options: { allowNaN?: boolean } = {},
): DenseMatrix {
  if (!options.allowNaN) return analysisMatrix(fn, arg, x);
  let m: DenseMatrix;
  if (Array.isArray(x)) {
    const rows = x as readonly (readonly number[])[];
    const cols = Array.isArray(rows[0]) ? rows[0].length : 0;
    if (rows.length === 0 || cols === 0)
      throw invalidArgument(fn, arg, 'a non-empty matrix of rows', x);
    const data = new Float64Array(rows.length * cols);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols)
        throw invalidArgument(fn, `${arg}[${i}]`, `an array of ${cols} numbers`, row);
      row.forEach((v, j) => {
        data[i * cols + j] = v === null ? Number.NaN : v;
      });
    });
    m = { data, shape: [rows.length, cols] };
  } else m = x as DenseMatrix;
  checkMatrix(fn, arg, m, { allowNonFinite: true });
  const { data, shape } = m;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isFinite(v) || Number.isNaN(v)) continue;
    const col = i % shape[1];
    throw new InvalidArgumentError(
      `${fn}: '${arg}' must hold finite numbers or NaN (missing), got ${v} at row ${(i - col) / shape[1]}, column ${col}`,
      { fn, arg },
    );
  }
  return m;
}

/** Rows grouped by one key column, or by several named key columns (e.g. plate and well). */
export type ProfileGroups = readonly GroupKey[] | Readonly<Record<string, readonly GroupKey[]>>;

/** What {@link groupRows} returns. */
export interface GroupedRows {
  /** Names of the key columns (`['group']` for a single unnamed column). */
  columns: string[];
  /** Each group's keys, one per column, in order of first appearance of the group. */
  keys: GroupKey[][];
  /** The rows of each group, ascending. */
  rows: number[][];
  /** The group index of every row. */
  groupOf: Int32Array;
}

/** Groups `n` rows by the (joint) value of one or more key columns, in first-appearance order. */
export function groupRows(fn: string, arg: string, groups: ProfileGroups, n: number): GroupedRows {
  const named: [string, readonly GroupKey[]][] = Array.isArray(groups)
    ? [['group', groups as readonly GroupKey[]]]
    : groups !== null && typeof groups === 'object'
      ? Object.entries(groups as Record<string, readonly GroupKey[]>)
      : [];
  if (named.length === 0)
    throw invalidArgument(fn, arg, 'an array of keys or an object of key columns', groups);
  for (const [name, keys] of named)
    checkGroups(fn, Array.isArray(groups) ? arg : `${arg}.${name}`, keys, n);
  const index = new Map<string, number>();
  const keys: GroupKey[][] = [];
  const rows: number[][] = [];
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = named.map(([, k]) => k[i]!);
    // JSON keeps 1 and '1' apart, as the keys are compared with ===.
    const text = JSON.stringify(key);
    let g = index.get(text);
    if (g === undefined) {
      g = keys.length;
      index.set(text, g);
      keys.push(key);
      rows.push([]);
    }
    rows[g]!.push(i);
    groupOf[i] = g;
  }
  return { columns: named.map(([name]) => name), keys, rows, groupOf };
}

/** Validates `options.reference`: `'all'` or one boolean per row (true: a control / reference row). */
export function checkReference(
  fn: string,
  reference: unknown,
  n: number,
): 'all' | readonly boolean[] {
  if (
    reference !== 'all' &&
    (!Array.isArray(reference) ||
      reference.length !== n ||
      !reference.every((v) => typeof v === 'boolean'))
  )
    throw invalidArgument(fn, 'options.reference', `'all' or an array of ${n} booleans`, reference);
  return reference as 'all' | readonly boolean[];
}
