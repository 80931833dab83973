import { invalidArgument, writeFileAtomic } from '@cellshape/core';
import { csvField } from '../data/csv.js';
import type { FeaturesResult } from './extract-features.js';

/** A float32 value with the fewest digits that read back to the same float32 (9 always do). */
function formatFloat32(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}

function checkResult(fn: string, result: FeaturesResult): void {
  if (result === null || typeof result !== 'object' || !Array.isArray(result.ids))
    throw invalidArgument(fn, 'result', 'the result of extractFeatures', result);
  const { ids, features, numFeatures, metadata } = result;
  if (!(features instanceof Float32Array) || features.length !== ids.length * numFeatures)
    throw invalidArgument(
      fn,
      'result.features',
      `a Float32Array of ids.length × numFeatures = ${ids.length * numFeatures} values`,
      features,
    );
  if (!Array.isArray(metadata) || metadata.length !== ids.length)
    throw invalidArgument(fn, 'result.metadata', `an array of ${ids.length} rows`, metadata);
}

/**
 * The features as CSV text: a header `id, <metadata columns>, f0, …, f(F−1)` and one row per
 * cell. Metadata columns appear in order of first appearance; a metadata column named like
 * `id` or a feature column is written as `metadata.<name>`.
 */
export function featuresToCsv(result: FeaturesResult): string {
  checkResult('featuresToCsv', result);
  const { ids, features, numFeatures, metadata } = result;
  const featureNames = Array.from({ length: numFeatures }, (_, f) => `f${f}`);
  const reserved = new Set(['id', ...featureNames]);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of metadata) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const header = [
    'id',
    ...columns.map((c) => (reserved.has(c) ? `metadata.${c}` : c)),
    ...featureNames,
  ];
  const lines = [header.map(csvField).join(',')];
  for (let i = 0; i < ids.length; i++) {
    const row = metadata[i]!;
    const cells = [csvField(ids[i]!), ...columns.map((c) => csvField(row[c] ?? ''))];
    for (let f = 0; f < numFeatures; f++) cells.push(formatFloat32(features[i * numFeatures + f]!));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes {@link featuresToCsv} to `path` atomically (parent folders are created). */
export async function writeFeaturesCsv(path: string, result: FeaturesResult): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('writeFeaturesCsv', 'path', 'a non-empty file path', path);
  await writeFileAtomic(path, featuresToCsv(result));
}
