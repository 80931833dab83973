import { describe, expect, it } from 'vitest';
import { decimalNumber } from './decimal-number.js';

describe('decimalNumber', () => {
  it('reads decimal text as Number does', () => {
    for (const text of [
      '0',
      '-0',
      '7',
      ' 7 ',
      '+3',
      '.5',
      '5.',
      '1e5',
      '1E+2',
      '-1.25e-3',
      '09',
      '0.5',
      '0e1',
      '',
    ])
      expect(Object.is(decimalNumber(text), Number(text))).toBe(true);
    expect(decimalNumber(undefined)).toBeNaN();
    expect(decimalNumber('abc')).toBeNaN();
  });

  it('refuses binary, octal and hexadecimal literals (issue 17 second review)', () => {
    // Number reads them (16, 3, 7); Python, NumPy and pandas do not.
    for (const text of [
      '0x10',
      '0X1f',
      '0b11',
      '0B1',
      '0o7',
      '0O7',
      ' 0x10',
      '\t0b1 ',
      '\u00a00o7',
    ])
      expect(decimalNumber(text)).toBeNaN();
  });
});
