import { decimalNumber, FormatError } from '@cellshape/core';
import { decodeText } from './mesh-build.js';

/**
 * A general PLY reader and a small writer, shared by mesh and point-cloud I/O. The reader
 * handles ASCII and binary (little and big endian) bodies, every scalar type, list properties
 * with any count type, and elements it is not asked for (they are parsed to be skipped).
 */

/** PLY scalar type names, with the legacy and the sized spellings. */
const TYPE_SIZES: Record<string, number> = {
  char: 1,
  int8: 1,
  uchar: 1,
  uint8: 1,
  short: 2,
  int16: 2,
  ushort: 2,
  uint16: 2,
  int: 4,
  int32: 4,
  uint: 4,
  uint32: 4,
  float: 4,
  float32: 4,
  double: 8,
  float64: 8,
};

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

const READERS: Record<string, Reader> = {
  char: (v, o) => v.getInt8(o),
  int8: (v, o) => v.getInt8(o),
  uchar: (v, o) => v.getUint8(o),
  uint8: (v, o) => v.getUint8(o),
  short: (v, o, le) => v.getInt16(o, le),
  int16: (v, o, le) => v.getInt16(o, le),
  ushort: (v, o, le) => v.getUint16(o, le),
  uint16: (v, o, le) => v.getUint16(o, le),
  int: (v, o, le) => v.getInt32(o, le),
  int32: (v, o, le) => v.getInt32(o, le),
  uint: (v, o, le) => v.getUint32(o, le),
  uint32: (v, o, le) => v.getUint32(o, le),
  float: (v, o, le) => v.getFloat32(o, le),
  float32: (v, o, le) => v.getFloat32(o, le),
  double: (v, o, le) => v.getFloat64(o, le),
  float64: (v, o, le) => v.getFloat64(o, le),
};

export type PlyFormat = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

export interface PlyProperty {
  name: string;
  type: string;
  /** Set for list properties: the type of the leading count. */
  countType?: string;
}

export interface PlyElementHeader {
  name: string;
  count: number;
  properties: PlyProperty[];
}

/** Values of one element: scalars by property name, lists as offsets (count + 1) into values. */
export interface PlyElementData {
  count: number;
  scalars: Map<string, Float64Array>;
  lists: Map<string, { offsets: Uint32Array; values: Float64Array }>;
}

export interface PlyData {
  format: PlyFormat;
  elements: Map<string, PlyElementData>;
}

function fail(fn: string, source: string, message: string): FormatError {
  return new FormatError(`${fn}: ${source} is not a valid PLY file: ${message}`, {
    fn,
    arg: source,
  });
}

/** Returns the byte index just after the `end_header` line, or throws. */
function headerEnd(bytes: Uint8Array, fn: string, source: string): number {
  const limit = Math.min(bytes.length, 1 << 20);
  const marker = [101, 110, 100, 95, 104, 101, 97, 100, 101, 114]; // "end_header"
  outer: for (let i = 0; i + marker.length <= limit; i++) {
    for (let k = 0; k < marker.length; k++) if (bytes[i + k] !== marker[k]) continue outer;
    // Only a line of its own ends the header: `comment … end_header` is still header.
    let b = i - 1;
    while (b >= 0 && (bytes[b] === 32 || bytes[b] === 9)) b--;
    if (b >= 0 && bytes[b] !== 10) continue;
    let j = i + marker.length;
    while (j < bytes.length && (bytes[j] === 32 || bytes[j] === 13)) j++;
    if (j >= bytes.length || bytes[j] !== 10) {
      // A header with no body at all is still valid when every element is empty.
      if (j >= bytes.length) return bytes.length;
      continue;
    }
    return j + 1;
  }
  throw fail(fn, source, "no 'end_header' line");
}

function parseHeader(
  text: string,
  fn: string,
  source: string,
): { format: PlyFormat; elements: PlyElementHeader[] } {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'ply') throw fail(fn, source, "it does not start with 'ply'");
  let format: PlyFormat | undefined;
  const elements: PlyElementHeader[] = [];
  // A name declared twice is refused (plyfile refuses a repeated property): read, the last
  // `x` or `vertex` silently replaced the first.
  const elementNames = new Set<string>();
  const propertyNames = new Set<string>();
  for (const raw of lines.slice(1)) {
    const words = raw.trim().split(/\s+/);
    const keyword = words[0];
    if (keyword === 'format') {
      const name = words[1];
      if (name !== 'ascii' && name !== 'binary_little_endian' && name !== 'binary_big_endian')
        throw fail(fn, source, `unknown format ${JSON.stringify(name)}`);
      format = name;
    } else if (keyword === 'element') {
      const count = decimalNumber(words[2]);
      if (words[1] === undefined || !Number.isSafeInteger(count) || count < 0)
        throw fail(
          fn,
          source,
          `bad element line ${JSON.stringify(raw)} (the count must be an integer in [0, 2^53))`,
        );
      if (elementNames.has(words[1]))
        throw fail(fn, source, `element '${words[1]}' is declared twice`);
      elementNames.add(words[1]);
      propertyNames.clear();
      elements.push({ name: words[1], count, properties: [] });
    } else if (keyword === 'property') {
      const element = elements.at(-1);
      if (element === undefined) throw fail(fn, source, 'a property comes before any element');
      const property: PlyProperty =
        words[1] === 'list'
          ? { name: words[4] ?? '', type: words[3] ?? '', countType: words[2] ?? '' }
          : { name: words[2] ?? '', type: words[1] ?? '' };
      const types = [property.type, property.countType ?? 'int'];
      // Own keys only: a type named `valueOf` or `__proto__` is no type.
      if (property.name === '' || types.some((t) => !Object.hasOwn(TYPE_SIZES, t)))
        throw fail(fn, source, `bad property line ${JSON.stringify(raw)}`);
      if (propertyNames.has(property.name))
        throw fail(
          fn,
          source,
          `element '${element.name}' declares property '${property.name}' twice`,
        );
      propertyNames.add(property.name);
      element.properties.push(property);
    } else if (keyword === 'end_header') {
      break;
    } else if (keyword !== 'comment' && keyword !== 'obj_info' && keyword !== '') {
      throw fail(fn, source, `unknown header line ${JSON.stringify(raw)}`);
    }
  }
  if (format === undefined) throw fail(fn, source, "no 'format' line");
  return { format, elements };
}

function allocate(header: PlyElementHeader, keep: boolean): PlyElementData {
  const data: PlyElementData = { count: header.count, scalars: new Map(), lists: new Map() };
  if (!keep) return data;
  for (const p of header.properties) {
    if (p.countType === undefined) data.scalars.set(p.name, new Float64Array(header.count));
    else
      data.lists.set(p.name, {
        offsets: new Uint32Array(header.count + 1),
        values: new Float64Array(header.count * 3),
      });
  }
  return data;
}

/** Appends a value to a growable list buffer. */
function pushList(list: { offsets: Uint32Array; values: Float64Array }, at: number, value: number) {
  if (at >= list.values.length) {
    const grown = new Float64Array(Math.max(16, list.values.length * 2));
    grown.set(list.values);
    list.values = grown;
  }
  list.values[at] = value;
}

function finishLists(data: PlyElementData): void {
  for (const list of data.lists.values())
    list.values = list.values.slice(0, list.offsets[data.count]);
}

/** How {@link readRows} reads the numbers of one row: in order, and where rows start and end. */
interface RowReader {
  read: (type: string) => number;
  /** Called before and after each row of an element with properties (ASCII: one per line). */
  startRow?: () => void;
  endRow?: () => void;
}

/**
 * A reader of an ASCII body, one element row per line as the format has them (blank lines are
 * skipped): a line of more or fewer numbers than its row's properties take is an error. Read
 * as one stream of numbers, an undeclared value on a line shifted every row after it.
 */
function asciiRows(text: string, fail: (message: string) => FormatError): RowReader {
  const lines = text.split(/\r\n|\r|\n/);
  let next = 0;
  let line = 0;
  let words: string[] = [];
  let position = 0;
  return {
    startRow() {
      while (next < lines.length) {
        const trimmed = (lines[next++] as string).trim();
        if (trimmed === '') continue;
        words = trimmed.split(/\s+/);
        position = 0;
        line = next;
        return;
      }
      throw fail('the body ends early (truncated file)');
    },
    read() {
      const word = words[position++];
      if (word === undefined)
        throw fail(`body line ${line} has ${words.length} values, fewer than its row takes`);
      const value = decimalNumber(word);
      if (Number.isNaN(value))
        throw fail(`the non-numeric value ${JSON.stringify(word)} in the body`);
      return value;
    },
    endRow() {
      if (position !== words.length)
        throw fail(
          `body line ${line} has ${words.length} values, more than its row takes (${position})`,
        );
    },
  };
}

/** Throws when the body is too short for the elements the header declares. */
function checkBodySize(
  elements: PlyElementHeader[],
  ascii: boolean,
  available: number,
  fail: (message: string) => FormatError,
): void {
  let needed = 0;
  for (const e of elements) {
    // A row with no properties takes no bytes, so nothing bounds its count: refuse it rather
    // than loop over billions of empty rows.
    if (e.properties.length === 0 && e.count > 0)
      throw fail(`element '${e.name}' declares ${e.count} rows but no properties`);
    // Each ASCII value takes at least two bytes (a digit and a separator); each binary row at
    // least its scalars and list counts.
    const row = e.properties.reduce(
      (sum, p) => sum + (ascii ? 2 : (TYPE_SIZES[p.countType ?? p.type] as number)),
      0,
    );
    needed += row * e.count;
  }
  if (needed > available + 1)
    throw fail(
      `the header declares more data than the ${available}-byte body holds (truncated file)`,
    );
}

/**
 * Parses a PLY file. Only the elements named in `keep` are stored; the others are read past.
 * `fn` and `source` name the caller and the file in error messages.
 */
export function parsePly(
  bytes: Uint8Array,
  keep: readonly string[],
  fn: string,
  source: string,
): PlyData {
  const bodyStart = headerEnd(bytes, fn, source);
  const { format, elements } = parseHeader(
    new TextDecoder('latin1').decode(bytes.subarray(0, bodyStart)),
    fn,
    source,
  );
  const failBody = (message: string) => fail(fn, source, message);
  checkBodySize(elements, format === 'ascii', bytes.length - bodyStart, failBody);
  const out =
    format === 'ascii'
      ? readAsciiBody(decodeText(bytes, 'latin1', fn, source, bodyStart), elements, keep, failBody)
      : readBinaryBody(
          bytes,
          bodyStart,
          elements,
          keep,
          format === 'binary_little_endian',
          failBody,
        );
  return { format, elements: out };
}

/** The kept elements of an ASCII body. */
function readAsciiBody(
  body: string,
  elements: readonly PlyElementHeader[],
  keep: readonly string[],
  failBody: (message: string) => FormatError,
): Map<string, PlyElementData> {
  const out = new Map<string, PlyElementData>();
  const rows = asciiRows(body, failBody);
  for (const element of elements) {
    const data = allocate(element, keep.includes(element.name));
    readRows(element, data, rows, failBody);
    finishLists(data);
    if (keep.includes(element.name)) out.set(element.name, data);
  }
  return out;
}

/** The kept elements of a binary body; fixed-size elements not kept are skipped undecoded. */
function readBinaryBody(
  bytes: Uint8Array,
  bodyStart: number,
  elements: readonly PlyElementHeader[],
  keep: readonly string[],
  le: boolean,
  failBody: (message: string) => FormatError,
): Map<string, PlyElementData> {
  const out = new Map<string, PlyElementData>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = bodyStart;
  const read = (type: string): number => {
    const size = TYPE_SIZES[type] as number;
    if (offset + size > bytes.length) throw failBody('the body ends early (truncated file)');
    const value = (READERS[type] as Reader)(view, offset, le);
    offset += size;
    return value;
  };
  for (const element of elements) {
    const keepIt = keep.includes(element.name);
    const data = allocate(element, keepIt);
    const fixed = element.properties.every((p) => p.countType === undefined);
    if (fixed && !keepIt) {
      // Skip a fixed-size element without decoding it.
      const stride = element.properties.reduce((s, p) => s + (TYPE_SIZES[p.type] as number), 0);
      offset += stride * element.count;
      if (offset > bytes.length) throw failBody('the body ends early (truncated file)');
      continue;
    }
    readRows(element, data, { read }, failBody);
    finishLists(data);
    if (keepIt) out.set(element.name, data);
  }
  return out;
}

/**
 * Reads the rows of one element into `data` (columns and lists it does not hold are read past);
 * `read` returns the next number, of the given PLY type.
 */
function readRows(
  element: PlyElementHeader,
  data: PlyElementData,
  { read, startRow, endRow }: RowReader,
  failBody: (message: string) => FormatError,
): void {
  const lines = element.properties.length > 0;
  for (let row = 0; row < element.count; row++) {
    if (lines) startRow?.();
    for (const p of element.properties) {
      if (p.countType === undefined) {
        const value = read(p.type);
        const column = data.scalars.get(p.name);
        if (column) column[row] = value;
        continue;
      }
      const n = read(p.countType);
      if (!Number.isInteger(n) || n < 0) throw failBody(`a list has the bad length ${n}`);
      const list = data.lists.get(p.name);
      const at = list?.offsets[row] ?? 0;
      for (let k = 0; k < n; k++) {
        const value = read(p.type);
        if (list) pushList(list, at + k, value);
      }
      if (list) list.offsets[row + 1] = at + n;
    }
    if (lines) endRow?.();
  }
}

/** A column to write: a scalar property of an element (float32 'float' or int32 'int'). */
export interface PlyColumn {
  name: string;
  type: 'float' | 'double' | 'int' | 'uchar';
  values: ArrayLike<number>;
}

/** A triangle list property (`property list uchar int vertex_indices`). */
export interface PlyTriangles {
  name: string;
  faces: Uint32Array;
}

export interface PlyWriteElement {
  name: string;
  count: number;
  columns?: PlyColumn[];
  triangles?: PlyTriangles;
}

const WRITE_SIZES = { float: 4, double: 8, int: 4, uchar: 1 } as const;

/** Encodes elements as a PLY file (binary little-endian or ASCII). */
export function encodePly(elements: PlyWriteElement[], ascii: boolean): Uint8Array {
  const header = ['ply', `format ${ascii ? 'ascii' : 'binary_little_endian'} 1.0`];
  for (const e of elements) {
    header.push(`element ${e.name} ${e.count}`);
    for (const c of e.columns ?? []) header.push(`property ${c.type} ${c.name}`);
    if (e.triangles) header.push(`property list uchar int ${e.triangles.name}`);
  }
  header.push('end_header', '');
  const head = new TextEncoder().encode(header.join('\n'));
  if (ascii) {
    const lines: string[] = [];
    for (const e of elements) {
      for (let row = 0; row < e.count; row++) {
        const words: string[] = [];
        // String(-0) is '0': the sign is written as the binary body keeps it.
        for (const c of e.columns ?? [])
          words.push(Object.is(c.values[row], -0) ? '-0' : String(c.values[row]));
        const t = e.triangles?.faces;
        if (t) words.push('3', String(t[3 * row]), String(t[3 * row + 1]), String(t[3 * row + 2]));
        lines.push(words.join(' '));
      }
    }
    const body = new TextEncoder().encode(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    return out;
  }
  let size = head.length;
  for (const e of elements) {
    const stride = (e.columns ?? []).reduce((s, c) => s + WRITE_SIZES[c.type], 0);
    size += e.count * (stride + (e.triangles ? 13 : 0));
  }
  const out = new Uint8Array(size);
  out.set(head);
  const view = new DataView(out.buffer);
  let o = head.length;
  for (const e of elements) {
    for (let row = 0; row < e.count; row++) {
      for (const c of e.columns ?? []) {
        const v = c.values[row] as number;
        switch (c.type) {
          case 'float':
            view.setFloat32(o, v, true);
            break;
          case 'double':
            view.setFloat64(o, v, true);
            break;
          case 'int':
            view.setInt32(o, v, true);
            break;
          case 'uchar':
            view.setUint8(o, v);
            break;
          default: {
            const never: never = c.type;
            throw new Error(`unreachable PLY type ${String(never)}`);
          }
        }
        o += WRITE_SIZES[c.type];
      }
      const t = e.triangles?.faces;
      if (t) {
        view.setUint8(o, 3);
        view.setInt32(o + 1, t[3 * row] as number, true);
        view.setInt32(o + 5, t[3 * row + 1] as number, true);
        view.setInt32(o + 9, t[3 * row + 2] as number, true);
        o += 13;
      }
    }
  }
  return out;
}
