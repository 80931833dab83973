import {
  checkInteger,
  checkNumber,
  createRng,
  IncompatibleError,
  withDefaults,
} from '@cellshape/core';
import { registerGradients } from '@cellshape/engine';
import {
  type Tensor,
  type Tensor2D,
  tensor2d,
  type Variable,
  variable,
} from '@tensorflow/tfjs-core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import { checkAlpha } from './soft-assignment.js';
import { logSoftAssignmentOp, softAssignmentOp } from './soft-assignment-ops.js';

/** Options of {@link ClusteringLayer}. */
export interface ClusteringLayerOptions {
  /** Number of clusters K. Required. */
  numClusters: number;
  /** Number of features F of the embedding. Required. */
  numFeatures: number;
  /** Student-t degrees of freedom α (> 0). Default 1. */
  alpha?: number;
  /** Initial centres, `K × F`; default: Xavier-uniform (PyTorch's init) drawn with `seed`. */
  centres?: DenseMatrix;
  /** Seed of the Xavier-uniform initialisation. Default 0. */
  seed?: number;
}

/** Defaults of {@link ClusteringLayerOptions}. */
export const DEFAULT_CLUSTERING_LAYER_OPTIONS = { alpha: 1, seed: 0 } as const;

/**
 * The IDEC clustering layer: K trainable cluster centres μ (`weight`, a `[K, F]` tfjs variable,
 * PyTorch name `clustering_layer.weight` inside {@link DeepEmbeddedClustering}) and the
 * Student-t soft assignment of features to them.
 *
 * ```ts
 * const layer = new ClusteringLayer({ numClusters: 5, numFeatures: 128 });
 * const q = layer.forward(features); // [B, 5], rows sum to 1
 * ```
 */
export class ClusteringLayer {
  /** Number of clusters K. */
  readonly numClusters: number;
  /** Number of features F. */
  readonly numFeatures: number;
  /** Student-t degrees of freedom α. */
  readonly alpha: number;
  /** The centres, `[K, F]`, trainable. */
  readonly weight: Variable;

  constructor(options: ClusteringLayerOptions) {
    const fn = 'ClusteringLayer';
    const o = withDefaults(fn, DEFAULT_CLUSTERING_LAYER_OPTIONS, options);
    const k = checkInteger(fn, 'options.numClusters', o.numClusters, { min: 1 });
    const f = checkInteger(fn, 'options.numFeatures', o.numFeatures, { min: 1 });
    checkAlpha(fn, o.alpha);
    checkNumber(fn, 'options.seed', o.seed);
    let init: Float32Array;
    if (o.centres !== undefined) {
      checkMatrix(fn, 'options.centres', o.centres, { rows: k, cols: f });
      init = Float32Array.from(o.centres.data);
    } else {
      // Xavier-uniform on [K, F] as torch.nn.init.xavier_uniform_: bound √(6 / (F + K)).
      const rng = createRng(o.seed);
      const bound = Math.sqrt(6 / (k + f));
      init = new Float32Array(k * f);
      for (let i = 0; i < init.length; i++) init[i] = rng.uniform(-bound, bound);
    }
    registerGradients();
    this.numClusters = k;
    this.numFeatures = f;
    this.alpha = o.alpha;
    const initial = tensor2d(init, [k, f]);
    this.weight = variable(initial, true);
    initial.dispose();
  }

  /** Soft assignment `q` of features `[B, F]` → `[B, K]` (differentiable in both). */
  forward(features: Tensor): Tensor2D {
    return softAssignmentOp(features, this.weight, this.alpha);
  }

  /** `log q` of features `[B, F]` → `[B, K]`, finite even where q underflows. */
  logForward(features: Tensor): Tensor2D {
    return logSoftAssignmentOp(features, this.weight, this.alpha);
  }

  /** A copy of the centres, `K × F` (float32). */
  centres(): DenseMatrix<Float32Array> {
    return {
      data: Float32Array.from(this.weight.dataSync()),
      shape: [this.numClusters, this.numFeatures],
    };
  }

  /** Replaces the centres with `centres` (`K × F`, finite); throws `IncompatibleError` on shape. */
  setCentres(centres: DenseMatrix): void {
    const fn = 'ClusteringLayer.setCentres';
    checkMatrix(fn, 'centres', centres);
    if (centres.shape[0] !== this.numClusters || centres.shape[1] !== this.numFeatures) {
      throw new IncompatibleError(
        `${fn}: 'centres' must be [${this.numClusters}, ${this.numFeatures}], got [${centres.shape}]`,
        { fn, arg: 'centres' },
      );
    }
    const t = tensor2d(Float32Array.from(centres.data), [this.numClusters, this.numFeatures]);
    this.weight.assign(t);
    t.dispose();
  }

  /** Frees the centres variable. */
  dispose(): void {
    this.weight.dispose();
  }
}
