import type { Metadata } from '@cellshape/cloud';
import { formatCsv, invalidArgument, writeFileAtomic } from '@cellshape/core';

/** Per-cell outputs of a run, in dataset order. */
export interface CellTableInput {
  /** Cell ids. */
  ids: readonly string[];
  /** Metadata per cell. */
  metadata: readonly Metadata[];
  /** Hard cluster labels, when written. */
  labels?: ArrayLike<number>;
  /** Soft labels q, `n × K` row-major, when written. */
  q?: { data: ArrayLike<number>; shape: [number, number] };
  /** Features, `n × F` row-major, when written. */
  features?: { data: ArrayLike<number>; shape: [number, number] };
}

/** The shortest decimal that reads back to the same float32 value. */
function float32Text(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === Math.fround(value)) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}

/**
 * A per-cell CSV: `id`, the metadata columns (in order of first appearance), then `cluster`,
 * `q0 … q(K−1)` and `f0 … f(F−1)` for the parts given. A metadata column whose name clashes
 * with those is written as `metadata.<name>`. Features are written as float32, q as float64.
 */
export function cellTableCsv(table: CellTableInput): string {
  const fn = 'cellTableCsv';
  const n = table.ids.length;
  if (table.metadata.length !== n)
    throw invalidArgument(fn, 'metadata', `${n} rows`, table.metadata.length);
  if (table.labels !== undefined && table.labels.length !== n)
    throw invalidArgument(fn, 'labels', `${n} labels`, table.labels.length);
  for (const [name, m] of [
    ['q', table.q],
    ['features', table.features],
  ] as const)
    if (m !== undefined && (m.shape[0] !== n || m.data.length !== m.shape[0] * m.shape[1]))
      throw invalidArgument(fn, name, `an ${n} × columns matrix`, m.shape);
  const k = table.q?.shape[1] ?? 0;
  const f = table.features?.shape[1] ?? 0;
  const qNames = Array.from({ length: k }, (_, j) => `q${j}`);
  const fNames = Array.from({ length: f }, (_, j) => `f${j}`);
  const reserved = new Set(['id', ...(table.labels ? ['cluster'] : []), ...qNames, ...fNames]);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of table.metadata)
    for (const key of Object.keys(row))
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
  const header = [
    'id',
    ...columns.map((c) => (reserved.has(c) ? `metadata.${c}` : c)),
    ...(table.labels ? ['cluster'] : []),
    ...qNames,
    ...fNames,
  ];
  const rows = table.ids.map((id, i) => {
    const row = table.metadata[i]!;
    const cells = [id, ...columns.map((c) => row[c] ?? '')];
    if (table.labels) cells.push(String(table.labels[i]));
    for (let j = 0; j < k; j++) cells.push(String(table.q!.data[i * k + j]));
    for (let j = 0; j < f; j++) cells.push(float32Text(table.features!.data[i * f + j]!));
    return cells;
  });
  return formatCsv(header, rows);
}

/** Writes {@link cellTableCsv} to `path` atomically. */
export async function writeCellTable(path: string, table: CellTableInput): Promise<void> {
  await writeFileAtomic(path, cellTableCsv(table));
}
