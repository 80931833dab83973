import { basename } from 'node:path';
import type { AnalysisReportInput, ProfileColouring } from '../report/analysis-report.js';
import type { ResolvedAnalyseOptions } from './analyse-options.js';
import { metricsJson } from './analyse-outputs.js';
import type { ClassificationOutcome, ClusterMetrics, ClusterOutcome } from './analyse-results.js';
import type { Profiles } from './prepare-profiles.js';

/** Most categories a metadata column may have to be offered as a UMAP colouring. */
const MAX_CATEGORIES = 40;

function colouring(name: string, values: readonly string[]): ProfileColouring {
  const categories = [...new Set(values)].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const index = new Map(categories.map((c, i) => [c, i]));
  return { name, categories, values: values.map((v) => index.get(v)!) };
}

/** The settings table: what was run, as the flags say it. */
function settings(o: ResolvedAnalyseOptions): Record<string, unknown> {
  return {
    features: o.features,
    metadata: o.metadata ?? 'none',
    group: o.group.join(', ') || 'none',
    by: o.by ?? 'none',
    control: o.control ? `${o.control.column} = ${o.control.value}` : 'all rows',
    plate: o.plate ?? 'one batch',
    normalise: o.normalise,
    aggregate: o.aggregate,
    cluster: o.cluster,
    clusters: o.clusters ?? 'auto',
    classify: o.classify,
    folds: o.folds,
    umap: o.umap,
    seed: o.seed,
  };
}

/** Builds the analysis page's content from the stages' results. */
export function analysisPage(
  o: ResolvedAnalyseOptions,
  rows: number,
  p: Profiles,
  c: ClusterOutcome,
  m: ClusterMetrics,
  r: ClassificationOutcome | undefined,
  notes: string[],
): AnalysisReportInput {
  const colourings = [
    colouring(
      'cluster',
      Array.from(c.labels, (l) => String(l)),
    ),
    ...p.metadataColumns
      .map((name) => colouring(name, p.metadata[name]!))
      // id-like columns (every profile its own value) colour nothing.
      .filter(
        (col) =>
          col.categories.length >= 2 &&
          col.categories.length <= MAX_CATEGORIES &&
          col.categories.length < col.values.length,
      ),
  ];
  const e = c.embedding;
  const labels = Array.from(m.silhouetteSamples ?? []);
  return {
    title: `cellshape analyse — ${basename(o.features)}`,
    source: o.features,
    settings: settings(o),
    stats: [
      ['rows', rows],
      ['profiles', p.keys.length],
      ['features', p.features.shape[1]],
      ['clusters', c.k],
      ...(m.silhouette !== null
        ? ([['silhouette', m.silhouette.toFixed(3)]] as [string, string][])
        : []),
      ...(r ? ([['CV accuracy', r.accuracy.toFixed(3)]] as [string, string][]) : []),
    ],
    labels: p.keys.map((k) => k.join(' · ')),
    umap: e
      ? {
          x: Array.from({ length: e.shape[0] }, (_, i) => e.data[2 * i]!),
          y: Array.from({ length: e.shape[0] }, (_, i) => e.data[2 * i + 1]!),
        }
      : undefined,
    colourings,
    metrics: metricsJson(c, m),
    silhouette:
      m.silhouetteSamples && m.silhouette !== null
        ? {
            values: labels.map((v) => (Number.isFinite(v) ? v : 0)),
            labels: Array.from(c.labels),
            mean: m.silhouette,
          }
        : undefined,
    classification: r,
    notes,
  };
}
