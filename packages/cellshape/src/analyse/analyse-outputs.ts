import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCsv, writeFileAtomic } from '@cellshape/core';
import type { ClassificationOutcome, ClusterMetrics, ClusterOutcome } from './analyse-results.js';
import type { Profiles } from './prepare-profiles.js';

/** The files `cellshape analyse` writes into its output folder. */
export const ANALYSE_FILES = Object.freeze({
  profiles: 'profiles.csv',
  clusters: 'clusters.csv',
  metrics: 'metrics.json',
  classification: 'classification.json',
  confusion: 'confusion.csv',
  report: 'report.html',
});

/**
 * Rounds for the text files: 9 significant digits, so that every float32 value (the features
 * of `features.csv`, profiles left unnormalised) reads back exactly. 7 digits did not: the
 * float32 0.123456791 was written 0.1234568, one float32 step away.
 */
function num(v: number): number | string {
  return Number.isFinite(v) ? Number(v.toPrecision(9)) : '';
}

/** profiles.csv: key columns, `count`, metadata columns, then the features. */
export function profilesCsv(p: Profiles, featureNames: readonly string[]): string {
  const f = p.features.shape[1];
  const header = [...p.keyColumns, 'count', ...p.metadataColumns, ...featureNames];
  const rows = p.keys.map((key, i) => [
    ...key,
    p.counts[i]!,
    ...p.metadataColumns.map((c) => p.metadata[c]![i]!),
    ...Array.from(p.features.data.subarray(i * f, (i + 1) * f), num),
  ]);
  return formatCsv(header, rows);
}

/** clusters.csv: key columns, the class (when known), cluster, silhouette, UMAP coordinates. */
export function clustersCsv(
  p: Profiles,
  c: ClusterOutcome,
  m: ClusterMetrics,
  by: string | undefined,
): string {
  const e = c.embedding;
  const header = [
    ...p.keyColumns,
    ...(by !== undefined ? [by] : []),
    'cluster',
    'silhouette',
    ...(e ? ['umap_1', 'umap_2'] : []),
  ];
  const rows = p.keys.map((key, i) => [
    ...key,
    ...(by !== undefined ? [p.classes![i]!] : []),
    c.labels[i]!,
    m.silhouetteSamples ? num(m.silhouetteSamples[i]!) : '',
    ...(e ? [num(e.data[2 * i]!), num(e.data[2 * i + 1]!)] : []),
  ]);
  return formatCsv(header, rows);
}

/** confusion.csv: one row per true class, one column per predicted class. */
export function confusionCsv(r: ClassificationOutcome): string {
  return formatCsv(
    [`${r.column} \\ predicted`, ...r.classes],
    r.confusion.map((row, i) => [r.classes[i]!, ...row]),
  );
}

/** metrics.json's content (the silhouette per sample is in clusters.csv). */
export function metricsJson(c: ClusterOutcome, m: ClusterMetrics): Record<string, unknown> {
  const { silhouetteSamples: _, against, ...scores } = m;
  return {
    method: c.method,
    clusteredOn: c.clusteredOn,
    kFrom: c.kFrom,
    noise: c.labels.filter((l) => l < 0).length,
    ...scores,
    ...(against ? { against } : {}),
  };
}

async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Everything {@link writeAnalyseOutputs} writes. */
export interface AnalyseOutputParts {
  profiles: Profiles;
  featureNames: readonly string[];
  by: string | undefined;
  cluster: ClusterOutcome;
  metrics: ClusterMetrics;
  classification: ClassificationOutcome | undefined;
  report: string;
}

/**
 * Writes the CSV, JSON and HTML files into `out` (created), each atomically (a temporary name,
 * then a rename: a reader never sees half a file). Returns the paths written, by kind.
 */
export async function writeAnalyseOutputs(
  out: string,
  parts: AnalyseOutputParts,
): Promise<Partial<Record<keyof typeof ANALYSE_FILES, string>>> {
  await mkdir(out, { recursive: true });
  const files: Partial<Record<keyof typeof ANALYSE_FILES, string>> = {};
  const put = async (kind: keyof typeof ANALYSE_FILES, text: string) => {
    const path = join(out, ANALYSE_FILES[kind]);
    await writeFileAtomic(path, text);
    files[kind] = path;
  };
  await put('profiles', profilesCsv(parts.profiles, parts.featureNames));
  await put('clusters', clustersCsv(parts.profiles, parts.cluster, parts.metrics, parts.by));
  await writeJsonFile(join(out, ANALYSE_FILES.metrics), metricsJson(parts.cluster, parts.metrics));
  files.metrics = join(out, ANALYSE_FILES.metrics);
  if (parts.classification) {
    await writeJsonFile(join(out, ANALYSE_FILES.classification), parts.classification);
    files.classification = join(out, ANALYSE_FILES.classification);
    await put('confusion', confusionCsv(parts.classification));
  }
  await put('report', parts.report);
  return files;
}
