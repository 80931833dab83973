import { describe, expect, it } from 'vitest';
import { csvColumnKeys, csvField, csvRecords, decodeCsvText, formatCsv, parseCsv } from './csv.js';
import { FormatError, InvalidArgumentError } from './errors.js';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF, a BOM, blank lines and a missing final newline', () => {
    const text = '\ufeffid, Treatment ,note\r\n1,DMSO,"a, b"\r\n\r\n2,"say ""hi""","two\nlines"';
    expect(parseCsv(text)).toEqual({
      header: ['id', 'Treatment', 'note'],
      rows: [
        ['1', 'DMSO', 'a, b'],
        ['2', 'say "hi"', 'two\nlines'],
      ],
    });
  });

  it('keeps empty fields, a lone CR line end, and a quote inside an unquoted field', () => {
    expect(parseCsv('a,b,c\n,,\n1,5" dish,\r2,,3\n').rows).toEqual([
      ['', '', ''],
      ['1', '5" dish', ''],
      ['2', '', '3'],
    ]);
  });

  it('reads a header without rows', () => {
    expect(parseCsv('x,y\n')).toEqual({ header: ['x', 'y'], rows: [] });
  });

  it('reads what Python csv / pandas write', () => {
    // pandas.DataFrame({'id': ['a,1', 'b'], 'v': [0.5, 'q"x']}).to_csv(index=False)
    const text = 'id,v\n"a,1",0.5\nb,"q""x"\n';
    expect(parseCsv(text).rows).toEqual([
      ['a,1', '0.5'],
      ['b', 'q"x'],
    ]);
  });

  it('rejects malformed text with the source, caller and line', () => {
    expect(() => parseCsv('')).toThrow(FormatError);
    expect(() => parseCsv('\n\n')).toThrow(/parseCsv: the CSV has no header row/);
    expect(() => parseCsv('a,b\n1,2\n\n3\n', { source: 'cells.csv' })).toThrow(
      /parseCsv: cells.csv line 4 has 1 fields, the header has 2/,
    );
    expect(() => parseCsv('a,b\n"1,2\n', { source: 'x.csv', caller: 'readMeta' })).toThrow(
      /readMeta: x.csv ends inside a quoted field \(opened on line 2/,
    );
    expect(() => parseCsv(42 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('reads a long quoted field of doubled quotes in linear time, lines still counted (issue 17)', () => {
    // Each `""` used to search for the next newline from scratch: with the only newlines far
    // away, a 1 MB field took seconds (quadratic).
    const quotes = '""'.repeat(500_000);
    const table = parseCsv(`a,b\n"${quotes}\nx",1\n"y\n\nz",2\n`);
    expect(table.rows[0]).toEqual([`${'"'.repeat(500_000)}\nx`, '1']);
    expect(table.rows[1]).toEqual(['y\n\nz', '2']);
    expect(() => parseCsv(`a,b\n"${quotes}\nx",1\n"y\n\nz",2\n3\n`)).toThrow(
      /parseCsv: the CSV line 7 has 1 fields, the header has 2/,
    );
  });

  it('keeps a one-column row holding an empty quoted value (issue 17 second review)', () => {
    // pandas writes a missing value of a one-column table as `""` (Python's csv quotes a lone
    // empty field); it used to be dropped as a blank line, shifting the rows after it.
    expect(parseCsv('x\n1\n""\n2\n\n""').rows).toEqual([['1'], [''], ['2'], ['']]);
    expect(parseCsv('x\r\n""\r\n').rows).toEqual([['']]);
  });

  it('skips lines of spaces and tabs only, as pandas does (issue 17 text review)', () => {
    // Read as a row of one field, such a line was an error under a wider header and an extra
    // value of a one-column table; pandas skips it (a quoted value of spaces stays a value).
    expect(parseCsv('id,t\n1,a\n \t \n2,b\n  ').rows).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
    expect(parseCsv('id\n1\n \n2\n" "\n').rows).toEqual([['1'], ['2'], [' ']]);
    expect(parseCsv('id\n1\n\u00a0\n').rows).toEqual([['1'], ['\u00a0']]);
  });
});

describe('decodeCsvText', () => {
  it('reads UTF-8, and bytes that are not UTF-8 as Windows-1252 (issue 17 second review)', () => {
    // Replacement characters made `10 µM` and `10 ÄM` (Windows-1252) one name.
    const utf8 = new TextEncoder().encode('\ufeffdose\n10 µM\n');
    expect(decodeCsvText(utf8)).toBe('\ufeffdose\n10 µM\n');
    const cp1252 = Uint8Array.from([
      0x31, 0x30, 0x20, 0xb5, 0x4d, 0x0a, 0x31, 0x30, 0x20, 0xc4, 0x4d,
    ]);
    expect(decodeCsvText(cp1252)).toBe('10 µM\n10 ÄM');
  });

  it('keeps a UTF-8 byte-order mark before Windows-1252 bytes a mark (issue 17 text review)', () => {
    // Decoded as Windows-1252 the mark became `ï»¿`, part of the first column's name.
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0x69, 0x64, 0x0a, 0x31, 0x30, 0x20, 0xb5]);
    expect(decodeCsvText(bytes)).toBe('\ufeffid\n10 µ');
    expect(parseCsv(decodeCsvText(bytes))).toEqual({ header: ['id'], rows: [['10 µ']] });
  });
});

describe('csvRecords', () => {
  it('keys a repeated column name by its first column, later ones as x.1, x.2 (pandas)', () => {
    // A record keyed by raw names kept the last column silently (independent fuzz campaign).
    expect(csvRecords(parseCsv('id,plate,plate,plate.1,plate\n1,A,B,C,D\n'))).toEqual([
      { id: '1', plate: 'A', 'plate.1': 'C', 'plate.2': 'B', 'plate.3': 'D' },
    ]);
    // pandas 1.5 (Debian) read_csv names these columns so.
    expect(csvColumnKeys(['x', 'x', 'x.1', 'x'])).toEqual(['x', 'x.2', 'x.1', 'x.3']);
    expect(csvColumnKeys(['id', 'plate', 'plate', 'plate.1', 'plate'])).toEqual([
      'id',
      'plate',
      'plate.2',
      'plate.1',
      'plate.3',
    ]);
  });

  it('keys each row by column name', () => {
    expect(csvRecords(parseCsv('a,b\n1,2\n3,\n'))).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '' },
    ]);
  });

  it('keeps a column named __proto__ as an own key (issue 17, adversarial review)', () => {
    const [record] = csvRecords(parseCsv('a,__proto__,constructor\n1,2,3\n'));
    expect(Object.keys(record!)).toEqual(['a', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toBe('2');
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });

  it('rejects what is not a table', () => {
    expect(() => csvRecords(null as never)).toThrow(/csvRecords: 'table' must be a CsvTable/);
  });
});

describe('csvField and formatCsv', () => {
  it('quote only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
  });

  it('round-trip through parseCsv', () => {
    const header = ['id', 'note, quoted', 'value'];
    const rows = [
      ['c1', 'say "hi", then\nleave', 0.1],
      ['c2', '', -3e-8],
      ['c3', '\r', 42],
    ];
    const text = formatCsv(header, rows);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseCsv(text)).toEqual({
      header,
      rows: rows.map((r) => r.map(String)),
    });
    expect(Number(parseCsv(text).rows[1]![2])).toBe(-3e-8);
    // A one-column row holding '' is written `""`, not a blank line (issue 17 second review).
    expect(formatCsv(['x'], [[''], [1]])).toBe('x\n""\n1\n');
    expect(parseCsv(formatCsv(['x'], [[''], [1]])).rows).toEqual([[''], ['1']]);
    // So is one of spaces or tabs only: unquoted, pandas 1.5.3 read_csv (and parseCsv) skipped
    // the line as blank and the row was lost; quoted, pandas reads '  ' and '\t' back.
    const blanks = formatCsv(['x'], [['a'], ['  '], ['\t'], ['b']]);
    expect(blanks).toBe('x\na\n"  "\n"\t"\nb\n');
    expect(parseCsv(blanks).rows).toEqual([['a'], ['  '], ['\t'], ['b']]);
    expect(formatCsv(['x', 'y'], [['  ', '']])).toBe('x,y\n  ,\n');
    // -0 keeps its sign (String(-0) is '0'); pandas 1.5.3 reads '-0' in a float column as -0.0.
    expect(csvField(-0)).toBe('-0');
    expect(formatCsv(['x'], [[-0], [0]])).toBe('x\n-0\n0\n');
  });

  it('reject bad input', () => {
    expect(() => csvField({} as never)).toThrow(InvalidArgumentError);
    expect(() => formatCsv([], [])).toThrow(/formatCsv: 'header' must be a non-empty array/);
    expect(() => formatCsv(['a', 'b'], [['1']])).toThrow(
      /formatCsv: 'rows\[0\]' must be 2 fields like the header, got 1/,
    );
  });
});
