import { describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError, invalidArgument, isCellshapeError } from './errors.js';

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
