import { inflateSync, strFromU8, strToU8 } from 'fflate';
import { crc32 } from './crc32.js';
import { FormatError, UnsupportedError } from './errors.js';
import { withDefaults } from './options.js';
import { checkInteger } from './validate.js';

/**
 * Reading zip archives (`.npz`, PyTorch `.pt`, cellshape checkpoints) from bytes that may be
 * hostile. The end-of-central-directory records (also ZIP64) and every central-directory and
 * local header are parsed and bounds-checked here, so that work and memory stay bounded by the
 * bytes present; fflate only inflates. Each entry's CRC-32 is checked against its central
 * directory (and local header) value. The result has no prototype, so an entry named
 * `__proto__` or `toString` is an ordinary key.
 */

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** General-purpose flag bits of encryption: traditional (0), strong (6), directory (13). */
const ENCRYPTED = 0x1 | 0x40 | 0x2000;
/** Fixed part of a central-directory header: the least bytes an entry takes. */
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** Deflate expands at most ~1032:1; a claimed size beyond this is a lie. */
const MAX_DEFLATE_RATIO = 1040;

/**
 * Limits of one zip read, so that a small archive cannot make the reader allocate more than the
 * caller allows (on top of the per-entry bound: a deflated entry inflates to at most ~1032
 * times its bytes).
 */
export interface ZipLimits {
  /**
   * The most entries the archive may hold. Default 100,000: a PyTorch `.pt` holds one entry per
   * storage, an `.npz` one per array (a 65,000-cell screen fits).
   */
  maxEntries?: number;
  /**
   * The most bytes all entries together may inflate to, checked on the sizes the central
   * directory claims before anything is inflated. Default 2³¹ (2 GiB).
   */
  maxBytes?: number;
}

/** Defaults of {@link ZipLimits}. */
export const DEFAULT_ZIP_LIMITS: Readonly<Required<ZipLimits>> = {
  maxEntries: 100_000,
  maxBytes: 2 ** 31,
};

/** Validated limits, options named as `options.maxEntries` / `options.maxBytes` of `fn`. */
export function resolveZipLimits(fn: string, limits: ZipLimits | undefined): Required<ZipLimits> {
  const { maxEntries, maxBytes } = withDefaults(fn, DEFAULT_ZIP_LIMITS, limits);
  return {
    maxEntries: checkInteger(fn, 'options.maxEntries', maxEntries, { min: 1, max: 2 ** 32 }),
    maxBytes: checkInteger(fn, 'options.maxBytes', maxBytes, { min: 1, max: 2 ** 53 }),
  };
}

function fail(fn: string, what: string): never {
  throw new FormatError(`${fn}: not a valid zip archive (${what})`, { fn, arg: 'bytes' });
}

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** Position of the end-of-central-directory record (searched backwards past a comment). */
function findEocd(bytes: Uint8Array, view: DataView, fn: string): number {
  const last = bytes.length - 22;
  if (last < 0) fail(fn, `${bytes.length} bytes, too short for an end-of-central-directory record`);
  const first = Math.max(0, last - 0xffff);
  for (let e = last; e >= first; e--) if (view.getUint32(e, true) === EOCD) return e;
  return fail(fn, 'no end-of-central-directory record');
}

/**
 * The archive comment of a zip (the text after its end-of-central-directory record; `''` when
 * there is none), decoded as UTF-8. `.npz` files use it for what NumPy does not read: `np.load`
 * ignores it.
 */
export function readZipCommentText(bytes: Uint8Array, fn: string): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const e = findEocd(bytes, view, fn);
  const length = view.getUint16(e + 20, true);
  if (e + 22 + length > bytes.length)
    fail(fn, `the ${length}-byte archive comment runs past the end of the ${bytes.length} bytes`);
  return strFromU8(bytes.subarray(e + 22, e + 22 + length));
}

/** `zip` (which has no archive comment) with `comment` as its archive comment. */
export function withZipComment(zip: Uint8Array, comment: string, fn: string): Uint8Array {
  const text = strToU8(comment);
  if (text.length > 0xffff)
    throw new FormatError(
      `${fn}: an archive comment holds at most 65,535 bytes, got ${text.length}`,
      {
        fn,
        arg: 'options.comment',
      },
    );
  const e = zip.length - 22;
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (e < 0 || view.getUint32(e, true) !== EOCD || view.getUint16(e + 20, true) !== 0)
    fail(fn, 'the archive does not end with a comment-free end-of-central-directory record');
  const out = new Uint8Array(zip.length + text.length);
  out.set(zip);
  out.set(text, zip.length);
  new DataView(out.buffer).setUint16(e + 20, text.length, true);
  return out;
}

interface Directory {
  count: number;
  start: number;
  end: number;
  zip64: boolean;
}

function readDirectory(bytes: Uint8Array, view: DataView, fn: string): Directory {
  const e = findEocd(bytes, view, fn);
  let count = view.getUint16(e + 10, true);
  let size = view.getUint32(e + 12, true);
  let start = view.getUint32(e + 16, true);
  let zip64 = false;
  let record = e; // where the end records start: the central directory ends there
  // One disk only, as torch's reader and zipfile require: disk numbers 0 (0xffff in a record
  // ZIP64 completes), as many entries on this disk as in all. Damaged, they were ignored.
  let split =
    ![0, 0xffff].includes(view.getUint16(e + 4, true)) ||
    ![0, 0xffff].includes(view.getUint16(e + 6, true)) ||
    view.getUint16(e + 8, true) !== count;
  if (e >= 20 && view.getUint32(e - 20, true) === ZIP64_LOCATOR) {
    const z = u64(view, e - 12);
    if (z + 56 > e) fail(fn, `the ZIP64 end-of-central-directory offset ${z} is out of range`);
    if (view.getUint32(z, true) !== ZIP64_EOCD)
      fail(fn, `no ZIP64 end-of-central-directory record at offset ${z}`);
    count = u64(view, z + 32);
    size = u64(view, z + 40);
    start = u64(view, z + 48);
    zip64 = true;
    record = z;
    split ||=
      view.getUint32(e - 16, true) !== 0 ||
      view.getUint32(e - 4, true) > 1 ||
      view.getUint32(z + 16, true) !== 0 ||
      view.getUint32(z + 20, true) !== 0 ||
      u64(view, z + 24) !== count;
  }
  if (split) fail(fn, 'its end records name other disks (a split archive, or damaged records)');
  const end = start + size;
  if (end > bytes.length)
    fail(
      fn,
      `the central directory [${start}, ${end}) lies outside the ${bytes.length} bytes present`,
    );
  // The end record sits right after the central directory (as zipfile finds it: from the
  // record back by its size): a damaged size or offset was read past, the archive accepted.
  if (end !== record)
    fail(
      fn,
      `the central directory [${start}, ${end}) does not end where the end record starts (${record})`,
    );
  if (count > size / CENTRAL_SIZE)
    fail(
      fn,
      `${count} entries claimed, but the ${size}-byte central directory holds at most ${Math.floor(size / CENTRAL_SIZE)}`,
    );
  return { count, start, end, zip64 };
}

interface Entry {
  name: string;
  nameBytes: Uint8Array;
  /** The version needed to extract (×10). */
  needed: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  next: number;
}

function readCentral(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  dir: Directory,
  fn: string,
): Entry {
  if (at + CENTRAL_SIZE > dir.end || view.getUint32(at, true) !== CENTRAL)
    fail(fn, `no central-directory header at offset ${at}`);
  const flags = view.getUint16(at + 8, true);
  // An entry on another disk (torch's reader refuses it: "unsupported multidisk archive").
  if (view.getUint16(at + 34, true) !== 0)
    fail(fn, `the entry at offset ${at} starts on disk ${view.getUint16(at + 34, true)}`);
  const nameLength = view.getUint16(at + 28, true);
  const extraLength = view.getUint16(at + 30, true);
  const commentLength = view.getUint16(at + 32, true);
  const nameStart = at + CENTRAL_SIZE;
  const extraStart = nameStart + nameLength;
  const next = extraStart + extraLength + commentLength;
  if (next > dir.end) fail(fn, `the central-directory header at offset ${at} is truncated`);
  const nameBytes = bytes.subarray(nameStart, extraStart);
  const name = strFromU8(nameBytes, !(flags & 0x800));
  let compressedSize = view.getUint32(at + 20, true);
  let size = view.getUint32(at + 24, true);
  let offset = view.getUint32(at + 42, true);
  const max = 0xffffffff;
  if (compressedSize === max || size === max || offset === max) {
    // ZIP64 extended information: the 64-bit values, in this order, of the fields that are 0xffffffff.
    let found = false;
    for (let x = extraStart; x + 4 <= extraStart + extraLength; ) {
      const id = view.getUint16(x, true);
      const length = view.getUint16(x + 2, true);
      const dataEnd = x + 4 + length;
      if (dataEnd > extraStart + extraLength) break;
      if (id === 1) {
        let p = x + 4;
        const take = (): number => {
          if (p + 8 > dataEnd)
            fail(fn, `entry ${JSON.stringify(name)}: truncated ZIP64 extra field`);
          const value = u64(view, p);
          p += 8;
          return value;
        };
        if (size === max) size = take();
        if (compressedSize === max) compressedSize = take();
        if (offset === max) offset = take();
        found = true;
        break;
      }
      x = dataEnd;
    }
    if (!found && dir.zip64)
      fail(
        fn,
        `entry ${JSON.stringify(name)}: 32-bit sizes are 0xffffffff but there is no ZIP64 extra field`,
      );
  }
  const method = view.getUint16(at + 10, true);
  if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024)
    fail(
      fn,
      `entry ${JSON.stringify(name)}: ${size} bytes claimed from ${compressedSize} deflated bytes`,
    );
  return {
    name,
    nameBytes,
    flags,
    needed: view.getUint16(at + 6, true) & 0xff,
    method,
    crc: view.getUint32(at + 16, true),
    compressedSize,
    size,
    offset,
    next,
  };
}

/** Where an entry's data lies: after its local header, checked against the central directory. */
interface Located {
  entry: Entry;
  start: number;
  end: number;
}

function locate(view: DataView, bytes: Uint8Array, entry: Entry, fn: string): Located {
  const { name, offset, compressedSize, method } = entry;
  const label = `entry ${JSON.stringify(name)}`;
  if (offset + LOCAL_SIZE > bytes.length || view.getUint32(offset, true) !== LOCAL)
    fail(fn, `${label}: no local header at offset ${offset}`);
  const localFlags = view.getUint16(offset + 6, true);
  // Encrypted (bit 0), strongly encrypted (6), or with an encrypted directory (13), in either
  // header (torch's reader looks at both; a set bit was ignored on data that reads as stored).
  if ((entry.flags | localFlags) & ENCRYPTED)
    throw new UnsupportedError(`${fn}: ${label} is encrypted`, { fn, arg: 'bytes' });
  // The version needed to extract (its low byte, ×10): past 6.3 zipfile refuses it too.
  const needed = view.getUint16(offset + 4, true) & 0xff;
  if (needed > 63 || entry.needed > 63)
    throw new UnsupportedError(
      `${fn}: ${label} needs zip version ${Math.max(needed, entry.needed) / 10} to extract; up to 6.3 is read`,
      { fn, arg: 'bytes' },
    );
  if (view.getUint16(offset + 8, true) !== method)
    fail(
      fn,
      `${label}: the local header's compression method differs from the central directory's`,
    );
  if (!(localFlags & 8) && view.getUint32(offset + 14, true) !== entry.crc)
    fail(fn, `${label}: the local header's CRC-32 differs from the central directory's`);
  // The local header names the entry too: a name that differs is a damaged header (zipfile
  // refuses it; the central directory's name was used, so an array's name changed silently).
  const nameLength = view.getUint16(offset + 26, true);
  const localName = bytes.subarray(offset + LOCAL_SIZE, offset + LOCAL_SIZE + nameLength);
  if (nameLength !== entry.nameBytes.length || localName.some((b, i) => b !== entry.nameBytes[i]))
    fail(fn, `${label}: the local header names it differently`);
  const start = offset + LOCAL_SIZE + nameLength + view.getUint16(offset + 28, true);
  const end = start + compressedSize;
  if (end > bytes.length)
    fail(fn, `${label}: its ${compressedSize} data bytes from offset ${start} run past the end`);
  return { entry, start, end };
}

/**
 * Entries may not share bytes: a legitimate archive never overlaps them, while entries pointing
 * at the same deflated data would multiply what a small file inflates to.
 */
function checkNoOverlap(located: Located[], fn: string): void {
  const sorted = [...located].sort((a, b) => a.entry.offset - b.entry.offset);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    if (after.entry.offset < before.end)
      fail(
        fn,
        `entries ${JSON.stringify(before.entry.name)} and ${JSON.stringify(after.entry.name)} overlap (bytes [${before.entry.offset}, ${before.end}) and from ${after.entry.offset})`,
      );
  }
}

function readData(bytes: Uint8Array, { entry, start, end }: Located, fn: string): Uint8Array {
  const { name, compressedSize, size, method } = entry;
  const label = `entry ${JSON.stringify(name)}`;
  let data: Uint8Array;
  if (method === 0) {
    if (size !== compressedSize)
      fail(fn, `${label}: stored with size ${size} but ${compressedSize} bytes`);
    // A copy in a plain Uint8Array of its own (Buffer#slice would share the input's memory).
    data = new Uint8Array(bytes.subarray(start, end));
  } else if (method === 8) {
    try {
      data = inflateSync(bytes.subarray(start, end), { out: new Uint8Array(size) });
    } catch (error) {
      throw new FormatError(
        `${fn}: ${label} is not valid deflate data (${(error as Error).message})`,
        {
          fn,
          arg: 'bytes',
          cause: error,
        },
      );
    }
    if (data.length !== size)
      fail(fn, `${label}: inflates to ${data.length} bytes, the directory says ${size}`);
  } else {
    throw new UnsupportedError(
      `${fn}: ${label} uses compression method ${method} (only stored and deflate are supported)`,
      {
        fn,
        arg: 'bytes',
      },
    );
  }
  const actual = crc32(data);
  if (actual !== entry.crc)
    fail(
      fn,
      `${label}: CRC-32 mismatch, the data gives 0x${actual.toString(16).padStart(8, '0')}, the directory says 0x${entry.crc.toString(16).padStart(8, '0')}`,
    );
  return data;
}

/**
 * The entries of a zip archive by name, in a record without prototype. Throws `FormatError`
 * (naming `fn`) for anything malformed or inconsistent and for an archive past `limits` (checked
 * on the central directory, before anything is inflated), `UnsupportedError` for encryption and
 * compression methods other than stored and deflate.
 */
export function readZipEntries(
  bytes: Uint8Array,
  fn: string,
  limits: Required<ZipLimits> = DEFAULT_ZIP_LIMITS,
): Record<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dir = readDirectory(bytes, view, fn);
  if (dir.count > limits.maxEntries)
    fail(fn, `${dir.count} entries, more than options.maxEntries ${limits.maxEntries}`);
  const entries: Entry[] = [];
  let total = 0;
  let at = dir.start;
  // Headers are read until the directory's bytes are used up, as Python's zipfile reads them:
  // the end record's 16-bit count wraps past 65,535 entries in archives without a ZIP64 record
  // (fflate's, so encodeNpz's): read up to the count, an .npz of 70,000 arrays gave 4,464.
  while (at < dir.end) {
    if (entries.length === limits.maxEntries)
      fail(fn, `more than options.maxEntries ${limits.maxEntries} entries`);
    const entry = readCentral(view, bytes, at, dir, fn);
    total += entry.size;
    if (total > limits.maxBytes)
      fail(
        fn,
        `its entries inflate to more than options.maxBytes ${limits.maxBytes} bytes (at entry ${JSON.stringify(entry.name)})`,
      );
    entries.push(entry);
    at = entry.next;
  }
  if (dir.zip64 ? entries.length !== dir.count : entries.length % 0x10000 !== dir.count)
    fail(
      fn,
      `the end record counts ${dir.count} entries, the central directory holds ${entries.length}`,
    );
  const located = entries.map((entry) => locate(view, bytes, entry, fn));
  checkNoOverlap(located, fn);
  const files: Record<string, Uint8Array> = Object.create(null);
  for (const at of located) files[at.entry.name] = readData(bytes, at, fn);
  return files;
}
