import { constants } from 'node:buffer';
import {
  type CsvTable,
  checkOneOf,
  csvColumnKeys,
  decimalNumber,
  decodeCsvText,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
  parseCsv,
  readSourceBytes,
  UnsupportedError,
  withDefaults,
} from '@cellshape/core';
import type { CentroidFormat, CentroidRow, CentroidTable } from './centroid-table.js';
import { findColumn, GENERIC_COLUMNS, type PickedColumns, TABLE_FORMATS } from './table-formats.js';

/** Options of {@link parseCentroidTable} and {@link readCentroidTable}. */
export interface CentroidTableOptions {
  /** `'auto'` (default): detected from the header (see {@link parseCentroidTable}). */
  format?: CentroidFormat | 'auto';
  /**
   * Column names overriding the format's: `x`, `y` (the centre), `id`, `frame`, `image`.
   * Default `{}`. A named column that does not exist throws, listing the columns there are.
   */
  columns?: { x?: string; y?: string; id?: string; frame?: string; image?: string };
  /**
   * The unit of x and y when neither the format nor the file states it. Default `'pixel'`.
   * TrackMate states it in its units row (a TrackMate table without one is refused unless
   * this is given: its positions are in the image's calibrated unit); Usiigaci `x`/`y` are µm.
   */
  unit?: string;
  /** What the text is (its file name), named in errors. Default `'the table'`. */
  source?: string;
}

/** Defaults of {@link CentroidTableOptions}. */
export const DEFAULT_CENTROID_TABLE_OPTIONS: Readonly<Required<CentroidTableOptions>> = {
  format: 'auto',
  columns: {},
  unit: 'pixel',
  source: 'the table',
};

/** The column a role reads, checked against the header; `arg` names the option in errors. */
function requireColumn(fn: string, header: string[], name: string, arg: string, source: string) {
  if (header.includes(name)) return name;
  throw new InvalidArgumentError(
    `${fn}: '${arg}' names column ${JSON.stringify(name)}, which ${source} does not have; its columns are ${header.map((h) => JSON.stringify(h)).join(', ')}`,
    { fn, arg },
  );
}

/** Picks the columns of the requested or detected format, then applies `options.columns`. */
function pickColumns(
  fn: string,
  header: string[],
  format: CentroidFormat | 'auto',
  overrides: CentroidTableOptions['columns'] & object,
  source: string,
): { format: CentroidFormat; picked: PickedColumns; idsAreLabels: boolean } {
  const known =
    format === 'auto'
      ? TABLE_FORMATS.find((f) => f.pick(header))
      : TABLE_FORMATS.find((f) => f.name === format);
  let picked = known?.pick(header);
  if (picked?.otherObjects && [overrides.x, overrides.y, overrides.id].includes(undefined))
    throw new FormatError(
      `${fn}: ${source} holds the centres of several CellProfiler objects (${picked.otherObjects.map((p) => p.replace(/_$/, '') || '(unprefixed)').join(', ')}); pass options.columns { x, y, id } to say which, e.g. { x: '${picked.otherObjects[1]}${picked.x.slice(picked.otherObjects[0]!.length)}', … }`,
      { fn, arg: 'options.columns' },
    );
  if (known && !picked && format !== 'auto')
    throw new FormatError(
      `${fn}: ${source} is not a ${format} table (its columns are ${header.join(', ')}); pass options.format 'auto' or 'columns' with options.columns`,
      { fn, arg: 'options.format' },
    );
  const generic = (role: keyof typeof GENERIC_COLUMNS) =>
    findColumn(header, ...GENERIC_COLUMNS[role]);
  if (!picked) {
    const x = overrides.x ?? generic('x');
    const y = overrides.y ?? generic('y');
    if (x === undefined || y === undefined)
      throw new FormatError(
        `${fn}: cannot tell which columns of ${source} hold the centres (columns: ${header.join(', ')}); pass options.columns { x, y }`,
        { fn, arg: 'options.columns' },
      );
    // scikit-image names a 3D table's centres centroid-0, -1, -2 (z, y, x): its centroid-1 and
    // centroid-0 are y and z, not the x and y of a 2D table.
    const guessed = [overrides.x === undefined ? x : '', overrides.y === undefined ? y : ''];
    if (
      findColumn(header, 'centroid-2') !== undefined &&
      guessed.some((name) => /^centroid-[01]$/i.test(name))
    )
      throw new FormatError(
        `${fn}: ${source} is a 3D scikit-image table (centroid-0, -1, -2 are z, y, x); pass options.columns { x, y } to say which columns are the 2D centre`,
        { fn, arg: 'options.columns' },
      );
    picked = { x, y };
    for (const role of ['id', 'frame', 'image'] as const) {
      const found = generic(role);
      if (found !== undefined) picked[role] = found;
    }
  }
  const chosen: PickedColumns = { ...picked };
  delete chosen.otherObjects;
  for (const role of ['x', 'y', 'id', 'frame', 'image'] as const) {
    const name = overrides[role];
    if (name !== undefined) chosen[role] = name;
    const column = chosen[role];
    if (column !== undefined) requireColumn(fn, header, column, `options.columns.${role}`, source);
  }
  // Row numbers are not label ids: only a real id column can name labels.
  const idsAreLabels = chosen.id !== undefined && (known?.idsAreLabels ?? true);
  if (overrides.x !== undefined || overrides.y !== undefined) delete chosen.unit;
  return { format: known?.name ?? 'columns', picked: chosen, idsAreLabels };
}

/**
 * TrackMate writes three rows under the header (feature names, short names, units) and older
 * exports none; pandas-written tables none. Leading rows whose x and y are both text (not a
 * number, nor a missing value such as `nan` or an empty field) are dropped (three at most); the
 * unit of x is read from the last of them, e.g. `(micron)`. A row with one centre coordinate a
 * number is data (`0x10,25.05` was dropped as a title, its `0x10` read as the unit).
 */
function dropTitleRows(
  table: CsvTable,
  xColumn: string,
  yColumn: string,
): { rows: string[][]; unit?: string } {
  const [c, cy] = [table.header.indexOf(xColumn), table.header.indexOf(yColumn)];
  let skip = 0;
  while (
    skip < 3 &&
    skip < table.rows.length &&
    isTitle(table.rows[skip]![c]!) &&
    isTitle(table.rows[skip]![cy]!)
  )
    skip++;
  if (skip === 0) return { rows: table.rows };
  const unit = table.rows[skip - 1]![c]!.trim().replace(/^\((.*)\)$/, '$1');
  return { rows: table.rows.slice(skip), unit: unit === '' ? undefined : unit };
}

/** Text pandas reads as a number, finite or not (`1e400` and `-inf` are numbers too). */
const isNumber = (text: string): boolean =>
  text.trim() !== '' &&
  (!Number.isNaN(decimalNumber(text)) || /^[+-]?inf(?:inity)?$/i.test(text.trim()));

/**
 * A title row's x: text that is neither a number nor a missing value (as pandas spells them: a
 * data row whose centre is missing was dropped as a title row, its `nan` read as the unit; one
 * whose centre overflows, `1e400`, too).
 */
const isTitle = (text: string): boolean =>
  !isNumber(text) && !/^(?:|-?nan|na|n\/a|#n\/a|null|none|<na>)$/i.test(text.trim());

function normaliseUnit(unit: string): string {
  if (/^(microns?|µm|μm|um|\\u00B5m)$/i.test(unit)) return 'µm';
  if (/^pixels?$/i.test(unit)) return 'pixel';
  return unit;
}

/** Reads one row's values, with errors naming the column and the line. */
function readRow(
  fn: string,
  source: string,
  keys: string[],
  row: string[],
  line: number,
  picked: PickedColumns,
): CentroidRow {
  const metadata: Record<string, string> = {};
  keys.forEach((name, c) => {
    // A column named `__proto__` stays an own key (assigned, it would vanish).
    if (name === '__proto__')
      Object.defineProperty(metadata, name, {
        value: row[c]!,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else metadata[name] = row[c]!;
  });
  const number = (column: string, integer: boolean): number => {
    const text = metadata[column]!;
    const value = decimalNumber(text);
    if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
      throw new FormatError(
        `${fn}: ${source} row ${line}: column ${JSON.stringify(column)} holds ${JSON.stringify(text)}, expected ${integer ? 'an integer' : 'a finite number'}`,
        { fn, arg: column },
      );
    return value;
  };
  const out: CentroidRow = {
    x: number(picked.x, false),
    y: number(picked.y, false),
    id: picked.id !== undefined ? number(picked.id, true) : line,
    metadata,
  };
  if (picked.frame !== undefined) out.frame = number(picked.frame, true);
  if (picked.image !== undefined) out.image = metadata[picked.image]!;
  return out;
}

/**
 * Parses a centroid table from CSV text. Formats, detected from the header (`'auto'`) or forced
 * with `options.format`:
 * * `'cellprofiler'` — per-object CSV of ExportToSpreadsheet: `ImageNumber`, `ObjectNumber`,
 *   `Location_Center_X/Y` (else `AreaShape_Center_X/Y`), possibly prefixed by the object name
 *   (`Nuclei_Location_Center_X`); pixels.
 * * `'trackmate'` — spots CSV: `POSITION_X/Y` (calibrated, unit from the units row), `ID`,
 *   `FRAME`; `TRACK_ID` and the rest kept as metadata. The three title rows are skipped.
 * * `'usiigaci'` — `tracks.csv`: `particle`, `frame`, and `wtd_x/wtd_y` (pixels) when present,
 *   else `x/y` (µm).
 * * `'columns'` — any other CSV: `options.columns`, else common names (`x`/`y`,
 *   `centroid-1`/`centroid-0` of scikit-image, `id`/`label`, `frame`, `image`/`filename`).
 *
 * Every column is kept in each row's `metadata` (a repeated name's later columns as `x.1`,
 * `x.2`, …; the first is the one read, as in pandas).
 *
 * @throws InvalidArgumentError naming the option when a named column does not exist (the message
 *   lists the columns there are); FormatError for malformed CSV, an undetectable format or a
 *   value that is not a number.
 */
export function parseCentroidTable(text: string, options?: CentroidTableOptions): CentroidTable {
  const fn = 'parseCentroidTable';
  return parseWith(fn, text, options);
}

function parseWith(fn: string, text: string, options?: CentroidTableOptions): CentroidTable {
  if (typeof text !== 'string') throw invalidArgument(fn, 'text', 'CSV text (a string)', text);
  const resolved = withDefaults(fn, DEFAULT_CENTROID_TABLE_OPTIONS, options);
  checkOneOf(fn, 'options.format', resolved.format, [
    'auto',
    'cellprofiler',
    'trackmate',
    'usiigaci',
    'columns',
  ]);
  if (resolved.columns === null || typeof resolved.columns !== 'object')
    throw invalidArgument(fn, 'options.columns', 'an object of column names', resolved.columns);
  const { source } = resolved;
  const csv = parseCsv(text, { source, caller: fn });
  const { format, picked, idsAreLabels } = pickColumns(
    fn,
    csv.header,
    resolved.format,
    resolved.columns,
    source,
  );
  const { rows, unit: stated } = dropTitleRows(csv, picked.x, picked.y);
  const { unit, ...used } = picked;
  // TrackMate positions are in the image's calibrated unit, which only the units row states:
  // read as pixels, µm positions put every crop in the wrong place.
  if (format === 'trackmate' && stated === undefined && options?.unit === undefined)
    throw new FormatError(
      `${fn}: ${source} is a TrackMate table without its units row (older versions write the header only), so the unit of POSITION_X/Y is unknown; pass options.unit ('pixel', 'µm', …)`,
      { fn, arg: 'options.unit' },
    );
  const keys = csvColumnKeys(csv.header);
  return {
    format,
    columns: csv.header,
    used,
    unit: normaliseUnit(unit ?? stated ?? resolved.unit),
    idsAreLabels,
    // Row numbers in errors count data rows from 1, after any title rows.
    rows: rows.map((row, r) => readRow(fn, source, keys, row, r + 1, picked)),
  };
}

/**
 * Reads a centroid table from a CSV file ({@link parseCentroidTable}); errors name the file.
 *
 * @throws FileSystemError when the file cannot be read; otherwise as {@link parseCentroidTable}.
 */
export function readCentroidTable(path: string, options?: CentroidTableOptions): CentroidTable {
  const fn = 'readCentroidTable';
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument(fn, 'path', 'a non-empty path', path);
  const { text, where } = readCsvFile(fn, path);
  return parseWith(fn, text, { source: where, ...options });
}

/**
 * The text of the CSV file at `path` for reader `fn`: a regular file only (a FIFO would block for
 * ever), its BOM kept for parseCsv to drop. Text past the longest string V8 makes (2^29 − 24
 * characters, ~512 MiB) is an `UnsupportedError`, not the plain `Error` decoding throws.
 */
export function readCsvFile(fn: string, path: string): { text: string; where: string } {
  const { bytes, where } = readSourceBytes(fn, path);
  if (bytes.length > constants.MAX_STRING_LENGTH)
    throw new UnsupportedError(
      `${fn}: ${where} holds ${bytes.length} bytes, more than the ${constants.MAX_STRING_LENGTH} characters a string can hold`,
      { fn, arg: path },
    );
  return { text: decodeCsvText(bytes), where };
}
