import { cellTableCsv, invalidArgument, withDefaults, writeFileAtomic } from '@cellshape/core';
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

/**
 * The per-cell IDEC output as CSV text: `id`, metadata columns, `label` (hard cluster),
 * `q0 … q(K−1)` (soft labels, the 3DQMS vector), then `f0 … f(F−1)` (features), one row per
 * cell in dataset order (core's `cellTableCsv`). A metadata column whose name collides is
 * written as `metadata.<name>`; an `id` column that repeats the ids is left out.
 */
export function idecResultToCsv(result: IdecResult, options: IdecCsvOptions = {}): string {
  const fn = 'idecResultToCsv';
  if (result === null || typeof result !== 'object' || !Array.isArray(result.ids))
    throw invalidArgument(fn, 'result', 'the result of trainIdec', result);
  const { metadata, features: withFeatures } = withDefaults(fn, DEFAULT_IDEC_CSV_OPTIONS, options);
  const { ids, q, labels, features } = result;
  const n = ids.length;
  const [qn] = q.shape;
  const [fnRows] = features.shape;
  if (qn !== n || fnRows !== n || labels.length !== n)
    throw invalidArgument(fn, 'result', `ids, q, labels and features for the same ${n} cells`, [
      qn,
      fnRows,
      labels.length,
    ]);
  if (metadata !== undefined && (!Array.isArray(metadata) || metadata.length !== n))
    throw invalidArgument(fn, 'options.metadata', `an array of ${n} rows`, metadata);
  return cellTableCsv(
    {
      ids,
      ...(metadata !== undefined ? { metadata } : {}),
      labels: { column: 'label', values: labels },
      q,
      ...(withFeatures ? { features } : {}),
    },
    fn,
  );
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
