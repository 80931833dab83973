import { FormatError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from './csv.js';

// The reader itself is tested in @cellshape/core (csv.test.ts); this checks the keyed view.
describe('parseCsv', () => {
  it('keys rows by column name', () => {
    const text = '\ufeffid,Treatment,note\r\nc1,DMSO,"a, b"\r\n\r\nc2,"Bleb ""x""","line\nbreak"\n';
    const { columns, rows } = parseCsv(text);
    expect(columns).toEqual(['id', 'Treatment', 'note']);
    expect(rows).toEqual([
      { id: 'c1', Treatment: 'DMSO', note: 'a, b' },
      { id: 'c2', Treatment: 'Bleb "x"', note: 'line\nbreak' },
    ]);
  });

  it('names the calling function and the line in errors', () => {
    expect(() => parseCsv('')).toThrow(FormatError);
    expect(() => parseCsv('a,b\n1,2,3\n', 'fromFolder')).toThrow(
      /fromFolder: the metadata CSV line 2 has 3 fields, the header has 2/,
    );
  });
});

describe('csvField', () => {
  it('round-trips through parseCsv', () => {
    const tricky = 'say "hi", then\nleave';
    expect(parseCsv(`x\n${csvField(tricky)}\n`).rows[0]!.x).toBe(tricky);
  });
});
