import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { choice, integer, integerOrAuto, integerRange, number, triple } from './parse.js';

describe('flag parsers', () => {
  it('integer', () => {
    expect(integer(0)('0')).toBe(0);
    expect(integer(1)(' 16 ')).toBe(16);
    for (const bad of ['', 'abc', '1.5', '-1', '0', '1e400'])
      expect(() => integer(1)(bad), bad).toThrow(InvalidArgumentError);
    expect(() => integer(1)('0')).toThrow('expected a positive integer.');
  });

  it('number', () => {
    expect(number(0, { exclusiveMin: true })('1e-4')).toBe(1e-4);
    expect(number(0)('0')).toBe(0);
    expect(number(0, { exclusiveMin: true, max: 1 })('1')).toBe(1);
    for (const bad of ['', 'x', 'NaN', 'Infinity', '0', '1.5'])
      expect(() => number(0, { exclusiveMin: true, max: 1 })(bad), bad).toThrow(
        InvalidArgumentError,
      );
    expect(() => number(0)('-1')).toThrow('expected a number ≥ 0.');
  });

  it('choice', () => {
    expect(choice(['a', 'b'] as const)('b')).toBe('b');
    expect(() => choice(['a', 'b'] as const)('c')).toThrow('expected one of a, b.');
  });

  it('integerOrAuto, integerRange, triple', () => {
    expect(integerOrAuto(1)('auto')).toBe('auto');
    expect(integerOrAuto(1)('AUTO')).toBe('auto');
    expect(integerOrAuto(1)('5')).toBe(5);
    expect(() => integerOrAuto(1)('0')).toThrow("expected 'auto' or an integer ≥ 1.");
    expect(integerRange(1)('2:15')).toEqual([2, 15]);
    expect(integerRange(1)('3,9')).toEqual([3, 9]);
    for (const bad of ['2', '5:5', '0:3', 'a:b', '9:3'])
      expect(() => integerRange(1)(bad), bad).toThrow(InvalidArgumentError);
    expect(triple('2.18,1,1')).toEqual([2.18, 1, 1]);
    for (const bad of ['1,1', '1,0,1', 'a,b,c', '1,1,1,1'])
      expect(() => triple(bad), bad).toThrow(InvalidArgumentError);
  });
});
