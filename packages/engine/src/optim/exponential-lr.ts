import { FormatError, invalidArgument } from '@cellshape/core';
import { field, numberOf } from './plain-data.js';

/** Anything with a settable learning rate, e.g. {@link Adam}. */
export interface LearningRateHolder {
  lr: number;
}

/** `torch.optim.lr_scheduler.ExponentialLR.state_dict()` (the fields cellshape uses). */
export interface ExponentialLRState {
  gamma: number;
  base_lrs: [number];
  last_epoch: number;
  _last_lr: [number];
}

/**
 * Exponential learning-rate decay as `torch.optim.lr_scheduler.ExponentialLR`: each `step()`
 * (one per epoch) multiplies the optimizer's learning rate by `gamma` (in float64, as torch's
 * chained form does), so after e steps `lr = baseLr · gamma^e` up to rounding.
 *
 * ```ts
 * const scheduler = new ExponentialLR(adam, 0.95);
 * for (let epoch = 0; epoch < epochs; epoch++) { trainEpoch(); scheduler.step(); }
 * ```
 */
export class ExponentialLR {
  /** The decay factor per step, in (0, 1]. */
  readonly gamma: number;
  private readonly optimizer: LearningRateHolder;
  private baseLrValue: number;
  private epoch = 0;

  /**
   * @param optimizer whose `lr` is decayed; its current `lr` is the base learning rate.
   * @param gamma multiplicative decay per step, in (0, 1].
   */
  constructor(optimizer: LearningRateHolder, gamma: number) {
    const fn = 'ExponentialLR';
    if (typeof optimizer !== 'object' || optimizer === null || !Number.isFinite(optimizer.lr))
      throw invalidArgument(fn, 'optimizer', 'an object with a numeric lr', optimizer);
    if (!(Number.isFinite(gamma) && gamma > 0 && gamma <= 1))
      throw invalidArgument(fn, 'gamma', 'a number in (0, 1]', gamma);
    this.optimizer = optimizer;
    this.gamma = gamma;
    this.baseLrValue = optimizer.lr;
  }

  /** Steps taken so far (torch's `last_epoch`). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The learning rate before any decay. */
  get baseLr(): number {
    return this.baseLrValue;
  }

  /** Decays the learning rate once: `lr ← lr · gamma`. Returns the new learning rate. */
  step(): number {
    this.epoch += 1;
    this.optimizer.lr = this.optimizer.lr * this.gamma;
    return this.optimizer.lr;
  }

  /** The scheduler state in torch's field names. */
  stateDict(): ExponentialLRState {
    return {
      gamma: this.gamma,
      base_lrs: [this.baseLrValue],
      last_epoch: this.epoch,
      _last_lr: [this.optimizer.lr],
    };
  }

  /**
   * Restores a state from {@link stateDict} or a torch `ExponentialLR.state_dict()` (sets the
   * optimizer's lr to `_last_lr` when present). `gamma` must match.
   */
  loadStateDict(state: ExponentialLRState | unknown): void {
    const fn = 'ExponentialLR.loadStateDict';
    const gamma = numberOf(field(state, 'gamma'), fn, 'gamma');
    if (gamma !== this.gamma)
      throw new FormatError(`${fn}: the state has gamma ${gamma}, this scheduler ${this.gamma}`, {
        fn,
      });
    const baseLrs = field(state, 'base_lrs');
    const lastLr = field(state, '_last_lr');
    const epoch = numberOf(field(state, 'last_epoch'), fn, 'last_epoch');
    if (!Array.isArray(baseLrs) || baseLrs.length !== 1 || !(Number.isInteger(epoch) && epoch >= 0))
      throw new FormatError(`${fn}: expected one base lr and an integer last_epoch ≥ 0`, { fn });
    const baseLr = numberOf(baseLrs[0], fn, 'base_lrs[0]');
    const lr = Array.isArray(lastLr) ? numberOf(lastLr[0], fn, '_last_lr[0]') : undefined;
    this.baseLrValue = baseLr;
    this.epoch = epoch;
    if (lr !== undefined) this.optimizer.lr = lr;
  }
}
