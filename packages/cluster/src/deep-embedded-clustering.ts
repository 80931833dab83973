import { IncompatibleError, invalidArgument } from '@cellshape/core';
import {
  type Autoencoder,
  isAutoencoder,
  type StateArray,
  type StateDict,
} from '@cellshape/engine';
import {
  type Scalar,
  type Tensor,
  type Tensor2D,
  tidy,
  type Variable,
} from '@tensorflow/tfjs-core';
import { ClusteringLayer } from './clustering-layer.js';

/** State-dict prefix of the wrapped autoencoder's keys (as PyTorch cellshape-cluster). */
export const AUTOENCODER_PREFIX = 'autoencoder.';
/** State-dict key of the cluster centres (as PyTorch cellshape-cluster). */
export const CLUSTERING_WEIGHT_KEY = 'clustering_layer.weight';

/** What {@link DeepEmbeddedClustering.forward} returns (the caller owns the tensors). */
export interface DecForward {
  /** The autoencoder's reconstruction of the input. */
  reconstruction: Tensor;
  /** Features `[B, F]`. */
  features: Tensor2D;
  /** Soft assignment `[B, K]`. */
  q: Tensor2D;
}

/** Throws unless `autoencoder` is an engine `Autoencoder` (what IDEC trains, any input). */
export function checkAutoencoder(fn: string, autoencoder: unknown): Autoencoder {
  if (!isAutoencoder(autoencoder))
    throw invalidArgument(
      fn,
      'autoencoder',
      'an Autoencoder (encode, decode, reconstructionLoss, namedParameters)',
      autoencoder,
    );
  return autoencoder;
}

/**
 * An autoencoder with a {@link ClusteringLayer} on its features: the model IDEC trains. Its
 * parameters and state dict are those of PyTorch cellshape-cluster's `DeepEmbeddedClustering`:
 * the autoencoder's keys prefixed with `autoencoder.`, then `clustering_layer.weight` `[K, F]`,
 * so checkpoints and `.pt` state dicts map one to one. Works with any {@link Autoencoder}
 * (point cloud, voxel); it is itself an `Autoencoder` (encode/decode delegate).
 *
 * ```ts
 * const dec = new DeepEmbeddedClustering(autoencoder, new ClusteringLayer({ numClusters: 5, numFeatures: autoencoder.numFeatures }));
 * dec.loadStateDict(stateDictFromPt); // keys autoencoder.encoder.…, clustering_layer.weight
 * ```
 */
export class DeepEmbeddedClustering implements Autoencoder {
  /** The wrapped autoencoder (owned: disposed with this module). */
  readonly autoencoder: Autoencoder;
  /** The cluster centres and soft assignment (owned). */
  readonly clusteringLayer: ClusteringLayer;

  constructor(autoencoder: Autoencoder, clusteringLayer: ClusteringLayer) {
    const fn = 'DeepEmbeddedClustering';
    checkAutoencoder(fn, autoencoder);
    if (!(clusteringLayer instanceof ClusteringLayer))
      throw invalidArgument(fn, 'clusteringLayer', 'a ClusteringLayer', clusteringLayer);
    if (clusteringLayer.numFeatures !== autoencoder.numFeatures) {
      throw new IncompatibleError(
        `${fn}: the clustering layer has ${clusteringLayer.numFeatures} features, the autoencoder ${autoencoder.numFeatures}`,
        { fn, arg: 'clusteringLayer' },
      );
    }
    this.autoencoder = autoencoder;
    this.clusteringLayer = clusteringLayer;
  }

  /** Number of clusters K. */
  get numClusters(): number {
    return this.clusteringLayer.numClusters;
  }

  /** Number of features F. */
  get numFeatures(): number {
    return this.autoencoder.numFeatures;
  }

  /** True in training mode (the autoencoder's mode). */
  get training(): boolean {
    return this.autoencoder.training;
  }

  /** The wrapped autoencoder's model family. */
  get family(): string {
    return this.autoencoder.family;
  }

  /** Input batch → features `[B, F]`. */
  encode(input: Tensor): Tensor2D {
    return this.autoencoder.encode(input);
  }

  /** The wrapped autoencoder's reconstruction loss. */
  reconstructionLoss(input: Tensor, reconstruction: Tensor): Scalar {
    return this.autoencoder.reconstructionLoss(input, reconstruction);
  }

  /** Features `[B, F]` → reconstruction. */
  decode(features: Tensor): Tensor {
    return this.autoencoder.decode(features);
  }

  /** Reconstruction, features and soft assignment of an input batch. */
  forward(input: Tensor): DecForward {
    return tidy(() => {
      const features = this.autoencoder.encode(input);
      return {
        reconstruction: this.autoencoder.decode(features),
        features,
        q: this.clusteringLayer.forward(features),
      };
    });
  }

  /** The autoencoder's parameters (prefixed `autoencoder.`), then `clustering_layer.weight`. */
  namedParameters(): Array<[name: string, variable: Variable]> {
    const out: Array<[string, Variable]> = this.autoencoder
      .namedParameters()
      .map(([name, v]) => [`${AUTOENCODER_PREFIX}${name}`, v]);
    out.push([CLUSTERING_WEIGHT_KEY, this.clusteringLayer.weight]);
    return out;
  }

  /** The PyTorch-layout state dict: `autoencoder.<key>` entries, then `clustering_layer.weight`. */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [key, value] of this.autoencoder.stateDict())
      out.set(`${AUTOENCODER_PREFIX}${key}`, value);
    const centres = this.clusteringLayer.centres();
    out.set(CLUSTERING_WEIGHT_KEY, { data: centres.data, shape: [...centres.shape] });
    return out;
  }

  /**
   * Loads a cellshape-cluster state dict. With `strict` (default) keys that are neither
   * `autoencoder.*` nor `clustering_layer.weight`, or a missing `clustering_layer.weight`,
   * throw an `IncompatibleError`; the autoencoder part is loaded by the autoencoder's own
   * `loadStateDict` with the same `strict`.
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options: { strict?: boolean } = {},
  ): void {
    const fn = 'DeepEmbeddedClustering.loadStateDict';
    if (state === null || typeof state !== 'object')
      throw invalidArgument(fn, 'state', 'a Map or an object of arrays', state);
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? [...state.entries()] : Object.entries(state);
    const inner: StateDict = new Map();
    const unexpected: string[] = [];
    let weight: StateArray | undefined;
    for (const [key, value] of entries) {
      if (key === CLUSTERING_WEIGHT_KEY) weight = value;
      else if (key.startsWith(AUTOENCODER_PREFIX))
        inner.set(key.slice(AUTOENCODER_PREFIX.length), value);
      else unexpected.push(key);
    }
    if (strict && (unexpected.length > 0 || weight === undefined)) {
      const parts = [];
      if (weight === undefined) parts.push(`missing key ${CLUSTERING_WEIGHT_KEY}`);
      if (unexpected.length > 0) parts.push(`unexpected keys ${unexpected.join(', ')}`);
      throw new IncompatibleError(`${fn}: ${parts.join('; ')}`, { fn, arg: 'state' });
    }
    if (weight !== undefined) {
      const { data, shape } = weight;
      const k = this.numClusters;
      const f = this.numFeatures;
      if (
        !Array.isArray(shape) ||
        shape.length !== 2 ||
        shape[0] !== k ||
        shape[1] !== f ||
        !(data instanceof Float32Array || data instanceof Float64Array)
      ) {
        throw new IncompatibleError(
          `${fn}: ${CLUSTERING_WEIGHT_KEY} must be a float [${k}, ${f}] array, got ${data?.constructor?.name} [${shape}]`,
          { fn, arg: CLUSTERING_WEIGHT_KEY },
        );
      }
      if (!data.every(Number.isFinite)) {
        throw new IncompatibleError(`${fn}: ${CLUSTERING_WEIGHT_KEY} holds non-finite values`, {
          fn,
          arg: CLUSTERING_WEIGHT_KEY,
        });
      }
    }
    this.autoencoder.loadStateDict(inner, { strict });
    if (weight !== undefined) {
      this.clusteringLayer.setCentres({
        data: Float32Array.from(weight.data as Float32Array),
        shape: [this.numClusters, this.numFeatures],
      });
    }
  }

  /** Switches the autoencoder between training and evaluation behaviour. */
  train(mode = true): this {
    this.autoencoder.train(mode);
    return this;
  }

  /** Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** `{ type, numClusters, alpha, autoencoder: <the autoencoder's config> }`. */
  config(): Record<string, unknown> {
    return {
      type: 'DeepEmbeddedClustering',
      numClusters: this.numClusters,
      alpha: this.clusteringLayer.alpha,
      autoencoder: this.autoencoder.config(),
    };
  }

  /** Frees the autoencoder's and the centres' variables. */
  dispose(): void {
    this.autoencoder.dispose();
    this.clusteringLayer.dispose();
  }
}
