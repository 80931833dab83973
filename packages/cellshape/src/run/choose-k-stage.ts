import { chooseK } from '@cellshape/cluster';
import { InvalidArgumentError } from '@cellshape/core';
import { type Encoder, encodeDataset } from '@cellshape/engine';
import type { RunContext } from './run-context.js';
import type { RunSummary } from './run-directory.js';

/**
 * The number of clusters (and, when the elbow search encoded them, the model's features, which
 * clustering an encoder-only model can reuse): the given one, or (`clusters: 'auto'`) the elbow of the k-means
 * inertia of the pretrained features over `kRange` (capped at the number of cells).
 *
 * @throws InvalidArgumentError when the elbow search has too few cells or finds no elbow, or K
 *   exceeds the number of cells.
 */
export async function chooseKStage(
  run: RunContext,
  model: Encoder,
): Promise<{ k: number; chosen: RunSummary['chooseK']; features?: Float32Array }> {
  const { fn, dataset, options: o } = run;
  const [lo, top] = o.idec.kRange;
  let k: number;
  let chosen: RunSummary['chooseK'] = null;
  let encoded: Float32Array | undefined;
  if (o.idec.clusters === 'auto') {
    const hi = Math.min(top, dataset.length);
    if (hi < lo + 2)
      throw new InvalidArgumentError(
        `${fn}: clusters 'auto' needs at least ${lo + 2} cells for the elbow, got ${dataset.length}; give a number of clusters`,
        { fn, arg: 'clusters' },
      );
    const { features, numFeatures } = await encodeDataset(model, dataset, {
      batchSize: o.data.batchSize,
      onProgress: run.progress('choose-k'),
    });
    encoded = features;
    const result = chooseK(
      { data: features, shape: [dataset.length, numFeatures] },
      { range: [lo, hi], restarts: o.idec.kmeansRestarts, seed: o.runtime.seed },
    );
    chosen = { ks: result.ks, inertias: result.inertias, k: result.k };
    if (result.k === null)
      throw new InvalidArgumentError(
        `${fn}: the k-means inertia over k = ${lo}…${hi} has no elbow; give a number of clusters (the pretraining is saved: resume with it)`,
        { fn, arg: 'clusters' },
      );
    k = result.k;
    run.note(`chose ${k} clusters (elbow of the k-means inertia over k = ${lo}…${hi})`);
  } else k = o.idec.clusters;
  if (k > dataset.length)
    throw new InvalidArgumentError(
      `${fn}: ${k} clusters for ${dataset.length} cells; give at most one cluster per cell`,
      { fn, arg: 'clusters' },
    );
  return { k, chosen, ...(encoded ? { features: encoded } : {}) };
}
