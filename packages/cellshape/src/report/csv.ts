import { FormatError, invalidArgument } from '@cellshape/core';

/** A parsed CSV file: the header row and the data rows (every row as long as the header). */
export interface CsvTable {
  /** Column names, in file order. */
  header: string[];
  /** Data rows as raw strings. */
  rows: string[][];
}

/**
 * Parses CSV text (RFC 4180: `,` separators, `"` quoting with `""` escapes, `\n` or `\r\n`
 * line ends, an optional trailing newline, an optional UTF-8 byte-order mark). Blank lines are
 * skipped.
 *
 * @param text the file content.
 * @param source the file name, for error messages.
 * @throws FormatError on an unterminated quote, an empty header or a row whose length differs
 *   from the header's.
 */
export function parseCsv(text: string, source = 'csv'): CsvTable {
  const fn = 'parseCsv';
  if (typeof text !== 'string') throw invalidArgument(fn, 'text', 'a string', text);
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    // A blank line parses as one empty field; it carries no data.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    switch (c) {
      case '"':
        if (field !== '')
          throw new FormatError(`${fn}: ${source} line ${line}: a quote inside an unquoted field`, {
            fn,
            arg: source,
          });
        quoted = true;
        break;
      case ',':
        record.push(field);
        field = '';
        break;
      case '\r':
        if (text[i + 1] !== '\n') field += c;
        break;
      case '\n':
        endRecord();
        line++;
        break;
      default:
        field += c;
    }
    i++;
  }
  if (quoted)
    throw new FormatError(`${fn}: ${source} ends inside a quoted field`, { fn, arg: source });
  if (field !== '' || record.length > 0) endRecord();
  const [header, ...rows] = records;
  if (header === undefined || header.every((h) => h === ''))
    throw new FormatError(`${fn}: ${source} has no header row`, { fn, arg: source });
  rows.forEach((row, r) => {
    if (row.length !== header.length)
      throw new FormatError(
        `${fn}: ${source} data row ${r + 1} has ${row.length} fields, the header has ${header.length}`,
        { fn, arg: source },
      );
  });
  return { header, rows };
}
