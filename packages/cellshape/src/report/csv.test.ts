import { FormatError, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('parses quoted fields, doubled quotes, separators and line breaks inside quotes', () => {
    const text = 'id,name,note\n1,"a, b","say ""hi"""\n2,"two\nlines",\n';
    expect(parseCsv(text)).toEqual({
      header: ['id', 'name', 'note'],
      rows: [
        ['1', 'a, b', 'say "hi"'],
        ['2', 'two\nlines', ''],
      ],
    });
  });

  it('accepts CRLF line ends, a byte-order mark, blank lines and no final newline', () => {
    const text = '\ufeffa,b\r\n1,2\r\n\r\n3,4';
    expect(parseCsv(text)).toEqual({
      header: ['a', 'b'],
      rows: [
        ['1', '2'],
        ['3', '4'],
      ],
    });
  });

  it('rejects malformed files with FormatError naming the source', () => {
    expect(() => parseCsv('a,b\n1\n', 'cells.csv')).toThrow(FormatError);
    expect(() => parseCsv('a,b\n1\n', 'cells.csv')).toThrow(/cells.csv data row 1 has 1 fields/);
    expect(() => parseCsv('a,b\n"1,2\n', 'x.csv')).toThrow(/ends inside a quoted field/);
    expect(() => parseCsv('a,b\n1"x",2\n')).toThrow(/quote inside an unquoted field/);
    expect(() => parseCsv('')).toThrow(/no header row/);
  });

  it('rejects a non-string input', () => {
    expect(() => parseCsv(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});
