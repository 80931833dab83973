/**
 * Optimisers that reproduce PyTorch's numerics, so that training in cellshape and in
 * cellshape's Python original follow the same trajectory and exchange optimizer state.
 *
 * ```ts
 * import { Adam, scheduledLr } from '@cellshape/engine';
 * const adam = new Adam(model.namedParameters()); // lr 1e-4, betas [0.9, 0.999], wd 1e-6
 * const schedule = { kind: 'exponential', gamma: 0.95 } as const; // per epoch
 * adam.lr = scheduledLr(schedule, { step, epoch, baseLr: 1e-4 }); // before each step
 * adam.step(gradsByName); // once per batch
 * ```
 */
export {
  Adam,
  type AdamLoadStateOptions,
  type AdamOptions,
  type AdamParamGroup,
  type AdamParamState,
  type AdamStateDict,
  DEFAULT_ADAM_OPTIONS,
} from './adam.js';
export {
  checkLrSchedule,
  DEFAULT_WARMUP_COSINE,
  LR_SCHEDULE_KINDS,
  type LrSchedule,
  type LrScheduleContext,
  type LrScheduleFunction,
  type LrScheduleRecord,
  type LrScheduleSpec,
  scheduledLr,
} from './lr-schedule.js';
export { adamStateToTorch } from './torch-state.js';
