import { formatCsv, writeFileAtomic } from '@cellshape/core';
import { type RunBaseline, runBaseline } from './baseline.js';
import type { ClusteringOutcome } from './cluster-stage.js';
import { classicalTable } from './feature-sets.js';
import type { RunContext } from './run-context.js';

/**
 * The run's baseline (learned features vs classical measures, `summary.json`'s `baseline`),
 * after writing the raw classical measures of every cell to `classical.csv` (`id` and the
 * measures in the units `baseline.classical.units` names; empty for a cell without any).
 */
export async function baselineStage(
  run: RunContext,
  clustered: ClusteringOutcome,
): Promise<RunBaseline> {
  const { dataset, plugin, paths } = run;
  const table = await classicalTable(run.input, dataset, plugin);
  if (table !== null) {
    const d = table.columns.length;
    const missing = new Set(table.missing);
    const rows = clustered.ids.map((id, i) => [
      id,
      ...Array.from(table.values.data.subarray(i * d, (i + 1) * d), (v) =>
        missing.has(i) ? '' : Number(v.toPrecision(9)),
      ),
    ]);
    await writeFileAtomic(paths.classical, formatCsv(['id', ...table.columns], rows));
  }
  const baseline = runBaseline({
    learned: clustered.features,
    classical: table,
    metadata: [...dataset.metadata],
    clusters: clustered.labels,
    seed: run.options.runtime.seed,
  });
  for (const finding of baseline.findings.slice(0, 2)) run.note(finding);
  return baseline;
}
