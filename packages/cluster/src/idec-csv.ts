import { csvField, invalidArgument, writeFileAtomic } from '@cellshape/core';
import type { IdecResult } from './train-idec.js';

/** Options of {@link idecResultToCsv}. */
export interface IdecCsvOptions {
  /** Extra columns per cell (e.g. treatment, plate), written after `id`. */
  metadata?: Record<string, string | number>[];
  /** Also write the features `f0 … f(F−1)`. Default true. */
  features?: boolean;
}

/** Defaults of {@link IdecCsvOptions}. */
export const DEFAULT_IDEC_CSV_OPTIONS = { features: true } as const;

/** The shortest decimal that reads back to the same float32 / float64 value. */
function formatNumber(value: number, float32: boolean): string {
  return float32 ? String(Number(value.toPrecision(9))) : String(value);
}

/**
 * The per-cell IDEC output as CSV text: `id`, metadata columns, `label` (hard cluster),
 * `q0 … q(K−1)` (soft labels, the 3DQMS vector), then `f0 … f(F−1)` (features), one row per
 * cell in dataset order. A metadata column whose name collides is written as `metadata.<name>`.
 */
export function idecResultToCsv(result: IdecResult, options: IdecCsvOptions = {}): string {
  const fn = 'idecResultToCsv';
  if (result === null || typeof result !== 'object' || !Array.isArray(result.ids))
    throw invalidArgument(fn, 'result', 'the result of trainIdec', result);
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  const { ids, q, labels, features } = result;
  const n = ids.length;
  const [qn, k] = q.shape;
  const [fnRows, f] = features.shape;
  if (qn !== n || fnRows !== n || labels.length !== n)
    throw invalidArgument(fn, 'result', `ids, q, labels and features for the same ${n} cells`, [
      qn,
      fnRows,
      labels.length,
    ]);
  const metadata = options.metadata;
  if (metadata !== undefined && (!Array.isArray(metadata) || metadata.length !== n))
    throw invalidArgument(fn, 'options.metadata', `an array of ${n} rows`, metadata);
  const withFeatures = options.features ?? DEFAULT_IDEC_CSV_OPTIONS.features;
  const qNames = Array.from({ length: k }, (_, j) => `q${j}`);
  const fNames = withFeatures ? Array.from({ length: f }, (_, c) => `f${c}`) : [];
  const reserved = new Set(['id', 'label', ...qNames, ...fNames]);
  const columns: string[] = [];
  for (const row of metadata ?? [])
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const header = [
    'id',
    ...columns.map((c) => (reserved.has(c) ? `metadata.${c}` : c)),
    'label',
    ...qNames,
    ...fNames,
  ];
  const lines = [header.map(csvField).join(',')];
  for (let i = 0; i < n; i++) {
    const cells = [csvField(ids[i]!)];
    for (const c of columns) cells.push(csvField(metadata![i]![c] ?? ''));
    cells.push(String(labels[i]));
    for (let j = 0; j < k; j++) cells.push(formatNumber(q.data[i * k + j]!, false));
    for (let c = 0; c < fNames.length; c++)
      cells.push(formatNumber(features.data[i * f + c]!, true));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes {@link idecResultToCsv} to `path` atomically (parent folders are created). */
export async function writeIdecCsv(
  path: string,
  result: IdecResult,
  options: IdecCsvOptions = {},
): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('writeIdecCsv', 'path', 'a non-empty file path', path);
  await writeFileAtomic(path, idecResultToCsv(result, options));
}
