import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Encoder, loadCheckpoint } from '@cellshape/engine';
import { describeInitSource, type InitSource, initialiseModel } from './init-weights.js';
import { type RunContext, since } from './run-context.js';
import { type RunConfig, type StageSummary, writeJson } from './run-directory.js';
import { versions } from './versions.js';

/** A finished training stage as `summary.json` records it. */
export function stageSummary(
  result: {
    epochs: number;
    history: { loss: number }[];
    bestLoss: number;
    stopped?: { reason: string };
  },
  seconds: number,
): StageSummary {
  const last = result.history.at(-1);
  return {
    epochs: result.epochs,
    epochsThisRun: result.history.length,
    finalLoss: last ? last.loss : null,
    bestLoss: Number.isFinite(result.bestLoss) ? result.bestLoss : null,
    stopped: result.stopped?.reason ?? null,
    seconds,
  };
}

/**
 * Loads the `init` checkpoint into the model, unless the run resumes its own pretraining; then
 * clears what `overwrite` replaces and writes `config.json`.
 */
export async function initStage(run: RunContext, model: Encoder): Promise<InitSource | null> {
  const { options: o, paths, plugin } = run;
  const init = o.model.init === null ? null : resolve(o.model.init);
  let initialised: InitSource | null = null;
  if (o.runtime.resume && existsSync(paths.pretrainLast))
    run.note(
      `resuming pretraining from ${paths.pretrainLast}${init === null ? '' : ` (its weights, not those of ${init})`}`,
    );
  else if (init !== null) {
    initialised = await initialiseModel(
      model,
      init,
      plugin,
      o.model.settings,
      o.runtime.seed,
      run.fn,
    );
    run.note(`initialised the model from ${describeInitSource(initialised)}`);
  }
  if (o.runtime.overwrite && !o.runtime.resume)
    for (const path of [
      paths.pretrainDir,
      paths.idecDir,
      paths.clusters,
      paths.features,
      paths.assignments,
      paths.exemplars,
      paths.summary,
    ])
      await rm(path, { recursive: true, force: true });
  const config: RunConfig = {
    formatVersion: 2,
    createdAt: new Date().toISOString(),
    versions: versions(),
    seed: o.runtime.seed,
    backend: run.backend,
    model: plugin.name,
    inputs: { points: run.input, metadata: run.metadata, idColumn: o.data.idColumn },
    options: { ...o, model: { ...o.model, init }, data: { ...o.data, metadata: run.metadata } },
  };
  await writeJson(paths.config, config);
  return initialised;
}

/**
 * Pretrains the model (when the family trains one), then loads its best weights, as cellshape
 * starts IDEC from them. A family without `pretrain` is clustered as built (or as `init` gave it).
 */
export async function pretrainStage(
  run: RunContext,
  model: Encoder,
): Promise<{ summary: StageSummary; trainedThisRun: boolean }> {
  const { options: o, paths, plugin } = run;
  const t = performance.now();
  if (plugin.pretrain === undefined) {
    const none = { epochs: 0, history: [], bestLoss: Number.POSITIVE_INFINITY };
    return { summary: stageSummary(none, since(t)), trainedThisRun: false };
  }
  const result = await plugin.pretrain(model, run.dataset, {
    ...o.pretrain,
    batchSize: o.data.batchSize,
    seed: o.runtime.seed,
    checkpointDir: paths.pretrainDir,
    resume: o.runtime.resume && existsSync(paths.pretrainLast),
    onProgress: run.progress('pretrain'),
    settings: o.model.settings,
  });
  const summary = stageSummary(result, since(t));
  // Resumed with nothing left to train: the final loss is that of the checkpoint's last epoch.
  if (summary.finalLoss === null && existsSync(paths.pretrainLast)) {
    const { loss } = await loadCheckpoint(paths.pretrainLast);
    if (Number.isFinite(loss)) summary.finalLoss = loss;
  }
  if (existsSync(paths.pretrainBest))
    model.loadStateDict((await loadCheckpoint(paths.pretrainBest)).stateDict);
  return { summary, trainedThisRun: result.history.length > 0 };
}
