import { resolve } from 'node:path';
import { reportProgress } from '@cellshape/core';
import { analysisReportHtml } from '../report/analysis-report.js';
import { plotlySourceFor } from '../report/plotly-source.js';
import { type AnalyseOptions, resolveAnalyseOptions } from './analyse-options.js';
import { type ANALYSE_FILES, writeAnalyseOutputs } from './analyse-outputs.js';
import type { ClassificationOutcome, ClusterMetrics } from './analyse-results.js';
import { type AnalyseTable, readAnalyseTable } from './analyse-table.js';
import { analysisPage } from './analysis-page.js';
import { classifyProfiles, planClassification } from './classify-profiles.js';
import { clusterProfiles } from './cluster-profiles.js';
import { prepareProfiles } from './prepare-profiles.js';
import { scoreClusters } from './score-clusters.js';

/** What {@link analyseRun} returns (and `cellshape analyse --json` prints). */
export interface AnalyseResult {
  /** The output folder. */
  out: string;
  /** Paths written, by kind (see `ANALYSE_FILES`). */
  files: Partial<Record<keyof typeof ANALYSE_FILES, string>>;
  /** Rows read (cells), and rows without metadata left out. */
  rows: number;
  unmatched: number;
  /** Profiles clustered (groups after aggregation, else rows). */
  profiles: number;
  features: number;
  clusters: number;
  metrics: Omit<ClusterMetrics, 'silhouetteSamples'>;
  classification?: Pick<
    ClassificationOutcome,
    | 'classifier'
    | 'column'
    | 'folds'
    | 'grouped'
    | 'accuracy'
    | 'balancedAccuracy'
    | 'cohenKappa'
    | 'macroF1'
  >;
  /** What the user should know: mixed classes within groups, unmatched rows. */
  notes: string[];
}

const STAGES = ['read', 'normalise', 'cluster', 'metrics', 'classify', 'write'] as const;

/** What the user should know about how the tables were read and joined. */
function readingNotes(table: AnalyseTable, mixedClasses: number, by: string | undefined): string[] {
  const notes: string[] = [];
  if (table.unmatched > 0)
    notes.push(`${table.unmatched} rows of the features CSV have no metadata and were left out.`);
  const repeated = table.repeatedMetadataIds;
  if (repeated.length > 0)
    notes.push(
      `${repeated.length} ids are on several rows of the metadata CSV (${repeated.slice(0, 3).join(', ')}${repeated.length > 3 ? ', …' : ''}); the first row of each was used.`,
    );
  const shadowed = table.shadowedMetadataColumns;
  if (shadowed.length > 0)
    notes.push(
      `the metadata CSV's ${shadowed.join(', ')} differ from the features CSV's columns of that name on some rows; the features CSV's values were used.`,
    );
  if (mixedClasses > 0)
    notes.push(
      `${mixedClasses} groups hold rows of more than one ${by} class; each takes its most common class.`,
    );
  return notes;
}

/**
 * `cellshape analyse` as a library function: reads a features CSV (joined with a metadata CSV),
 * normalises per plate against the controls, aggregates per group (well, sample), clusters the
 * profiles, scores the clusters (silhouette, Davies–Bouldin, Calinski–Harabasz; V-measure, ARI,
 * AMI against the known classes), cross-validates a classifier of the classes (folds grouped so
 * one group never sits on both sides) and writes profiles.csv, clusters.csv, metrics.json,
 * classification.json, confusion.csv and a self-contained report.html into `options.out`.
 *
 * ```ts
 * const result = await analyseRun({
 *   input: { features: 'runs/exp1/features.csv', metadata: 'cells.csv' },
 *   design: { group: ['Plate', 'Well'], by: 'Treatment', control: { column: 'Treatment', value: 'DMSO' }, plate: 'Plate' },
 *   out: 'runs/exp1/analysis',
 * });
 * ```
 *
 * @throws InvalidArgumentError naming the option (`design.group`, `design.by`, `pipeline.clusters`,
 *   `pipeline.folds`, …) for a column that does not exist, too few profiles for the clusters or
 *   folds, or a single class.
 */
export async function analyseRun(options: AnalyseOptions): Promise<AnalyseResult> {
  const o = resolveAnalyseOptions(options);
  const progress = (stage: (typeof STAGES)[number], message: string) =>
    reportProgress(options.onProgress, {
      phase: 'analyse',
      done: STAGES.indexOf(stage),
      total: STAGES.length,
      message: `${stage}: ${message}`,
    });
  progress('read', o.features);
  const reserved = [...o.group, o.by, o.plate, o.control?.column].filter(
    (c): c is string => c !== undefined,
  );
  const table = await readAnalyseTable({ ...o, reserved });
  const rows = table.ids.length;
  progress('normalise', `${rows} rows, ${table.featureNames.length} features`);
  const profiles = prepareProfiles(table, o);
  const notes = readingNotes(table, profiles.mixedClasses, o.by);
  const plan = o.classify === 'none' ? undefined : planClassification(profiles, o);
  progress('cluster', `${profiles.keys.length} profiles`);
  const cluster = clusterProfiles(profiles.features, o, profiles.classes);
  progress('metrics', `${cluster.k} clusters`);
  const classes = o.by !== undefined ? { column: o.by, values: profiles.classes! } : undefined;
  const metrics = scoreClusters(
    cluster.clusteredOn === 'umap' ? cluster.embedding! : profiles.features,
    cluster.labels,
    classes,
    o.seed,
  );
  progress('classify', o.classify);
  const classification: ClassificationOutcome | undefined =
    plan === undefined ? undefined : classifyProfiles(profiles, o, plan);
  progress('write', o.out);
  const page = analysisPage(o, rows, profiles, cluster, metrics, classification, notes);
  const out = resolve(o.out);
  const files = await writeAnalyseOutputs(out, {
    profiles,
    featureNames: table.featureNames,
    by: o.by,
    cluster,
    metrics,
    classification,
    report: analysisReportHtml(page, plotlySourceFor('analyseRun')),
  });
  const { silhouetteSamples: _, ...scores } = metrics;
  return {
    out,
    files,
    rows,
    unmatched: table.unmatched,
    profiles: profiles.keys.length,
    features: profiles.features.shape[1],
    clusters: cluster.k,
    metrics: scores,
    ...(classification
      ? {
          classification: {
            classifier: classification.classifier,
            column: classification.column,
            folds: classification.folds,
            grouped: classification.grouped,
            accuracy: classification.accuracy,
            balancedAccuracy: classification.balancedAccuracy,
            cohenKappa: classification.cohenKappa,
            macroF1: classification.macroF1,
          },
        }
      : {}),
    notes,
  };
}
