import { IncompatibleError } from '@cellshape/core';
import { type Tensor2D, tensor2d } from '@tensorflow/tfjs-core';
import type { DenseMatrix } from './dense-matrix.js';
import type { IdecChange } from './idec-update-log.js';
import {
  hardLabels,
  labelChangeShare,
  softAssignment,
  targetDistribution,
} from './soft-assignment.js';

/** The target distribution's part of an IDEC checkpoint (the training loop's extra state). */
export interface TargetDistributionState {
  /** P, `n × K`, dataset order. */
  p: DenseMatrix<Float64Array>;
  /** Hard labels at the last update. */
  labels: Int32Array;
  /** Epoch or step of the last update (−1: only the initial one). */
  lastUpdate: number;
  /** Sample ids by dataset index when P was first computed. */
  ids: string[];
}

/**
 * IDEC's target distribution P over a whole dataset, held per sample index: computed from the
 * soft assignment q of every sample's features to the centres (Student-t with `alpha`),
 * recomputed by {@link update}, looked up for a batch by {@link lookup} (so shuffled batches
 * and a last partial batch get their own rows), and saved in and restored from checkpoints.
 * It also keeps the hard labels of the last update (for the label change, IDEC's stopping
 * rule) and the features and centres behind it (for how far they moved by the next update).
 */
export class TargetDistribution {
  /** Sample ids by dataset index at the first computation (a dataset must keep its order). */
  readonly ids: readonly string[];
  /** Number of clusters K. */
  readonly numClusters: number;
  /** Student-t degrees of freedom α. */
  readonly alpha: number;
  /** Epoch or step of the last update (−1: only the initial computation). */
  lastUpdate = -1;
  private p: Float64Array;
  private currentLabels: Int32Array;
  /** Features and centres of the last update; unknown after a resume (not checkpointed). */
  private features: Float32Array | undefined;
  private centres: Float32Array | undefined;

  /** P of `features` (`n × F`, dataset order) under `centres` (`K × F`). */
  constructor(
    ids: readonly string[],
    features: DenseMatrix<Float32Array>,
    centres: DenseMatrix<Float32Array>,
    alpha: number,
  ) {
    this.ids = ids;
    this.numClusters = centres.shape[0];
    this.alpha = alpha;
    const q = softAssignment(features, centres, { alpha });
    this.p = targetDistribution(q).data;
    this.currentLabels = hardLabels(q);
    this.features = features.data;
    this.centres = centres.data;
  }

  /** The hard labels (argmax of q) of the last update, dataset order. */
  get labels(): Int32Array {
    return this.currentLabels;
  }

  /**
   * Recomputes P from new features and centres (at epoch or step `at`) and returns what changed:
   * the share of samples whose hard label changed and how far features and centres moved (rms
   * over rows; null when the previous ones are unknown, after a resume).
   */
  update(
    features: DenseMatrix<Float32Array>,
    centres: DenseMatrix<Float32Array>,
    at: number,
  ): IdecChange {
    const n = this.ids.length;
    const q = softAssignment(features, centres, { alpha: this.alpha });
    const labels = hardLabels(q);
    const change: IdecChange = {
      labelChange: labelChangeShare(this.currentLabels, labels),
      featureShift: this.features ? rmsRowDistance(features.data, this.features, n) : null,
      centreShift: this.centres
        ? rmsRowDistance(centres.data, this.centres, this.numClusters)
        : null,
    };
    this.p = targetDistribution(q).data;
    this.currentLabels = labels;
    this.lastUpdate = at;
    this.features = features.data;
    this.centres = centres.data;
    return change;
  }

  /** The rows of P of the samples `indices`, as a float32 `[indices.length, K]` tensor. */
  lookup(indices: readonly number[]): Tensor2D {
    const k = this.numClusters;
    const rows = new Float32Array(indices.length * k);
    indices.forEach((index, b) => {
      for (let j = 0; j < k; j++) rows[b * k + j] = this.p[index * k + j]!;
    });
    return tensor2d(rows, [indices.length, k]);
  }

  /** The state a checkpoint keeps (P, labels, last update, ids). */
  stateDict(): TargetDistributionState {
    return {
      p: { data: this.p, shape: [this.ids.length, this.numClusters] },
      labels: this.currentLabels,
      lastUpdate: this.lastUpdate,
      ids: [...this.ids],
    };
  }

  /**
   * Restores a {@link stateDict} from a checkpoint; refuses one of another size or made on
   * another dataset order. The features and centres of that update are not in the checkpoint,
   * so the next update reports no shifts.
   */
  load(saved: unknown): void {
    const fn = 'trainIdec';
    const n = this.ids.length;
    const k = this.numClusters;
    const s = saved as Partial<{
      p: { data: unknown; shape: unknown };
      labels: unknown;
      lastUpdate: unknown;
      ids: unknown;
    }>;
    const p = s?.p?.data;
    const ok =
      p instanceof Float64Array &&
      p.length === n * k &&
      s.labels instanceof Int32Array &&
      s.labels.length === n &&
      typeof s.lastUpdate === 'number' &&
      Array.isArray(s.ids) &&
      s.ids.length === n;
    if (!ok)
      throw new IncompatibleError(
        `${fn}: the checkpoint's IDEC state does not fit this run (${n} cells, ${k} clusters)`,
        { fn, arg: 'resume' },
      );
    const ids = s.ids as string[];
    const moved = ids.findIndex((id, i) => id !== this.ids[i]);
    if (moved >= 0)
      throw new IncompatibleError(
        `${fn}: the checkpoint was made on another dataset order: index ${moved} was ${JSON.stringify(ids[moved])}, now ${JSON.stringify(this.ids[moved])}`,
        { fn, arg: 'resume' },
      );
    this.p = p;
    this.currentLabels = s.labels as Int32Array;
    this.lastUpdate = s.lastUpdate as number;
    this.features = undefined;
    this.centres = undefined;
  }
}

/** Root mean square over rows of the Euclidean distance between two `rows × cols` matrices. */
function rmsRowDistance(a: Float32Array, b: Float32Array, rows: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum / rows);
}
