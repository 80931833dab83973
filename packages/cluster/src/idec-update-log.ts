import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileSystemError, type ProgressCallback, reportProgress } from '@cellshape/core';

/** One P update: where it happened, the label change and the losses since the previous one. */
export interface IdecUpdate {
  /** Epoch (0-based) at which P was recomputed. */
  epoch: number;
  /** Optimizer steps completed before the update. */
  step: number;
  /** Share of cells whose hard label changed since the previous update (null for the first). */
  labelChange: number | null;
  /** Cells per cluster after the update. */
  clusterSizes: number[];
  /** Mean reconstruction loss of the steps since the previous update (NaN when none). */
  reconstruction: number;
  /** Mean KL(P‖Q) of the steps since the previous update (NaN when none). */
  clustering: number;
  /**
   * Root mean square distance the cells' features moved since the previous update (null for the
   * first, and for the first after a resume). Much larger than `centreShift` means the centres
   * lag behind the features (see `centreLrScale`).
   */
  featureShift: number | null;
  /** Root mean square distance the centres moved since the previous update (null as `featureShift`). */
  centreShift: number | null;
}

/** What a P update changed: the label change and how far features and centres moved. */
export type IdecChange = Pick<IdecUpdate, 'labelChange' | 'featureShift' | 'centreShift'>;

/** Where {@link IdecUpdateLog} reports. */
export interface IdecUpdateLogOptions {
  /** JSON-lines file, one update per line; undefined for none. */
  path: string | undefined;
  /** Append to the file (a resumed run) instead of starting it anew. */
  append: boolean;
  /** Receives `phase: 'update'` events. */
  onProgress?: ProgressCallback;
  /** Receives every update; its errors are ignored. */
  onUpdate?: (update: IdecUpdate) => void;
}

/**
 * The record of IDEC's P updates: sums the loss parts of the steps between two updates and, at
 * each update, keeps an {@link IdecUpdate}, appends it to the JSON-lines file, reports progress
 * and calls `onUpdate`.
 */
export class IdecUpdateLog {
  /** The updates recorded, in order. */
  readonly updates: IdecUpdate[] = [];
  private readonly options: IdecUpdateLogOptions;
  private sums = { reconstruction: 0, clustering: 0, steps: 0 };

  constructor(options: IdecUpdateLogOptions) {
    this.options = options;
    if (options.path && !options.append) rmSync(options.path, { force: true });
  }

  /** Adds the loss parts of one optimizer step. */
  addStep(parts: Record<string, number>): void {
    this.sums.reconstruction += parts.reconstruction ?? 0;
    this.sums.clustering += parts.clustering ?? 0;
    this.sums.steps++;
  }

  /** Records an update with the cluster sizes of `labels` (`k` clusters) and what changed. */
  record(epoch: number, step: number, labels: Int32Array, k: number, change: IdecChange): void {
    const { sums } = this;
    const update: IdecUpdate = {
      epoch,
      step,
      labelChange: change.labelChange,
      clusterSizes: clusterSizes(labels, k),
      reconstruction: sums.steps > 0 ? sums.reconstruction / sums.steps : Number.NaN,
      clustering: sums.steps > 0 ? sums.clustering / sums.steps : Number.NaN,
      featureShift: change.featureShift,
      centreShift: change.centreShift,
    };
    this.sums = { reconstruction: 0, clustering: 0, steps: 0 };
    this.updates.push(update);
    if (this.options.path) appendUpdate(this.options.path, update);
    reportProgress(this.options.onProgress, {
      phase: 'update',
      done: this.updates.length,
      message: updateMessage(update),
      metrics: updateMetrics(update),
    });
    try {
      this.options.onUpdate?.(update);
    } catch {
      // A logging callback must not abort training.
    }
  }
}

function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l]!++;
  return sizes;
}

/** The progress line of an update. */
function updateMessage(u: IdecUpdate): string {
  const sizes = u.clusterSizes.join(', ');
  if (u.labelChange === null) return `IDEC initialised: cluster sizes ${sizes}`;
  const shifts =
    u.featureShift === null || u.centreShift === null
      ? ''
      : `; moved (rms): features ${u.featureShift.toPrecision(2)}, centres ${u.centreShift.toPrecision(2)}`;
  return `P updated at epoch ${u.epoch}, step ${u.step}: label change ${u.labelChange.toFixed(4)}, cluster sizes ${sizes}${shifts}`;
}

/** The progress metrics of an update (the null fields left out). */
function updateMetrics(u: IdecUpdate): Record<string, number> {
  return {
    epoch: u.epoch,
    step: u.step,
    ...(u.labelChange === null ? {} : { labelChange: u.labelChange }),
    ...(u.featureShift === null ? {} : { featureShift: u.featureShift }),
    ...(u.centreShift === null ? {} : { centreShift: u.centreShift }),
    reconstruction: u.reconstruction,
    clustering: u.clustering,
  };
}

/** Appends one update to the JSON-lines update log (NaN losses, before any step, as null). */
function appendUpdate(path: string, update: IdecUpdate): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(update)}\n`);
  } catch (error) {
    throw new FileSystemError(
      `trainIdec: could not append to the update log ${JSON.stringify(path)}`,
      { fn: 'trainIdec', arg: 'updateLogPath', cause: error },
    );
  }
}
