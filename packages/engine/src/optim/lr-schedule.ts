import {
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';

/**
 * Learning-rate schedules: the learning rate of every optimizer step as a pure function of
 * where the run is (step, epoch) and of the run's base learning rate. Being pure, a schedule
 * needs no state of its own: a resumed run that knows its step, epoch and base learning rate
 * continues the schedule exactly.
 *
 * ```ts
 * const schedule: LrSchedule = { kind: 'warmupCosine', warmupSteps: 100, totalSteps: 1000, minLr: 1e-6 };
 * adam.lr = scheduledLr(schedule, { step, epoch, baseLr: 1e-3 }); // before each adam.step()
 * ```
 */

/** Where a run is when it asks a schedule for the learning rate of its next optimizer step. */
export interface LrScheduleContext {
  /** Optimizer steps completed before this one (0 for the run's first step, resume included). */
  step: number;
  /** Zero-based epoch of the step. */
  epoch: number;
  /** Batches per epoch, when the caller knows them. */
  stepsPerEpoch?: number;
  /** The run's base learning rate: the optimizer's `lr` when the run started. */
  baseLr: number;
}

/**
 * A schedule written as a function. It must be pure (the same context gives the same learning
 * rate): the loop may ask it more than once per step, and resume relies on it.
 */
export type LrScheduleFunction = (context: LrScheduleContext) => number;

/** The built-in schedules, as plain data (recorded in checkpoints). */
export type LrScheduleSpec =
  /** `baseLr` at every step. */
  | { kind: 'constant' }
  /** Per epoch: `baseLr · gamma^epoch` (`torch.optim.lr_scheduler.ExponentialLR`), gamma in (0, 1]. */
  | { kind: 'exponential'; gamma: number }
  /**
   * Linear warm-up: step s < warmupSteps uses `baseLr · (s + 1) / warmupSteps` (from
   * `baseLr / warmupSteps` up to `baseLr`), every later step `baseLr`.
   */
  | { kind: 'linearWarmup'; warmupSteps: number }
  /**
   * Linear warm-up as `linearWarmup`, then a half cosine from `baseLr` down to `minLr`:
   * `minLr + (baseLr − minLr) · (1 + cos(π t)) / 2` with `t = (s − warmupSteps) / (totalSteps −
   * warmupSteps)`, reaching `minLr` at step `totalSteps` and staying there (the schedule of
   * Barlow Twins). `warmupSteps` defaults to 0, `minLr` to 0.
   */
  | { kind: 'warmupCosine'; warmupSteps?: number; totalSteps: number; minLr?: number };

/** A learning-rate schedule: a built-in one or a function. */
export type LrSchedule = LrScheduleSpec | LrScheduleFunction;

/** What a checkpoint records of a schedule: the spec with its defaults, or that it was a function. */
export type LrScheduleRecord = Required<LrScheduleSpec> | { kind: 'function' };

/** The kinds of {@link LrScheduleSpec}. */
export const LR_SCHEDULE_KINDS = [
  'constant',
  'exponential',
  'linearWarmup',
  'warmupCosine',
] as const satisfies readonly LrScheduleSpec['kind'][];

/** Defaults of the optional fields of a `warmupCosine` schedule. */
export const DEFAULT_WARMUP_COSINE = { warmupSteps: 0, minLr: 0 } as const;

/**
 * Checks a schedule and returns it with its defaults filled in (a function is returned as is).
 *
 * @throws InvalidArgumentError naming `fn`, `arg` and the field at fault.
 */
export function checkLrSchedule(
  fn: string,
  arg: string,
  schedule: unknown,
): Required<LrScheduleSpec> | LrScheduleFunction {
  if (typeof schedule === 'function') return schedule as LrScheduleFunction;
  if (schedule === null || typeof schedule !== 'object' || Array.isArray(schedule))
    throw invalidArgument(fn, arg, 'a schedule object { kind, … } or a function', schedule);
  const spec = schedule as LrScheduleSpec;
  const kind = checkOneOf(fn, `${arg}.kind`, spec.kind, LR_SCHEDULE_KINDS);
  switch (kind) {
    case 'constant':
      return { kind };
    case 'exponential': {
      const { gamma } = spec as { gamma: unknown };
      return { kind, gamma: checkGamma(fn, `${arg}.gamma`, gamma) };
    }
    case 'linearWarmup': {
      const { warmupSteps } = spec as { warmupSteps: unknown };
      return { kind, warmupSteps: checkInteger(fn, `${arg}.warmupSteps`, warmupSteps, { min: 1 }) };
    }
    case 'warmupCosine':
      return checkWarmupCosine(fn, arg, spec as Extract<LrScheduleSpec, { kind: 'warmupCosine' }>);
    default: {
      const never: never = kind;
      throw invalidArgument(fn, `${arg}.kind`, 'a known schedule kind', never);
    }
  }
}

/** A per-epoch decay factor in (0, 1] (`lrDecay`, an exponential schedule's `gamma`). */
export function checkGamma(fn: string, arg: string, gamma: unknown): number {
  return checkNumber(fn, arg, gamma, { min: 0, max: 1, exclusiveMin: true });
}

function checkWarmupCosine(
  fn: string,
  arg: string,
  spec: Extract<LrScheduleSpec, { kind: 'warmupCosine' }>,
): Required<Extract<LrScheduleSpec, { kind: 'warmupCosine' }>> {
  const o = withDefaults(fn, DEFAULT_WARMUP_COSINE, spec);
  const warmupSteps = checkInteger(fn, `${arg}.warmupSteps`, o.warmupSteps, { min: 0 });
  const totalSteps = checkInteger(fn, `${arg}.totalSteps`, o.totalSteps, { min: warmupSteps + 1 });
  const minLr = checkNumber(fn, `${arg}.minLr`, o.minLr, { min: 0 });
  return { kind: 'warmupCosine', warmupSteps, totalSteps, minLr };
}

/**
 * The learning rate of the step at `context` under `schedule`. A function's result must be a
 * finite number ≥ 0.
 *
 * @param fn the function named in error messages (the caller, e.g. `'trainLoop'`).
 * @throws InvalidArgumentError for an invalid schedule or context, or when a function schedule
 *   returns something else than a learning rate.
 */
export function scheduledLr(
  schedule: LrSchedule,
  context: LrScheduleContext,
  fn = 'scheduledLr',
): number {
  const checked = checkLrSchedule(fn, 'lrSchedule', schedule);
  checkObject(fn, 'context', context);
  const step = checkInteger(fn, 'context.step', context.step, { min: 0 });
  const epoch = checkInteger(fn, 'context.epoch', context.epoch, { min: 0 });
  const baseLr = checkNumber(fn, 'context.baseLr', context.baseLr, { min: 0 });
  if (typeof checked === 'function') {
    const lr = checked(context);
    if (!(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0))
      throw invalidArgument(
        fn,
        'lrSchedule',
        `a function returning a finite learning rate ≥ 0 (at step ${step}, epoch ${epoch})`,
        lr,
      );
    return lr;
  }
  switch (checked.kind) {
    case 'constant':
      return baseLr;
    case 'exponential':
      return checked.gamma === 1 ? baseLr : baseLr * checked.gamma ** epoch;
    case 'linearWarmup':
      return warmup(baseLr, step, checked.warmupSteps) ?? baseLr;
    case 'warmupCosine': {
      const { warmupSteps, totalSteps, minLr } = checked;
      const warm = warmup(baseLr, step, warmupSteps);
      if (warm !== undefined) return warm;
      const t = Math.min(1, (step - warmupSteps) / (totalSteps - warmupSteps));
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    default: {
      const never: never = checked;
      throw invalidArgument(fn, 'lrSchedule', 'a known schedule', never);
    }
  }
}

/** The warm-up learning rate of `step`, or undefined once the warm-up is over. */
function warmup(baseLr: number, step: number, warmupSteps: number): number | undefined {
  return step < warmupSteps ? baseLr * ((step + 1) / warmupSteps) : undefined;
}

/** What a checkpoint records of a schedule (checked with {@link checkLrSchedule}). */
export function lrScheduleRecord(schedule: LrSchedule): LrScheduleRecord {
  const checked = checkLrSchedule('lrScheduleRecord', 'schedule', schedule);
  return typeof checked === 'function' ? { kind: 'function' } : checked;
}

/** Whether two records describe the same schedule (two functions count as the same). */
export function sameLrSchedule(a: LrScheduleRecord, b: LrScheduleRecord): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every(
    (key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key],
  );
}
