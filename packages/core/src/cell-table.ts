import { formatCsv } from './csv.js';
import { invalidArgument } from './errors.js';

/** A per-cell matrix, `n × columns` row-major. */
export interface CellMatrix {
  data: ArrayLike<number>;
  shape: readonly [number, number];
}

/** The per-cell outputs of an analysis, in one order: what {@link cellTableCsv} writes. */
export interface CellTable {
  /** Cell ids, the first column. */
  ids: readonly string[];
  /** Metadata per cell (treatment, plate, …), columns in order of first appearance. */
  metadata?: readonly Readonly<Record<string, string | number>>[];
  /** Hard labels and the name of their column (`'cluster'`, `'label'`). */
  labels?: { column: string; values: ArrayLike<number> };
  /** Soft labels q, `n × K`, written as float64 in columns `q0 … q(K−1)`. */
  q?: CellMatrix;
  /** Features, `n × F`, written as float32 in columns `f0 … f(F−1)`. */
  features?: CellMatrix;
}

/**
 * The shortest decimal text that reads back as the same float32 value (every float32 has one of
 * at most 9 significant digits; from 6 digits up, trailing zeros vanish in `Number`).
 */
export function formatFloat32(value: number): string {
  if (Object.is(value, -0)) return '-0'; // String(-0) is '0'
  // A shortest double text of at most 6 characters has at most 6 significant digits, and then
  // the search below returns it too (rounding to 6 digits gives those digits back); mesh
  // vertices on a voxel grid (12.5) take this path.
  const short = String(value);
  if (short.length <= 6) return short;
  const target = Math.fround(value);
  for (let digits = 6; digits < 9; digits++) {
    const rounded = roundToDigits(value, digits);
    if (Math.fround(rounded) === target) return String(rounded);
  }
  return String(Number(value.toPrecision(9)));
}

/** Powers of ten that doubles hold exactly. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `Number(value.toPrecision(digits))` without the text: the digits n come from one correctly
 * rounded multiplication or division by an exact power of ten, and n / 10^k (n · 10^k) is then
 * the correctly rounded double of the text, as `Number` reads it. When the scaled value lies
 * too close to a rounding tie for the product's rounding error, or the power is not exact,
 * `toPrecision` decides.
 */
function roundToDigits(value: number, digits: number): number {
  const magnitude = Math.abs(value);
  const shift = digits - 1 - Math.floor(Math.log10(magnitude));
  if (!(Math.abs(shift) <= 22)) return Number(value.toPrecision(digits));
  const power = EXACT_POWERS[Math.abs(shift)]!;
  const scaled = shift >= 0 ? magnitude * power : magnitude / power;
  const fraction = scaled - Math.floor(scaled);
  // The digits of toPrecision: 10^(digits − 1) ≤ scaled < 10^digits (else log10 was off by
  // one). scaled < 10^8, so its rounding error is far below the tie margin of 1e-6.
  const wrongDigits = scaled < EXACT_POWERS[digits - 1]! || scaled >= EXACT_POWERS[digits]!;
  if (wrongDigits || Math.abs(fraction - 0.5) < 1e-6) return Number(value.toPrecision(digits));
  const n = Math.floor(scaled + 0.5);
  const rounded = shift >= 0 ? n / power : n * power;
  return value < 0 ? -rounded : rounded;
}

/**
 * A per-cell CSV, the one layout of every cellshape table: `id`, the metadata columns (in order
 * of first appearance), then the label column, `q0 … q(K−1)` and `f0 … f(F−1)` for the parts
 * given. A metadata column named like one of those is written as `metadata.<name>` (prefixed
 * again while that name is taken by another column), except a
 * column `id` that repeats the ids (the metadata's own id column), which is left out. Features
 * are written as float32, q as float64, both in their shortest exact form.
 *
 * @param fn the public function named in error messages.
 * @throws InvalidArgumentError when a part does not have one row per id.
 */
export function cellTableCsv(table: CellTable, fn = 'cellTableCsv'): string {
  if (table === null || typeof table !== 'object' || !Array.isArray(table.ids))
    throw invalidArgument(fn, 'table', 'a CellTable { ids, … }', table);
  const { ids, metadata, labels, q, features } = table;
  const n = ids.length;
  if (metadata !== undefined && (!Array.isArray(metadata) || metadata.length !== n))
    throw invalidArgument(fn, 'metadata', `${n} rows`, metadata?.length ?? metadata);
  if (labels !== undefined && labels.values.length !== n)
    throw invalidArgument(fn, 'labels', `${n} labels`, labels.values.length);
  for (const [name, m] of [
    ['q', q],
    ['features', features],
  ] as const)
    if (m !== undefined && (m.shape[0] !== n || m.data.length !== m.shape[0] * m.shape[1]))
      throw invalidArgument(fn, name, `an ${n} × columns matrix`, m.shape);
  const k = q?.shape[1] ?? 0;
  const f = features?.shape[1] ?? 0;
  const qNames = Array.from({ length: k }, (_, j) => `q${j}`);
  const fNames = Array.from({ length: f }, (_, j) => `f${j}`);
  const labelNames = labels ? [labels.column] : [];
  const reserved = new Set(['id', ...labelNames, ...qNames, ...fNames]);
  const rows = metadata ?? [];
  const columns: string[] = [];
  const seen = new Set<string>();
  // The id column itself, when it is named `id`: the first column already holds it.
  if (rows.every((row, i) => row.id === undefined || String(row.id) === ids[i])) seen.add('id');
  for (const row of rows)
    for (const key of Object.keys(row))
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
  // A clashing column becomes `metadata.<name>`, prefixed again while that is taken too: a
  // metadata table holding both `q0` and `metadata.q0` (a features.csv joined back in) wrote the
  // header `metadata.q0` twice, and pandas renamed one of them `metadata.q0.1`.
  const taken = new Set([...reserved, ...columns]);
  const rename = (c: string): string => {
    if (!reserved.has(c)) return c;
    let name = `metadata.${c}`;
    while (taken.has(name)) name = `metadata.${name}`;
    taken.add(name);
    return name;
  };
  const header = ['id', ...columns.map(rename), ...labelNames, ...qNames, ...fNames];
  const lines = ids.map((id, i) => {
    const row = rows[i] ?? {};
    const cells: Array<string | number> = [id, ...columns.map((c) => row[c] ?? '')];
    if (labels) cells.push(String(labels.values[i]));
    for (let j = 0; j < k; j++) cells.push(q!.data[i * k + j]!);
    for (let j = 0; j < f; j++) cells.push(formatFloat32(features!.data[i * f + j]!));
    return cells;
  });
  return formatCsv(header, lines);
}
