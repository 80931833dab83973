import { describe, expect, it } from 'vitest';
import {
  describe as describeValue,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
  isCellshapeError,
  reattributeError,
  UnsupportedError,
} from './errors.js';

describe('isCellshapeError', () => {
  it('recognises every cellshape error, optionally by code', () => {
    const error = invalidArgument('f', 'x', 'a number', 'y');
    expect(isCellshapeError(error)).toBe(true);
    expect(isCellshapeError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(isCellshapeError(error, 'IO')).toBe(false);
    expect(isCellshapeError(new FormatError('bad'), 'INVALID_FORMAT')).toBe(true);
  });

  it('refuses other values', () => {
    for (const other of [new Error('x'), null, undefined, 'INVALID_ARGUMENT', { code: 'IO' }])
      expect(isCellshapeError(other)).toBe(false);
  });

  it('recognises an error of another copy of core by its Symbol.for brand', () => {
    // A second installed copy has its own classes but the same global symbol.
    const foreign = Object.assign(new Error('disk full'), {
      [Symbol.for('@cellshape/core/error')]: true,
      code: 'IO',
    });
    expect(foreign instanceof InvalidArgumentError).toBe(false);
    expect(isCellshapeError(foreign)).toBe(true);
    expect(isCellshapeError(foreign, 'IO')).toBe(true);
    expect(isCellshapeError(foreign, 'INVALID_FORMAT')).toBe(false);
  });
});

describe('describe', () => {
  it('formats values as before', () => {
    expect(describeValue([64, 64])).toBe('[64, 64]');
    expect(describeValue([[1, 2], ['a']])).toBe('[[1, 2], ["a"]]');
    expect(describeValue([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe('[1, 2, 3, 4, 5, 6, 7, 8, ...]');
    expect(describeValue([])).toBe('[]');
    expect(describeValue(new Float32Array(3))).toBe('Float32Array(3)');
  });

  it('cuts arrays nested more than 3 deep: cyclic and deeply nested arrays stay short', () => {
    expect(describeValue([[[[1]]]])).toBe('[[[[...]]]]');
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(describeValue(cyclic)).toBe('[1, [1, [1, [...]]]]');
    let deep: unknown = null;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('[[[[...]]]]');
    const wide: unknown[] = [];
    for (let i = 0; i < 8; i++) wide.push(wide);
    expect(describeValue(wide).length).toBeLessThan(5000);
    expect(invalidArgument('f', 'x', 'a number', cyclic).message).toBe(
      "f: 'x' must be a number, got [1, [1, [1, [...]]]]",
    );
  });
});

describe('reattributeError', () => {
  it("tells a lower reader's error as the caller's, same class, code and argument", () => {
    const lower = new FormatError('readTorchCheckpoint: not a valid zip archive (no record)', {
      fn: 'readTorchCheckpoint',
      arg: 'bytes',
    });
    const told = reattributeError('readStateDictFile', lower) as FormatError;
    expect(told).toBeInstanceOf(FormatError);
    expect(told.message).toBe('readStateDictFile: not a valid zip archive (no record)');
    expect([told.code, told.fn, told.arg, told.cause]).toEqual([
      'INVALID_FORMAT',
      'readStateDictFile',
      'bytes',
      lower,
    ]);
  });

  it('keeps an unnamed message whole and leaves the caller’s own and foreign errors alone', () => {
    const unnamed = new UnsupportedError('compression method 12');
    expect((reattributeError('f', unnamed) as Error).message).toBe('f: compression method 12');
    const own = new FormatError('f: bad', { fn: 'f' });
    expect(reattributeError('f', own)).toBe(own);
    const foreign = new RangeError('x');
    expect(reattributeError('f', foreign)).toBe(foreign);
  });
});
