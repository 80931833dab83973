import {
  checkObject,
  decimalNumber,
  encodeNpy,
  FormatError,
  formatFloat32,
  invalidArgument,
  parseNpy,
  readSourceBytes,
  writeFileAtomic,
} from '@cellshape/core';
import { formatFromExtension, outputFormat } from '../file-format.js';
import { decodeText, FLOAT32_LIMIT } from '../mesh/mesh-build.js';
import { encodePly, parsePly } from '../mesh/ply.js';
import type { AxisOrder, PointCloud } from '../types.js';
import { checkPointCloud } from './check-cloud.js';

/**
 * Point-cloud files: PLY, CSV and NumPy `.npy`.
 *
 * **Axis order.** A cloud in memory is always x, y, z per point. `axisOrder` says what the
 * three coordinate columns of the *file* hold: `'xyz'` (default) or `'zyx'` (image axes, the
 * first column is z). For PLY the columns are the properties named `x`, `y`, `z` (so a
 * `'zyx'` PLY stores image z under the name `x`); for `.npy` and header-less CSV they are the
 * columns in order. A CSV with a header names its columns, and the names decide: a header
 * `z,y,x` is read correctly whatever `axisOrder` says.
 */

/** Point-cloud file formats. */
export type PointCloudFormat = 'ply' | 'csv' | 'npy';

const FORMATS: readonly PointCloudFormat[] = ['ply', 'csv', 'npy'];

/** Options of {@link parsePointCloud} and {@link readPointCloud}. */
export interface ReadPointCloudOptions {
  /** The file format; default: from the extension, else sniffed (PLY, `.npy` magic, else CSV). */
  format?: PointCloudFormat;
  /** The order of the coordinates in the file; default `'xyz'`. */
  axisOrder?: AxisOrder;
}

/** Options of {@link encodePointCloud} and {@link writePointCloud}. */
export interface EncodePointCloudOptions {
  /** The file format; for {@link writePointCloud} the default is the path's extension. */
  format?: PointCloudFormat;
  /** The order of the coordinates written to the file; default `'xyz'`. */
  axisOrder?: AxisOrder;
  /** PLY only: an ASCII body instead of binary little-endian; default `false`. */
  ascii?: boolean;
}

/** Defaults of the point-cloud I/O options. */
export const DEFAULT_POINT_CLOUD_IO_OPTIONS = { axisOrder: 'xyz', ascii: false } as const;

function checkFormat(fn: string, arg: string, format: unknown): PointCloudFormat {
  if (!FORMATS.includes(format as PointCloudFormat))
    throw invalidArgument(fn, arg, `one of ${FORMATS.join(', ')}`, format);
  return format as PointCloudFormat;
}

function checkAxisOrder(fn: string, axisOrder: unknown): AxisOrder {
  if (axisOrder !== 'xyz' && axisOrder !== 'zyx')
    throw invalidArgument(fn, 'options.axisOrder', "'xyz' or 'zyx'", axisOrder);
  return axisOrder;
}

function sniffFormat(bytes: Uint8Array): PointCloudFormat {
  if (bytes[0] === 0x93 && bytes[1] === 0x4e && bytes[2] === 0x55) return 'npy';
  if (bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79) return 'ply';
  return 'csv';
}

/** Swaps columns 0 and 2 of an n × 3 array in place (z, y, x ↔ x, y, z). */
function swapXZ(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i += 3) {
    const t = values[i] as number;
    values[i] = values[i + 2] as number;
    values[i + 2] = t;
  }
  return values;
}

/**
 * Values are checked after rounding to float32, the stored type: a finite double beyond ±3.4e38
 * (such as 1e39) would otherwise be stored as ±Infinity.
 */
function nonFinite(v: number, where: string): string {
  return Number.isFinite(v)
    ? `the value ${v} ${where} is outside the float32 range`
    : `the non-finite value ${v} ${where}`;
}

/** Interleaves three columns into an n × 3 Float32Array, checking every value is finite. */
function interleave(
  columns: ArrayLike<number>[],
  n: number,
  fail: (message: string) => FormatError,
): Float32Array {
  const out = new Float32Array(n * 3);
  for (let k = 0; k < 3; k++) {
    const column = columns[k] as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const v = column[i] as number;
      if (!(Math.abs(v) < FLOAT32_LIMIT)) throw fail(nonFinite(v, `at point ${i}`));
      out[3 * i + k] = v;
    }
  }
  return out;
}

function parsePlyCloud(bytes: Uint8Array, fn: string, source: string): PointCloud {
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not a PLY point cloud: ${message}`, { fn, arg: source });
  const vertex = parsePly(bytes, ['vertex'], fn, source).elements.get('vertex');
  if (vertex === undefined) throw fail("it has no 'vertex' element");
  const xyz = ['x', 'y', 'z'].map((name) => vertex.scalars.get(name));
  if (xyz.some((c) => c === undefined)) throw fail("the vertices lack 'x', 'y' or 'z'");
  const cloud: PointCloud = {
    data: interleave(xyz as Float64Array[], vertex.count, fail),
    shape: [vertex.count, 3],
  };
  const normals = ['nx', 'ny', 'nz'].map((name) => vertex.scalars.get(name));
  if (normals.every((c) => c !== undefined))
    cloud.normals = interleave(normals as Float64Array[], vertex.count, fail);
  return cloud;
}

/** Whether char code `c` is white space as `\s` of a regular expression matches it. */
function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * What separates the fields of a CSV point cloud, as its first line shows, as pandas is told:
 * `','` — a `,` or `;` (`sep=','`; white space around a field is not part of it), `'\t'` — a
 * tab (`sep='\t'`: two tabs hold an empty field, spaces stay in their field), `' '` — a run of
 * white space holding a space or a tab (`delim_whitespace=True`). One splitter for all three
 * read `0.48,0.299 0218` (a comma lost) as three values, 218 among them, and cut an unquoted
 * `wild type` or `Point ID` in two.
 */
type Separator = ',' | '\t' | ' ';

/** The separator of a file whose first line (outside quotes) is `line`. */
function separatorOf(line: string): Separator {
  const unquoted = line.replace(/"[^"]*"?/g, '');
  return /[,;]/.test(unquoted) ? ',' : unquoted.includes('\t') ? '\t' : ' ';
}

/**
 * How the lines of `text` split into fields: natively on text whose white space is spaces and
 * tabs only (one search of the text, for other white space, a lone \r included, decides); with
 * {@link splitFields} otherwise, and for quoted fields (they may hold separators).
 */
function lineSplitter(text: string, separator: Separator): (line: string) => string[] {
  if (/[^\S \t\r\n]|\r(?!\n)|"/.test(text)) return (line) => splitFields(line, separator);
  if (separator === ' ') return (line) => line.trim().split(/[ \t]+/);
  const at = separator === ',' ? /[,;]/ : '\t';
  return (line) => line.split(at).map((field) => field.trim());
}

/**
 * The fields of a CSV point-cloud line, in one pass (regular expressions backtracked over runs
 * of white space: quadratic, 40 KB took 2 s). A field that starts with `"` runs to its closing
 * quote (`""` is a quote inside), separators included, and is unquoted: pandas quotes text
 * holding a comma and, with `QUOTE_NONNUMERIC`, numbers (a quoted comma shifted the columns
 * after it). White space around a field is dropped, except tabs in a tab-separated line.
 */
function splitFields(line: string, separator: Separator): string[] {
  const blank = (c: number) => isSpace(c) && (separator !== '\t' || c !== 9);
  const skipBlank = (from: number): number => {
    let j = from;
    while (j < line.length && blank(line.charCodeAt(j))) j++;
    return j;
  };
  const fields: string[] = [];
  let start = skipBlank(0);
  let i = start;
  let end = start; // the end of the field's text, white space after it excluded
  for (;;) {
    const c = line.charCodeAt(i);
    if (i >= line.length || separatesAt(line, i, separator)) {
      fields.push(unquote(line.slice(start, end)));
      if (i >= line.length) return fields;
      // A run of white space is one separator.
      start = skipBlank(separator === ' ' ? i : i + 1);
      i = start;
      end = start;
      if (start >= line.length && separator === ' ') return fields;
    } else if (c === QUOTE && i === start) {
      i = afterQuoted(line, i);
      end = i;
    } else {
      i++;
      if (!blank(c)) end = i;
    }
  }
}

/** Whether a separator starts at `i` of `line` (outside a quoted field). */
function separatesAt(line: string, i: number, separator: Separator): boolean {
  const c = line.charCodeAt(i);
  if (separator === ',') return c === 44 || c === 59;
  if (separator === '\t') return c === 9;
  return c === 32 || c === 9;
}

const QUOTE = 34;

/** The index after the quoted part that opens at `from` (the line's end if it is not closed). */
function afterQuoted(line: string, from: number): number {
  let i = from + 1;
  for (;;) {
    const q = line.indexOf('"', i);
    if (q < 0) return line.length;
    if (line.charCodeAt(q + 1) !== QUOTE) return q + 1;
    i = q + 2;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Whether a row, outside quotes, has a comma between two digits beside another separator (a `;`,
 * a tab, or spaces between two digits): a decimal comma (`1,5;2,5;3,5`, `1,5 2,5 3,5`) or a
 * thousands separator, whose numbers splitting at every comma reads as others ([1, 5, 2]). Such a
 * row cannot be read as the file means it, with or without a header.
 */
function hasDecimalComma(row: string): boolean {
  let quoted = false;
  let comma = false;
  let other = false;
  for (let i = 0; i < row.length; i++) {
    const c = row.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) comma ||= isDigit(row.charCodeAt(i - 1)) && isDigit(row.charCodeAt(i + 1));
    else if (c === 59 || c === 9) other = true;
    else if (c === 32 && isDigit(row.charCodeAt(i - 1))) {
      let j = i + 1;
      while (row.charCodeAt(j) === 32) j++;
      if (isDigit(row.charCodeAt(j))) other = true;
      i = j - 1;
    }
  }
  return comma && other;
}

const isBlank = (c: number): boolean => c === 32 || c === 9;

/**
 * Whether a row has, between two fields, a run of two or more spaces or tabs with no `,` or `;`
 * beside it: one separator to the white-space splitter, two around an empty field to a writer
 * of space-separated text.
 */
function hasWideBlankSeparator(row: string): boolean {
  const text = row.trim();
  for (let i = 1; i < text.length; i++) {
    if (!isBlank(text.charCodeAt(i))) continue;
    let j = i + 1;
    while (isBlank(text.charCodeAt(j))) j++;
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(j);
    if (j - i >= 2 && before !== 44 && before !== 59 && after !== 44 && after !== 59) return true;
    i = j;
  }
  return false;
}

/**
 * Whether a first line is the column names pandas gives an unnamed frame (`0,1,2`, from
 * `pd.DataFrame(points).to_csv(path, index=False)`): read as a point, it added (0, 1, 2).
 */
const isPandasDefaultHeader = (words: string[]): boolean =>
  words.length >= 3 && words.every((word, i) => word === String(i));

/** A field without its surrounding quotes, `""` read as `"`; other fields as they are. */
function unquote(field: string): string {
  return field.length >= 2 && field.charCodeAt(0) === QUOTE && field.endsWith('"')
    ? field.slice(1, -1).replaceAll('""', '"')
    : field;
}

/** The first line of a CSV point cloud (its header, or its first row) as rows must match it. */
interface HeaderShape {
  /** Its field count. */
  width: number;
  separator: Separator;
  /** What messages call it: `'the header'` or `'the first line'`. */
  name: string;
}

/**
 * What is wrong with the fields of a CSV point-cloud row, if anything: too few for the columns
 * read (`width`), or separators that would shift them.
 */
function rowProblem(
  row: string,
  words: string[],
  width: number,
  header: HeaderShape,
): string | undefined {
  if (words.length < width) return `has ${words.length} columns, expected at least ${width}`;
  // A row of more fields than the header (or, without one, the first line) has separators it
  // has not (a decimal comma in `1,5;2,5;3,5`): the columns after one would be read shifted.
  if (words.length > header.width)
    return `has ${words.length} fields, ${header.name} has ${header.width} (a decimal comma, or a separator inside an unquoted field?)`;
  // In a white-space separated file, fewer fields than the header and two blanks in a row: an
  // empty field between two spaces (pandas' `sep=' '`) read as one separator — the columns
  // after it would shift.
  if (header.separator === ' ' && words.length < header.width && hasWideBlankSeparator(row))
    return `has ${words.length} fields, ${header.name} has ${header.width} (an empty field between two spaces?)`;
  if (words.length > width && hasDecimalComma(row))
    return `has a comma between digits beside other separators (a decimal comma or a thousands separator?): ${JSON.stringify(row.slice(0, 80))}`;
  return undefined;
}

function parseCsvCloud(
  bytes: Uint8Array,
  fn: string,
  source: string,
  axisOrder: AxisOrder,
): PointCloud {
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not a CSV point cloud: ${message}`, { fn, arg: source });
  const text = decodeText(bytes, 'utf-8', fn, source);
  // A lone \r ends a line too, as in pandas and parseCsv (classic Mac and some Excel exports):
  // read as one header line, `x,y,z,nx,ny,nz\r1,2,3,…` gave a cloud of zero points.
  const lines = text.split(/\r\n|\r|\n/);
  // Blank lines before the header are skipped, as pandas skips them (read as a first row of no
  // header, the header after them was refused as a row of text).
  const top = lines.findIndex((line) => line.trim() !== '');
  // Not even a header: an empty file (a failed write) is no cloud of zero points.
  if (top < 0) throw fail('it is empty');
  const separator = separatorOf(lines[top] as string);
  const split = lineSplitter(text, separator);
  // Checked before the header is told from a row: `1,5\t2,5\t3,5` splits into text.
  if (hasDecimalComma(lines[top] as string))
    throw fail(
      `row 1 has a comma between digits beside other separators (a decimal comma or a thousands separator?): ${JSON.stringify((lines[top] as string).slice(0, 80))}`,
    );
  const first = split(lines[top] as string);
  const hasHeader = first.some((word) => word !== '' && Number.isNaN(Number(word)));
  if (!hasHeader && isPandasDefaultHeader(first))
    throw fail(
      `its first line ${JSON.stringify(lines[top])} may be pandas' default column names or a point; write the file with a header naming x, y and z`,
    );
  let xyz = [0, 1, 2];
  let normals: number[] | undefined;
  let order = axisOrder;
  if (hasHeader) {
    const names = first.map((w) => w.replace(/^["']|["']$/g, '').toLowerCase());
    xyz = ['x', 'y', 'z'].map((name) => names.indexOf(name));
    if (xyz.some((i) => i < 0))
      throw fail(`the header ${JSON.stringify(lines[top])} does not name columns x, y and z`);
    const n = ['nx', 'ny', 'nz'].map((name) => names.indexOf(name));
    if (n.every((i) => i >= 0)) normals = n;
    // The header names the axes, so the columns are already x, y, z after mapping.
    order = 'xyz';
  }
  const rows = lines.slice(hasHeader ? top + 1 : top).filter((line) => line.trim() !== '');
  const width = Math.max(...xyz, ...(normals ?? [])) + 1;
  const header: HeaderShape = {
    width: first.length,
    separator,
    name: hasHeader ? 'the header' : 'the first line',
  };
  const data = new Float32Array(rows.length * 3);
  const normalData = normals ? new Float32Array(rows.length * 3) : undefined;
  rows.forEach((row, r) => {
    const words = split(row);
    const problem = rowProblem(row, words, width, header);
    if (problem !== undefined) throw fail(`row ${r + 1} ${problem}`);
    const put = (target: Float32Array, columns: number[]) => {
      for (let k = 0; k < 3; k++) {
        const word = words[columns[k] as number] as string;
        const value = decimalNumber(word);
        if (word === '' || !(Math.abs(value) < FLOAT32_LIMIT))
          throw fail(
            `row ${r + 1} has the value ${JSON.stringify(word)} (not a finite float32 number)`,
          );
        target[3 * r + k] = value;
      }
    };
    put(data, xyz);
    if (normalData && normals) put(normalData, normals);
  });
  const cloud: PointCloud = { data, shape: [rows.length, 3] };
  if (normalData) cloud.normals = normalData;
  return order === 'zyx' ? swapCloud(cloud) : cloud;
}

function parseNpyCloud(bytes: Uint8Array, fn: string, source: string): PointCloud {
  const fail = (message: string) =>
    new FormatError(`${fn}: ${source} is not an n × 3 .npy point cloud: ${message}`, {
      fn,
      arg: source,
    });
  let array: ReturnType<typeof parseNpy>;
  try {
    array = parseNpy(bytes);
  } catch (error) {
    throw new FormatError(
      `${fn}: ${source} is not a valid .npy file: ${(error as Error).message}`,
      {
        fn,
        arg: source,
        cause: error,
      },
    );
  }
  if (array.shape.length !== 2 || array.shape[1] !== 3)
    throw fail(`its shape is [${array.shape.join(', ')}]`);
  if (array.data instanceof BigInt64Array || array.data instanceof BigUint64Array)
    throw fail('it holds 64-bit integers; save float32 or float64 coordinates');
  const n = array.shape[0] as number;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i++) {
    const v = array.data[i] as number;
    if (!(Math.abs(v) < FLOAT32_LIMIT)) throw fail(nonFinite(v, `at point ${Math.floor(i / 3)}`));
    data[i] = v;
  }
  return { data, shape: [n, 3] };
}

/** Swaps x and z of the points and normals (a copy when called on a caller's cloud). */
function swapCloud(cloud: PointCloud): PointCloud {
  const out: PointCloud = { data: swapXZ(cloud.data), shape: [cloud.shape[0], 3] };
  if (cloud.normals) out.normals = swapXZ(cloud.normals);
  return out;
}

function parseAs(
  fn: string,
  bytes: Uint8Array,
  format: PointCloudFormat,
  axisOrder: AxisOrder,
  source: string,
): PointCloud {
  switch (format) {
    case 'ply': {
      const cloud = parsePlyCloud(bytes, fn, source);
      return axisOrder === 'zyx' ? swapCloud(cloud) : cloud;
    }
    case 'csv':
      return parseCsvCloud(bytes, fn, source, axisOrder);
    case 'npy': {
      const cloud = parseNpyCloud(bytes, fn, source);
      return axisOrder === 'zyx' ? swapCloud(cloud) : cloud;
    }
    default: {
      const never: never = format;
      throw invalidArgument(fn, 'format', 'a point-cloud format', never);
    }
  }
}

/**
 * Parses point-cloud bytes. PLY: the `vertex` element's `x`, `y`, `z` of any type (float,
 * double, integers), ASCII or binary, extra properties and other elements (faces) ignored,
 * normals read when `nx`, `ny`, `nz` are all present. CSV: separated as its first line is — by
 * commas or semicolons, else tabs, else runs of white space (pandas' `sep=','`, `sep='\t'`,
 * `delim_whitespace=True`) — with a header naming x, y, z (any order, optional nx, ny, nz) or
 * none. `.npy`:
 * an n × 3 numeric array. Corrupt data and non-finite values throw a `FormatError`.
 */
export function parsePointCloud(
  bytes: Uint8Array,
  format: PointCloudFormat,
  options: Omit<ReadPointCloudOptions, 'format'> = {},
): PointCloud {
  const fn = 'parsePointCloud';
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  checkObject(fn, 'options', options);
  const axisOrder = checkAxisOrder(
    fn,
    options.axisOrder ?? DEFAULT_POINT_CLOUD_IO_OPTIONS.axisOrder,
  );
  return parseAs(fn, bytes, checkFormat(fn, 'format', format), axisOrder, "'bytes'");
}

/** Reads a point cloud from a path or bytes; see {@link parsePointCloud} for the formats. */
export function readPointCloud(
  source: string | Uint8Array,
  options: ReadPointCloudOptions = {},
): PointCloud {
  const fn = 'readPointCloud';
  checkObject(fn, 'options', options);
  const axisOrder = checkAxisOrder(
    fn,
    options.axisOrder ?? DEFAULT_POINT_CLOUD_IO_OPTIONS.axisOrder,
  );
  if (options.format !== undefined) checkFormat(fn, 'options.format', options.format);
  if (typeof source === 'string') {
    const { bytes, where } = readSourceBytes(fn, source);
    const format = options.format ?? formatFromExtension(source, FORMATS) ?? sniffFormat(bytes);
    return parseAs(fn, bytes, format, axisOrder, where);
  }
  if (!(source instanceof Uint8Array))
    throw invalidArgument(fn, 'source', 'a path or a Uint8Array', source);
  return parseAs(fn, source, options.format ?? sniffFormat(source), axisOrder, "'source'");
}

/**
 * Encodes a point cloud. PLY is written as the Python cellshape tools (pyntcloud) write it:
 * binary little-endian, `element vertex N`, `property float x/y/z` (plus `nx/ny/nz` when the
 * cloud has normals), or ASCII with `{ ascii: true }`. CSV has a header (`x,y,z` or `z,y,x`
 * for `axisOrder: 'zyx'`, then `nx,ny,nz`); `.npy` is float32 n × 3 (normals are not stored).
 */
export function encodePointCloud(cloud: PointCloud, options: EncodePointCloudOptions): Uint8Array {
  const fn = 'encodePointCloud';
  const n = checkPointCloud(fn, 'cloud', cloud);
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(fn, 'options', "an object with 'format'", options);
  const format = checkFormat(fn, 'options.format', options.format);
  const axisOrder = checkAxisOrder(
    fn,
    options.axisOrder ?? DEFAULT_POINT_CLOUD_IO_OPTIONS.axisOrder,
  );
  const ascii = options.ascii ?? DEFAULT_POINT_CLOUD_IO_OPTIONS.ascii;
  if (typeof ascii !== 'boolean') throw invalidArgument(fn, 'options.ascii', 'a boolean', ascii);
  const file =
    axisOrder === 'zyx'
      ? swapCloud({
          data: cloud.data.slice(),
          shape: cloud.shape,
          ...(cloud.normals ? { normals: cloud.normals.slice() } : {}),
        })
      : cloud;
  switch (format) {
    case 'ply': {
      // A plain strided copy, no callback per value: this runs for every converted object.
      const column = (values: Float32Array, k: number) => {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = values[3 * i + k]!;
        return out;
      };
      const columns = ['x', 'y', 'z'].map((name, k) => ({
        name,
        type: 'float' as const,
        values: column(file.data, k),
      }));
      const { normals } = file;
      if (normals)
        columns.push(
          ...['nx', 'ny', 'nz'].map((name, k) => ({
            name,
            type: 'float' as const,
            values: column(normals, k),
          })),
        );
      return encodePly([{ name: 'vertex', count: n, columns }], ascii);
    }
    case 'csv': {
      const header = axisOrder === 'zyx' ? ['z', 'y', 'x'] : ['x', 'y', 'z'];
      if (file.normals) header.push(...header.map((axis) => `n${axis}`));
      const lines = [header.join(',')];
      for (let i = 0; i < n; i++) {
        const row = Array.from(file.data.subarray(3 * i, 3 * i + 3), formatFloat32);
        if (file.normals)
          row.push(...Array.from(file.normals.subarray(3 * i, 3 * i + 3), formatFloat32));
        lines.push(row.join(','));
      }
      return new TextEncoder().encode(`${lines.join('\n')}\n`);
    }
    case 'npy':
      return encodeNpy({ data: file.data, shape: [n, 3] });
    default: {
      const never: never = format;
      throw invalidArgument(fn, 'options.format', 'a point-cloud format', never);
    }
  }
}

/**
 * Writes a point cloud to `path` atomically; the format is `options.format`, else the
 * extension (`.ply`, `.csv`, `.npy`). See {@link encodePointCloud}.
 */
export async function writePointCloud(
  path: string,
  cloud: PointCloud,
  options: EncodePointCloudOptions = {},
): Promise<void> {
  const format = outputFormat('writePointCloud', path, options.format, FORMATS);
  await writeFileAtomic(path, encodePointCloud(cloud, { ...options, format }));
}
