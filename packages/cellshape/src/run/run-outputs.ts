import { writeFeaturesCsv } from '@cellshape/cloud';
import { cellTableCsv, writeFileAtomic } from '@cellshape/core';
import type { Encoder } from '@cellshape/engine';
import { baselineStage } from './baseline-stage.js';
import { clusterQuality } from './cluster-quality.js';
import type { ClusteringOutcome } from './cluster-stage.js';
import { chooseExemplars, exemplarClusters } from './exemplars.js';
import { type RunContext, since } from './run-context.js';
import { type RunSummary, type StageSummary, writeJson } from './run-directory.js';

/** How long each stage took and what it decided, for `summary.json`. */
export interface RunStages {
  pretrain: StageSummary;
  chooseK: RunSummary['chooseK'];
  k: number;
  seconds: { pretrain: number; chooseK: number; idec: number };
}

/** Points per exemplar kept in `exemplars.json`. */
const EXEMPLAR_POINTS = 1024;

/**
 * Writes `features.csv`, `assignments.csv`, `exemplars.json` (each with the family's view of the
 * cell, when it has one, and its picture made with the final `model`) and `summary.json` (with
 * the cluster quality metrics); returns the summary.
 */
export async function writeRunOutputs(
  run: RunContext,
  clustered: ClusteringOutcome,
  stages: RunStages,
  model: Encoder,
): Promise<RunSummary> {
  const { paths, dataset, plugin } = run;
  const t = performance.now();
  const metadata = [...dataset.metadata];
  await writeFeaturesCsv(paths.features, {
    ids: clustered.ids,
    metadata,
    features: clustered.features.data,
    numFeatures: clustered.features.shape[1],
  });
  await writeFileAtomic(
    paths.assignments,
    cellTableCsv({
      ids: clustered.ids,
      metadata,
      labels: { column: 'cluster', values: clustered.labels },
      q: clustered.q,
    }),
  );
  const view = plugin.report?.exemplarPoints;
  const image = plugin.report?.exemplarImage;
  const clusters = await exemplarClusters(
    chooseExemplars(clustered.q, clustered.labels),
    clustered.ids,
    async (i) => (view ? view(dataset, i, EXEMPLAR_POINTS) : []),
    image ? (i) => image(model, dataset, i) : undefined,
  );
  await writeJson(paths.exemplars, { clusters });
  const baseline = await baselineStage(run, clustered);
  const summary: RunSummary = {
    model: plugin.name,
    clustering: clustered.kind,
    cells: dataset.length,
    skipped: dataset.skipped.map((s) => ({ ...s })),
    clusters: stages.k,
    clusterSizes: clusters.map((c) => c.size),
    chooseK: stages.chooseK,
    pretrain: stages.pretrain,
    idec: clustered.summary,
    timings: {
      pretrain: stages.seconds.pretrain,
      chooseK: stages.seconds.chooseK,
      idec: stages.seconds.idec,
      outputs: since(t),
      total: since(run.started),
    },
    backend: run.backend,
    clusterQuality: clusterQuality(
      clustered.features,
      clustered.labels,
      metadata,
      run.options.runtime.seed,
    ),
    baseline,
  };
  await writeJson(paths.summary, summary);
  return summary;
}
