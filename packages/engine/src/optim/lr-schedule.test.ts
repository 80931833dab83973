import { InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import {
  checkLrSchedule,
  type LrSchedule,
  type LrScheduleContext,
  lrScheduleRecord,
  sameLrSchedule,
  scheduledLr,
} from './lr-schedule.js';

const at = (schedule: LrSchedule, step: number, epoch = 0, baseLr = 0.1): number =>
  scheduledLr(schedule, { step, epoch, baseLr });

describe('scheduledLr', () => {
  it('constant: the base learning rate at every step', () => {
    for (const step of [0, 1, 1000]) expect(at({ kind: 'constant' }, step, 7)).toBe(0.1);
  });

  it('exponential: lr · γ^epoch, whatever the step', () => {
    const schedule = { kind: 'exponential', gamma: 0.5 } as const;
    for (const epoch of [0, 1, 2, 5]) {
      expect(at(schedule, 3, epoch, 1e-3)).toBe(1e-3 * 0.5 ** epoch);
      expect(at(schedule, 300, epoch, 1e-3)).toBe(1e-3 * 0.5 ** epoch);
    }
    expect(at({ kind: 'exponential', gamma: 1 }, 9, 9, 3e-4)).toBe(3e-4);
  });

  it('linear warm-up: from lr / warmup up to lr, then lr', () => {
    const schedule = { kind: 'linearWarmup', warmupSteps: 4 } as const;
    expect([0, 1, 2, 3, 4, 50].map((s) => at(schedule, s))).toEqual([
      0.1 / 4,
      (0.1 * 2) / 4,
      (0.1 * 3) / 4,
      0.1,
      0.1,
      0.1,
    ]);
    const diffs = [1, 2, 3].map((s) => at(schedule, s) - at(schedule, s - 1));
    for (const d of diffs) expect(d).toBeCloseTo(0.1 / 4, 15);
  });

  it('warm-up + cosine: ramps, is halfway at the middle, reaches minLr at totalSteps', () => {
    const schedule = {
      kind: 'warmupCosine',
      warmupSteps: 10,
      totalSteps: 110,
      minLr: 1e-3,
    } as const;
    expect(at(schedule, 0)).toBeCloseTo(0.1 / 10, 17);
    expect(at(schedule, 9)).toBe(0.1);
    expect(at(schedule, 10)).toBe(0.1);
    expect(at(schedule, 60)).toBeCloseTo((0.1 + 1e-3) / 2, 15);
    expect(at(schedule, 35)).toBeCloseTo(1e-3 + (0.1 - 1e-3) * 0.5 * (1 + Math.SQRT1_2), 15);
    expect(at(schedule, 110)).toBe(1e-3);
    expect(at(schedule, 500)).toBe(1e-3);
    for (let s = 11; s <= 110; s++) expect(at(schedule, s)).toBeLessThan(at(schedule, s - 1));
  });

  it('warm-up + cosine defaults: no warm-up, minLr 0', () => {
    const schedule = { kind: 'warmupCosine', totalSteps: 4 } as const;
    expect(at(schedule, 0)).toBe(0.1);
    expect(at(schedule, 2)).toBeCloseTo(0.05, 15);
    expect(at(schedule, 4)).toBe(0);
    const explicit = {
      kind: 'warmupCosine' as const,
      totalSteps: 4,
      warmupSteps: undefined,
      minLr: undefined,
    };
    expect(at(explicit, 2)).toBe(at(schedule, 2));
  });

  it('a function gets the context and its result is checked', () => {
    const seen: LrScheduleContext[] = [];
    const fn = (c: LrScheduleContext) => {
      seen.push(c);
      return c.baseLr / (1 + c.step);
    };
    expect(scheduledLr(fn, { step: 3, epoch: 1, stepsPerEpoch: 2, baseLr: 0.4 })).toBe(0.1);
    expect(seen).toEqual([{ step: 3, epoch: 1, stepsPerEpoch: 2, baseLr: 0.4 }]);
    expect(() => at(() => Number.NaN, 2)).toThrow(
      /'lrSchedule' must be a function returning a finite learning rate ≥ 0 \(at step 2, epoch 0\)/,
    );
    expect(() => at(() => -1, 0)).toThrow(InvalidArgumentError);
    expect(() => scheduledLr(fn, { step: 0, epoch: 0, baseLr: 0.1 }, 'trainLoop')).not.toThrow();
    expect(() =>
      scheduledLr(() => 'x' as never, { step: 0, epoch: 0, baseLr: 0.1 }, 'trainLoop'),
    ).toThrow(/^trainLoop: 'lrSchedule'/);
  });

  it('rejects invalid schedules and contexts, naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /'lrSchedule' must be a schedule object/],
      [
        { kind: 'step' },
        /'lrSchedule.kind' must be 'constant', 'exponential', 'linearWarmup' or 'warmupCosine'/,
      ],
      [{ kind: 'exponential', gamma: 0 }, /'lrSchedule.gamma' must be a finite number in \(0, 1\]/],
      [{ kind: 'exponential', gamma: 1.5 }, /'lrSchedule.gamma'/],
      [{ kind: 'linearWarmup', warmupSteps: 0 }, /'lrSchedule.warmupSteps' must be an integer ≥ 1/],
      [
        { kind: 'warmupCosine', warmupSteps: 5, totalSteps: 5 },
        /'lrSchedule.totalSteps' must be an integer ≥ 6/,
      ],
      [
        { kind: 'warmupCosine', totalSteps: 5, minLr: -1 },
        /'lrSchedule.minLr' must be a finite number ≥ 0/,
      ],
    ];
    for (const [schedule, message] of bad)
      expect(() => at(schedule as LrSchedule, 0)).toThrow(message);
    expect(() => scheduledLr({ kind: 'constant' }, { step: -1, epoch: 0, baseLr: 1 })).toThrow(
      /'context.step'/,
    );
    expect(() =>
      scheduledLr({ kind: 'constant' }, { step: 0, epoch: 0, baseLr: Number.NaN }),
    ).toThrow(/'context.baseLr'/);
  });
});

describe('schedule records', () => {
  it('fill in the defaults and compare field by field', () => {
    const record = lrScheduleRecord({ kind: 'warmupCosine', totalSteps: 100 }) as {
      kind: 'warmupCosine';
      warmupSteps: number;
      totalSteps: number;
      minLr: number;
    };
    expect(record).toEqual({ kind: 'warmupCosine', warmupSteps: 0, totalSteps: 100, minLr: 0 });
    expect(sameLrSchedule(record, checkLrSchedule('f', 'a', { ...record }) as never)).toBe(true);
    expect(sameLrSchedule(record, { ...record, minLr: 1e-6 })).toBe(false);
    expect(sameLrSchedule({ kind: 'constant' }, { kind: 'exponential', gamma: 0.5 })).toBe(false);
    expect(lrScheduleRecord(() => 1)).toEqual({ kind: 'function' });
    expect(sameLrSchedule({ kind: 'function' }, { kind: 'function' })).toBe(true);
  });
});
