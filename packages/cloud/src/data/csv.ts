import { csvRecords, parseCsv as parseCsvTable } from '@cellshape/core';

export { csvField } from '@cellshape/core';

/** A metadata table: the column names and the rows as objects keyed by column name. */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/**
 * Parses a metadata CSV with a header row (core's {@link parseCsvTable} reader), keyed by column.
 * `fn` names the public function in error messages.
 */
export function parseCsv(text: string, fn = 'parseCsv'): CsvTable {
  const table = parseCsvTable(text, { caller: fn, source: 'the metadata CSV' });
  return { columns: table.header, rows: csvRecords(table) };
}
