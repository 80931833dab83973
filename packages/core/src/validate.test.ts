import { describe, expect, it } from 'vitest';
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  checkPositive,
  checkString,
  oneOf,
} from './validate.js';

describe('argument validators', () => {
  it('checkInteger states the bounds it expected', () => {
    expect(checkInteger('f', 'k', 3, { min: 1 })).toBe(3);
    expect(() => checkInteger('kmeans', 'options.restarts', 0, { min: 1 })).toThrow(
      "kmeans: 'options.restarts' must be an integer ≥ 1, got 0",
    );
    expect(() => checkInteger('f', 'k', 2.5)).toThrow("'k' must be an integer, got 2.5");
    expect(() => checkInteger('f', 'k', 9, { min: 1, max: 8 })).toThrow('an integer in [1, 8]');
    expect(() => checkInteger('f', 'k', '3')).toThrow('got "3"');
  });

  it('checkNumber refuses NaN and infinities; exclusive minimum', () => {
    expect(checkNumber('f', 'x', -2)).toBe(-2);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined])
      expect(() => checkNumber('f', 'x', bad)).toThrow('a finite number');
    expect(() => checkNumber('f', 'lrDecay', 0, { min: 0, max: 1, exclusiveMin: true })).toThrow(
      "'lrDecay' must be a finite number in (0, 1], got 0",
    );
    expect(checkNumber('f', 'lrDecay', 1, { min: 0, max: 1, exclusiveMin: true })).toBe(1);
  });

  it('checkPositive allows zero only when asked', () => {
    expect(() => checkPositive('f', 'lr', 0)).toThrow("'lr' must be a finite number > 0, got 0");
    expect(checkPositive('f', 'gamma', 0, true)).toBe(0);
    expect(() => checkPositive('f', 'gamma', -1, true)).toThrow('a finite number ≥ 0');
  });

  it('checkOneOf lists the choices', () => {
    expect(checkOneOf('f', 'mode', 'eval', ['train', 'eval'])).toBe('eval');
    expect(() => checkOneOf('f', 'mode', 'test', ['train', 'eval'])).toThrow(
      "f: 'mode' must be 'train' or 'eval', got \"test\"",
    );
    expect(oneOf(['a', 'b', 'c'])).toBe("'a', 'b' or 'c'");
    expect(oneOf([1])).toBe('1');
  });

  it('checkBoolean, checkString and checkObject', () => {
    expect(checkBoolean('f', 'b', false)).toBe(false);
    expect(() => checkBoolean('f', 'b', 0)).toThrow("'b' must be a boolean");
    expect(checkString('f', 's', 'x')).toBe('x');
    expect(() => checkString('f', 's', '')).toThrow("'s' must be a non-empty string");
    expect(checkObject('f', 'o', { a: 1 })).toEqual({ a: 1 });
    for (const bad of [null, [], 1]) expect(() => checkObject('f', 'o', bad)).toThrow('an object');
  });
});
