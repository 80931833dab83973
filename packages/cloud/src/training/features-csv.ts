import { cellTableCsv, invalidArgument, writeFileAtomic } from '@cellshape/core';
import type { FeaturesResult } from './extract-features.js';

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
 * cell (core's `cellTableCsv`). Metadata columns appear in order of first appearance; a metadata
 * column named like a feature column, or an `id` column that differs from the ids, is written as
 * `metadata.<name>`.
 */
export function featuresToCsv(result: FeaturesResult): string {
  checkResult('featuresToCsv', result);
  const { ids, features, numFeatures, metadata } = result;
  return cellTableCsv(
    { ids, metadata, features: { data: features, shape: [ids.length, numFeatures] } },
    'featuresToCsv',
  );
}

/** Writes {@link featuresToCsv} to `path` atomically (parent folders are created). */
export async function writeFeaturesCsv(path: string, result: FeaturesResult): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('writeFeaturesCsv', 'path', 'a non-empty file path', path);
  await writeFileAtomic(path, featuresToCsv(result));
}
