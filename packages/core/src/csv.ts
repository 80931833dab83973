import { FormatError, invalidArgument } from './errors.js';
import { withDefaults } from './options.js';

/**
 * CSV as pandas and Python's `csv` module write it (RFC 4180): `,` separators, fields optionally
 * in `"` quotes with `""` for a quote inside, `\n` or `\r\n` line ends, a header row.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts the `\n` in `text[from, to)` for ranges that move forward through the text. It
 * remembers the next newline, so no search runs past `to` twice: a search from every `""` of a
 * long quoted field to a far newline made the parse quadratic.
 */
function newlineCounter(text: string): (from: number, to: number) => number {
  let next = text.indexOf('\n');
  return (from, to) => {
    if (next >= 0 && next < from) next = text.indexOf('\n', from);
    let count = 0;
    while (next >= 0 && next < to) {
      count++;
      next = text.indexOf('\n', next + 1);
    }
    return count;
  };
}

/** A parsed CSV file: the header row and the data rows, every row as long as the header. */
export interface CsvTable {
  /** Column names in file order, surrounding white space removed. */
  header: string[];
  /** Data rows as raw strings, in file order. */
  rows: string[][];
}

/**
 * The text of a CSV file's bytes: UTF-8, or Windows-1252 (as Excel on Windows saves CSV) when
 * the bytes are not valid UTF-8, so that every byte stays a character of its own. Decoded with
 * replacement characters, different names (`10 µM`, `10 ÄM` in Windows-1252) became one
 * (`10 �M`), silently merging the groups of a metadata join. A byte-order mark is kept (the
 * parsers drop it).
 */
export function decodeCsvText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // A UTF-8 byte-order mark still starts the text (kept as one, for the parsers to drop):
    // decoded as Windows-1252 it became `ï»¿`, part of the first column's name (a centroid
    // table's `id` column was then not found, and row numbers became the ids).
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const text = new TextDecoder('windows-1252').decode(bom ? bytes.subarray(3) : bytes);
    return bom ? `\ufeff${text}` : text;
  }
}

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** What the text is (usually its file name), named in error messages. Default `'the CSV'`. */
  source?: string;
  /** The public function on whose behalf the text is parsed, prefixing error messages. Default `'parseCsv'`. */
  caller?: string;
}

/** The defaults of {@link ParseCsvOptions}. */
export const DEFAULT_PARSE_CSV_OPTIONS: Required<ParseCsvOptions> = {
  source: 'the CSV',
  caller: 'parseCsv',
};

/**
 * Parses CSV text with a header row. A UTF-8 byte-order mark, a final newline and blank lines
 * (empty, or spaces and tabs only, as pandas skips them) are ignored; a quote in the middle of an unquoted field is kept as a character (as Python's `csv`
 * reads it); field values are not trimmed, column names are.
 *
 * ```ts
 * parseCsv('id,Treatment\n1,"DMSO, 0.1%"\n'); // { header: ['id', 'Treatment'], rows: [['1', 'DMSO, 0.1%']] }
 * ```
 *
 * @throws FormatError on an unterminated quote, a missing header or a row whose field count
 *   differs from the header's (the message names the line).
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw invalidArgument('parseCsv', 'text', 'a string', text);
  const { source, caller: fn } = withDefaults('parseCsv', DEFAULT_PARSE_CSV_OPTIONS, options);
  const fail = (message: string): FormatError =>
    new FormatError(`${fn}: ${source} ${message}`, { fn, arg: source });
  // Records and the line each starts on (for messages); fields are sliced out of the text in
  // runs, not built a character at a time.
  const records: string[][] = [];
  const recordLines: number[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  // Whether the record opened a quoted field: `""` alone on a line is one empty value (Python's
  // csv writes it so for a one-column row), not a blank line.
  let recordQuoted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = (): void => {
    fields.push(field);
    // A blank line parses as one unquoted field, empty or of spaces and tabs only (pandas skips
    // both); it carries no data. Kept, `  ` was a row of 1 field: an error under a wider header,
    // an extra value in a one-column file.
    if (!(fields.length === 1 && /^[ \t]*$/.test(fields[0]!) && !recordQuoted)) {
      records.push(fields);
      recordLines.push(recordLine);
    }
    fields = [];
    field = '';
    recordQuoted = false;
  };
  const n = text.length;
  const newlines = newlineCounter(text);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      // Up to the next quote: `""` is a quote inside, a lone `"` ends the quoted part.
      const q = text.indexOf('"', i);
      const end = q < 0 ? n : q;
      line += newlines(i, end);
      field += text.slice(i, end);
      if (q < 0) i = n;
      else if (text.charCodeAt(q + 1) === QUOTE) {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
    } else if (c === QUOTE && field === '') {
      quoted = true;
      recordQuoted = true;
      i++;
    } else if (c === COMMA) {
      fields.push(field);
      field = '';
      i++;
    } else if (c === LF || c === CR) {
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      endRecord();
      line++;
      recordLine = line;
      i++;
    } else {
      // A run of plain characters (a quote inside an unquoted field is one of them).
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (quoted) throw fail(`ends inside a quoted field (opened on line ${recordLine} or later)`);
  if (field !== '' || fields.length > 0 || recordQuoted) endRecord();
  return tableOf(records, recordLines, fail);
}

/** The header (trimmed) and rows of parsed records, each row as wide as the header. */
function tableOf(
  records: string[][],
  recordLines: number[],
  fail: (message: string) => FormatError,
): CsvTable {
  const head = records[0];
  if (head === undefined) throw fail('has no header row');
  const header = head.map((name) => name.trim());
  for (let r = 1; r < records.length; r++)
    if (records[r]!.length !== header.length)
      throw fail(
        `line ${recordLines[r]} has ${records[r]!.length} fields, the header has ${header.length}`,
      );
  return { header, rows: records.slice(1) };
}

/** A property descriptor like that of an assignment, for `Object.defineProperty`. */
function own(value: string): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

/**
 * The key of each column of `header`: its name, but a repeated name keeps its first column and
 * the later ones become `x.1`, `x.2`, … skipping every name the header holds, as pandas names
 * them (`x,x,x.1,x` → `x, x.2, x.1, x.3`) — a record keyed by the raw names silently kept the
 * last column. Linear in the header.
 */
export function csvColumnKeys(header: readonly string[]): string[] {
  const taken = new Set(header);
  const seen = new Set<string>();
  const next = new Map<string, number>();
  return header.map((given) => {
    if (!seen.has(given)) {
      seen.add(given);
      return given;
    }
    let k = next.get(given) ?? 1;
    let name: string;
    do name = `${given}.${k++}`;
    while (taken.has(name));
    next.set(given, k);
    taken.add(name);
    return name;
  });
}

/**
 * The rows of a table as objects keyed by column: {@link csvColumnKeys} (a repeated column name's
 * first column under the name, later ones as `x.1`, `x.2`, as pandas reads them).
 */
export function csvRecords(table: CsvTable): Record<string, string>[] {
  if (table === null || typeof table !== 'object' || !Array.isArray(table.header))
    throw invalidArgument('csvRecords', 'table', 'a CsvTable { header, rows }', table);
  const keys = csvColumnKeys(table.header);
  return table.rows.map((row) => {
    const record: Record<string, string> = {};
    keys.forEach((name, c) => {
      // A column named `__proto__` stays an own key (assigned, it would vanish).
      if (name === '__proto__') Object.defineProperty(record, name, own(row[c] ?? ''));
      else record[name] = row[c] ?? '';
    });
    return record;
  });
}

/** One CSV field: quoted (with `""` for quotes) only when it holds a comma, quote or line break. */
export function csvField(value: string | number): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw invalidArgument('csvField', 'value', 'a string or a number', value);
  // String(-0) is '0': the sign is written, as Python's csv and pandas write -0.0.
  const text = Object.is(value, -0) ? '-0' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * CSV text of a header and rows, `\n` line ends and a final newline; {@link parseCsv} reads it
 * back unchanged. Numbers are written with `String(n)` (shortest round-trip form).
 *
 * @throws InvalidArgumentError when a row's length differs from the header's.
 */
export function formatCsv(
  header: readonly string[],
  rows: Iterable<readonly (string | number)[]>,
): string {
  const fn = 'formatCsv';
  if (!Array.isArray(header) || header.length === 0)
    throw invalidArgument(fn, 'header', 'a non-empty array of column names', header);
  // One empty field alone is written `""`, as Python's csv does: a bare empty line is blank.
  // So is one of spaces and tabs only: pandas (and parseCsv) skip such a line, and the row of
  // a one-column table was lost.
  const line = (fields: readonly (string | number)[]): string =>
    fields.length === 1 && typeof fields[0] === 'string' && /^[ \t]*$/.test(fields[0])
      ? `"${fields[0]}"`
      : fields.map(csvField).join(',');
  const lines = [line(header)];
  let r = 0;
  for (const row of rows) {
    if (row.length !== header.length)
      throw invalidArgument(
        fn,
        `rows[${r}]`,
        `${header.length} fields like the header`,
        row.length,
      );
    lines.push(line(row));
    r++;
  }
  return `${lines.join('\n')}\n`;
}
