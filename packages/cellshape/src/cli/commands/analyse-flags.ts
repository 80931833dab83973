import { isCellshapeError } from '@cellshape/core';
import { InvalidArgumentError } from 'commander';
import type { AnalyseOptions } from '../../analyse/analyse-options.js';
import { UsageError } from '../errors.js';

/** The flags of `cellshape analyse` as commander parses them. */
export interface AnalyseFlags {
  out: string;
  metadata?: string;
  idColumn: string;
  group?: string[];
  by?: string;
  control?: { column: string; value: string };
  plate?: string;
  normalise: NonNullable<NonNullable<AnalyseOptions['pipeline']>['normalise']>;
  aggregate?: NonNullable<NonNullable<AnalyseOptions['pipeline']>['aggregate']>;
  cluster: NonNullable<NonNullable<AnalyseOptions['pipeline']>['cluster']>;
  clusters?: number;
  classify?: NonNullable<NonNullable<AnalyseOptions['pipeline']>['classify']>;
  folds: number;
  umap?: boolean;
}

/** `a,b` → `['a', 'b']` (spaces trimmed, empty parts dropped). */
export function columnList(text: string): string[] {
  const columns = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (columns.length === 0)
    throw new InvalidArgumentError('expected column names, e.g. Plate,Well.');
  return columns;
}

/** `column=value` → `{ column, value }` (the value may contain `=`). */
export function columnValue(text: string): { column: string; value: string } {
  const at = text.indexOf('=');
  const column = text.slice(0, at).trim();
  if (at <= 0 || column === '' || text.slice(at + 1) === '')
    throw new InvalidArgumentError('expected column=value, e.g. Treatment=DMSO.');
  return { column, value: text.slice(at + 1) };
}

/** The flag (or argument) behind each option of `analyseRun`, for usage errors. */
const FLAG_OF: Record<string, string> = {
  'input.features': '<features.csv>',
  'input.metadata': '--metadata',
  'input.idColumn': '--id-column',
  'design.group': '--group',
  'design.by': '--by',
  'design.control': '--control',
  'design.plate': '--plate',
  'pipeline.normalise': '--normalise',
  'pipeline.aggregate': '--aggregate',
  'pipeline.cluster': '--cluster',
  'pipeline.clusters': '--clusters',
  'pipeline.classify': '--classify',
  'pipeline.folds': '--folds',
  'pipeline.umap': '--umap',
  out: '--out',
};

/**
 * Turns an argument error of `analyseRun` that comes from a flag into a usage error (exit 2)
 * whose one line names the flag: `--group: no column "Well" in the features or metadata CSV …`.
 * Other errors pass through unchanged.
 */
export function asUsageError(error: unknown): unknown {
  if (!isCellshapeError(error, 'INVALID_ARGUMENT') || error.fn !== 'analyseRun') return error;
  const flag = error.arg === undefined ? undefined : FLAG_OF[error.arg];
  if (flag === undefined) return error;
  const detail = error.message.replace(/^analyseRun:\s*/, '');
  return new UsageError(`${flag}: ${detail}`);
}

/** The `analyseRun` options of the parsed flags. */
export function analyseOptionsOf(
  features: string,
  flags: AnalyseFlags,
  seed: number,
): Omit<AnalyseOptions, 'onProgress'> {
  return {
    input: {
      features,
      ...(flags.metadata !== undefined ? { metadata: flags.metadata } : {}),
      idColumn: flags.idColumn,
    },
    design: {
      ...(flags.group !== undefined ? { group: flags.group } : {}),
      ...(flags.by !== undefined ? { by: flags.by } : {}),
      ...(flags.control !== undefined ? { control: flags.control } : {}),
      ...(flags.plate !== undefined ? { plate: flags.plate } : {}),
    },
    pipeline: {
      normalise: flags.normalise,
      ...(flags.aggregate !== undefined ? { aggregate: flags.aggregate } : {}),
      cluster: flags.cluster,
      ...(flags.clusters !== undefined ? { clusters: flags.clusters } : {}),
      ...(flags.classify !== undefined ? { classify: flags.classify } : {}),
      folds: flags.folds,
      umap: flags.umap === true,
    },
    out: flags.out,
    seed,
  };
}
