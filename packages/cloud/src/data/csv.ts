import { FormatError } from '@cellshape/core';

/**
 * Minimal RFC 4180 CSV: comma-separated, fields optionally double-quoted (`""` inside quotes is
 * a quote), CRLF or LF line ends, a header row. Enough for metadata tables and feature exports.
 */

/** A parsed table: the header and the rows as objects keyed by column name. */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** Splits CSV text into records of fields. */
function splitRecords(text: string, fn: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field.length === 0) quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new FormatError(`${fn}: the CSV ends inside a quoted field`, { fn });
  if (field.length > 0 || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  // Blank lines carry no data.
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Parses CSV text with a header row; every row must have as many fields as the header. */
export function parseCsv(text: string, fn = 'parseCsv'): CsvTable {
  const records = splitRecords(text, fn);
  const header = records[0];
  if (!header) throw new FormatError(`${fn}: the CSV is empty (no header row)`, { fn });
  const columns = header.map((c) => c.trim());
  const rows = records.slice(1).map((record, r) => {
    if (record.length !== columns.length) {
      throw new FormatError(
        `${fn}: CSV row ${r + 2} has ${record.length} fields, the header has ${columns.length}`,
        { fn },
      );
    }
    const row: Record<string, string> = {};
    columns.forEach((column, c) => {
      row[column] = record[c]!;
    });
    return row;
  });
  return { columns, rows };
}

/** Quotes a CSV field when it holds a comma, quote or line break. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
