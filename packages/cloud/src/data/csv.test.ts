import { FormatError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('parses quoted fields, CRLF line ends, a byte-order mark and blank lines', () => {
    const text = '\ufeffid,Treatment,note\r\nc1,DMSO,"a, b"\r\n\r\nc2,"Bleb ""x""","line\nbreak"\n';
    const { columns, rows } = parseCsv(text);
    expect(columns).toEqual(['id', 'Treatment', 'note']);
    expect(rows).toEqual([
      { id: 'c1', Treatment: 'DMSO', note: 'a, b' },
      { id: 'c2', Treatment: 'Bleb "x"', note: 'line\nbreak' },
    ]);
  });

  it('reads a last line without a line end and empty fields', () => {
    expect(parseCsv('a,b\n1,').rows).toEqual([{ a: '1', b: '' }]);
  });

  it('rejects malformed CSV', () => {
    expect(() => parseCsv('')).toThrow(FormatError);
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/row 2 has 3 fields, the header has 2/);
    expect(() => parseCsv('a\n"open')).toThrow(/ends inside a quoted field/);
  });
});

describe('csvField', () => {
  it('quotes only when needed and round-trips through parseCsv', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(1.5)).toBe('1.5');
    const tricky = 'say "hi", then\nleave';
    const text = `x\n${csvField(tricky)}\n`;
    expect(parseCsv(text).rows[0]!.x).toBe(tricky);
  });
});
