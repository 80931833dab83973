import { FormatError, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { ExponentialLR } from './exponential-lr.js';

describe('ExponentialLR', () => {
  it('multiplies the learning rate by gamma per step, as torch chains it', () => {
    const optimizer = { lr: 1e-3 };
    const scheduler = new ExponentialLR(optimizer, 0.9);
    expect(scheduler.baseLr).toBe(1e-3);
    let expected = 1e-3;
    for (let e = 1; e <= 5; e++) {
      expected *= 0.9;
      expect(scheduler.step()).toBe(expected);
    }
    expect(optimizer.lr).toBe(expected);
    expect(optimizer.lr).toBeCloseTo(1e-3 * 0.9 ** 5, 15);
    expect(scheduler.lastEpoch).toBe(5);
  });

  it('saves and restores its state (own and torch layout)', () => {
    const a = { lr: 0.1 };
    const s = new ExponentialLR(a, 0.5);
    s.step();
    s.step();
    const state = s.stateDict();
    expect(state).toEqual({ gamma: 0.5, base_lrs: [0.1], last_epoch: 2, _last_lr: [0.025] });
    const b = { lr: 0.1 };
    const restored = new ExponentialLR(b, 0.5);
    restored.loadStateDict(
      new Map<string, unknown>([
        ['gamma', 0.5],
        ['base_lrs', [0.1]],
        ['last_epoch', 2],
        ['_last_lr', [0.025]],
      ]),
    );
    expect(b.lr).toBe(0.025);
    expect(restored.lastEpoch).toBe(2);
    expect(() => restored.loadStateDict({ ...state, gamma: 0.7 })).toThrow(FormatError);
    expect(() => restored.loadStateDict({ ...state, last_epoch: -1 })).toThrow(FormatError);
  });

  it('validates its input', () => {
    expect(() => new ExponentialLR({ lr: 0.1 }, 0)).toThrow(InvalidArgumentError);
    expect(() => new ExponentialLR({ lr: 0.1 }, 1.5)).toThrow(
      /'gamma' must be a number in \(0, 1\]/,
    );
    expect(() => new ExponentialLR(null as never, 0.5)).toThrow(/'optimizer'/);
  });
});
