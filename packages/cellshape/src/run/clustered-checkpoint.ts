import { AUTOENCODER_PREFIX, CLUSTERING_WEIGHT_KEY } from '@cellshape/cluster';
import { IncompatibleError, type NdArray } from '@cellshape/core';
import type { Checkpoint, Encoder, StateDict } from '@cellshape/engine';

/**
 * The checkpoint of a run's final model: a family's model plus K cluster centres. IDEC writes
 * one (`type: 'DeepEmbeddedClustering'`, the model under `autoencoder`, keys `autoencoder.*`, as
 * cellshape-cluster); an encoder-only family clustered by k-means writes the same layout under
 * its own type, so `extract` and `--init` read both the same way.
 */

/** The config `type` of an encoder-only model clustered by k-means. */
export const ENCODER_KMEANS_TYPE = 'EncoderKMeans';

/** The config `type` of an IDEC model (cellshape-cluster's `DeepEmbeddedClustering`). */
export const IDEC_TYPE = 'DeepEmbeddedClustering';

/** A clustered model as a checkpoint holds it. */
export interface ClusteredModelState {
  /** `'idec'` or `'kmeans'`. */
  kind: 'idec' | 'kmeans';
  /** The family's model `config()`. */
  modelConfig: Record<string, unknown>;
  /** The model's state dict (without the prefix). */
  modelState: StateDict;
  /** Centres `K × F`. */
  centres: NdArray<Float32Array> & { shape: [number, number] };
  /** Student-t degrees of freedom of the soft assignment. */
  alpha: number;
}

/** Whether a checkpoint config is that of a clustered model (IDEC or k-means). */
export function isClusteredConfig(config: Record<string, unknown>): boolean {
  return config.type === IDEC_TYPE || config.type === ENCODER_KMEANS_TYPE;
}

/** The config and state dict of an encoder clustered by k-means (see the module comment). */
export function encoderKMeansCheckpoint(
  model: Encoder,
  centres: NdArray<Float32Array> & { shape: [number, number] },
  alpha: number,
): { config: Record<string, unknown>; stateDict: StateDict } {
  const stateDict: StateDict = new Map();
  for (const [key, value] of model.stateDict()) stateDict.set(`${AUTOENCODER_PREFIX}${key}`, value);
  stateDict.set(CLUSTERING_WEIGHT_KEY, { data: centres.data.slice(), shape: [...centres.shape] });
  const config = {
    type: ENCODER_KMEANS_TYPE,
    numClusters: centres.shape[0],
    alpha,
    autoencoder: model.config(),
  };
  return { config, stateDict };
}

/**
 * The model and centres of a clustered checkpoint.
 *
 * @throws IncompatibleError (naming `path`) when the checkpoint is not of a clustered model.
 */
export function readClusteredModel(
  fn: string,
  path: string,
  checkpoint: Pick<Checkpoint, 'config' | 'stateDict'>,
): ClusteredModelState {
  const { config, stateDict } = checkpoint;
  const weight = stateDict.get(CLUSTERING_WEIGHT_KEY);
  const inner = config.autoencoder;
  const k = Number(config.numClusters);
  if (
    !isClusteredConfig(config) ||
    inner === null ||
    typeof inner !== 'object' ||
    weight === undefined ||
    !(weight.data instanceof Float32Array) ||
    weight.shape.length !== 2 ||
    weight.shape[0] !== k
  )
    throw new IncompatibleError(
      `${fn}: ${path} is not the checkpoint of a clustered model (IDEC or k-means: a model and its cluster centres)`,
      { fn, arg: 'checkpoint' },
    );
  const modelState: StateDict = new Map();
  for (const [key, value] of stateDict)
    if (key.startsWith(AUTOENCODER_PREFIX))
      modelState.set(key.slice(AUTOENCODER_PREFIX.length), value);
  return {
    kind: config.type === IDEC_TYPE ? 'idec' : 'kmeans',
    modelConfig: { ...(inner as Record<string, unknown>) },
    modelState,
    centres: { data: weight.data, shape: [k, weight.shape[1]!] },
    alpha: Number(config.alpha ?? 1),
  };
}
