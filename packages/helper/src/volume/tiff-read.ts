import {
  checkExpansion,
  decimalNumber,
  type TypedArray,
  type UnsupportedError,
} from '@cellshape/core';
import { decode, type TiffIfd } from 'tiff';
import type { Volume } from '../types.js';
import { convertLength } from './length-units.js';
import {
  BYTES_PER_SAMPLE,
  type Context,
  corrupt,
  decodePart,
  finishRow,
  LZW,
  PACKBITS,
  type PageKind,
  type PageLayout,
  type PageRead,
  partRows,
  undoFloatPredictor,
  unsupported,
  whiteIsZeroMaximum,
} from './tiff-block.js';
import { SAMPLE_TYPES, type SampleKind, sampleKindFor } from './tiff-sample.js';
import { readTiledPage } from './tiff-tiles.js';

/**
 * TIFF stacks → {@link Volume}. The `tiff` package (image-js) parses the image directories; the
 * pixels are decoded here, strips (below) and tiles (tiff-tiles.ts) alike: 1-bit, 8/16/32-bit
 * integers and 32/64-bit floats, uncompressed, LZW (tiff-lzw.ts), Deflate or PackBits,
 * predictor none, horizontal or floating-point, every declared size checked against the bytes present before
 * anything is allocated.
 */

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'none',
  2: 'CCITT RLE',
  3: 'CCITT Group 3',
  4: 'CCITT Group 4',
  5: 'LZW',
  6: 'old-style JPEG',
  7: 'JPEG',
  8: 'Deflate',
  32773: 'PackBits',
  32946: 'Deflate',
  34887: 'LERC',
  34925: 'LZMA',
  50000: 'Zstandard',
  50001: 'WebP',
};
/** The compressions of the strips and tiles we decode. */
const COMPRESSIONS = new Set([1, LZW, 8, 32946, PACKBITS]);

/**
 * Follows the chain of image directories (IFDs), and the EXIF/GPS sub-directories the decoder
 * reads, before handing the bytes to the decoder, which would loop forever on a cyclic chain,
 * recurse on a sub-directory naming itself, and reports truncation with unhelpful messages.
 * The values of all their entries together may not hold more than twice the file (plus 64 KiB):
 * the decoder copies every entry's values, so 10,000 entries claiming the same 128 KB took 1.3
 * GB from a 250 KB file. Returns where the later copies of tags repeated in an image directory
 * sit (see {@link firstTagsWin}).
 */
function checkIfdChain(bytes: Uint8Array, ctx: Context): Repeats {
  if (bytes.length < 8) throw corrupt(ctx, `${bytes.length} bytes is shorter than a TIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = view.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d)
    throw corrupt(ctx, 'the byte-order mark (II or MM) is missing');
  const le = order === 0x4949;
  const magic = view.getUint16(2, le);
  if (magic === 43) throw unsupported(ctx, 'BigTIFF files are not supported, only classic TIFF');
  if (magic !== 42) throw corrupt(ctx, `the version number is ${magic}, expected 42`);
  const seen = new Set<number>();
  const subIfds: number[] = [];
  const repeats: Repeats = { entries: [], secondDescriptions: [] };
  let values = 0;
  let pages = 0;
  for (let offset = view.getUint32(4, le); offset !== 0; ) {
    pages++;
    const end = checkIfdEnd(view, le, offset, pages, seen, ctx);
    values += checkIfdEntries(view, offset, le, pages, ctx, subIfds, repeats);
    offset = view.getUint32(end, le);
  }
  if (pages === 0) throw corrupt(ctx, 'it holds no image');
  for (let i = 0; i < subIfds.length; i++) {
    checkIfdEnd(view, le, subIfds[i]!, 0, seen, ctx);
    values += checkIfdEntries(view, subIfds[i]!, le, 0, ctx, subIfds, repeats);
  }
  if (values > 2 * bytes.length + 2 ** 16)
    throw corrupt(
      ctx,
      `the entries of its image directories claim ${values} bytes of values, more than twice the ${bytes.length}-byte file (entries repeating the same data)`,
    );
  return repeats;
}

/** The byte offsets of the later copies of tags repeated in an image directory. */
interface Repeats {
  entries: number[];
  /** Of those, the second ImageDescription of a directory (tifffile's `description1`). */
  secondDescriptions: number[];
}

/**
 * The tag number a page's second ImageDescription is renamed to (a private one), where
 * {@link tiffDescription} finds it.
 */
const SECOND_DESCRIPTION = 65001;

/**
 * The bytes with the later copies of repeated tags renamed, so that the decoder, which keeps the
 * last of a repeated tag, keeps the first, as libtiff and tifffile do (a second SampleFormat 2
 * read uint8 pixels as int8). tifffile writes two ImageDescriptions whenever it is given one
 * (the user's, then its `{"shape": …}`): such files were refused. The second description is
 * kept, under {@link SECOND_DESCRIPTION}; the others become tag 0, which nothing reads. The
 * caller's bytes are not changed.
 */
function firstTagsWin(bytes: Uint8Array, repeats: Repeats, le: boolean): Uint8Array {
  if (repeats.entries.length === 0) return bytes;
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (const at of repeats.entries)
    view.setUint16(at, repeats.secondDescriptions.includes(at) ? SECOND_DESCRIPTION : 0, le);
  return copy;
}

/** How messages name directory `page` (1-based; 0 for an EXIF or GPS sub-directory). */
function directoryName(page: number): string {
  return page > 0 ? `image directory ${page}` : 'an EXIF or GPS directory';
}

/**
 * Where the entries of the directory at `offset` end (its next-directory offset follows), after
 * checking that it lies in the file and was not visited before (a loop).
 */
function checkIfdEnd(
  view: DataView,
  le: boolean,
  offset: number,
  page: number,
  seen: Set<number>,
  ctx: Context,
): number {
  if (seen.has(offset))
    throw corrupt(ctx, `the chain of image directories loops (at ${directoryName(page)})`);
  seen.add(offset);
  const size = view.byteLength;
  const end = offset + 2 + (offset + 2 <= size ? 12 * view.getUint16(offset, le) : 0);
  if (end + 4 > size)
    throw corrupt(
      ctx,
      `${directoryName(page)} (at byte ${offset}) runs past the end of the ${size}-byte file (truncated?)`,
    );
  return end;
}

/**
 * The tags that lay the pixels out (sizes, samples, compression, strips, tiles, orientation, page
 * kind) hold integers: BYTE, SHORT, LONG or their signed forms, as libtiff requires. The decoder
 * skips an entry of a type it does not know (13 and up), so the tag took its default (a
 * SampleFormat entry of type 13 read float32 pixels as uint32, a BitsPerSample of type 13 read
 * 16-bit pixels as bits), and gives other types as text or fractions; an entry of no values is
 * an empty array, so BitsPerSample took its default 1 then too.
 */
const LAYOUT_TAGS = new Set([
  254, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 284, 317, 322, 323, 324, 325, 339,
  32997,
]);
const INTEGER_TYPES = new Set([1, 3, 4, 6, 8, 9]);

/** Bytes per value of the TIFF field types (1 BYTE … 13 IFD). */
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

/**
 * Every entry's values must lie within the file: the decoder would otherwise allocate an array
 * of the claimed count (a 300-byte file claiming 16 million values took 140 MB) before failing.
 * Returns the bytes of values the decoder reads outside the entries (types 1 to 12; it skips
 * the others), and pushes the offsets of EXIF/GPS sub-directories to `subIfds`.
 */
function checkIfdEntries(
  view: DataView,
  ifd: number,
  le: boolean,
  page: number,
  ctx: Context,
  subIfds: number[],
  repeats: Repeats,
): number {
  const entries = view.getUint16(ifd, le);
  let values = 0;
  const tags = new Set<number>();
  for (let e = 0; e < entries; e++) {
    const at = ifd + 2 + 12 * e;
    const tag = view.getUint16(at, le);
    const type = view.getUint16(at + 2, le);
    const count = view.getUint32(at + 4, le);
    // A repeated tag of an image directory: the first counts (see firstTagsWin).
    const repeated = page > 0 && tags.has(tag);
    if (repeated) {
      repeats.entries.push(at);
      if (tag === 270 && !repeats.secondDescriptions.some((d) => d > ifd && d < at))
        repeats.secondDescriptions.push(at);
    }
    tags.add(tag);
    if (page > 0 && !repeated && LAYOUT_TAGS.has(tag) && (!INTEGER_TYPES.has(type) || count === 0))
      throw corrupt(
        ctx,
        `tag ${tag} of ${directoryName(page)} holds ${count} values of type ${type}, not one or more integers`,
      );
    // EXIF and GPS: the value is the offset of a sub-directory the decoder also reads.
    if ((tag === 0x8769 || tag === 0x8825) && type >= 1 && type <= 12) {
      // The decoder reads the value as a directory offset, whatever its type: only one LONG is one.
      if (type !== 4 || count !== 1)
        throw corrupt(
          ctx,
          `tag ${tag} of ${directoryName(page)} is not the offset of a directory (one LONG)`,
        );
      subIfds.push(view.getUint32(at + 8, le));
    }
    const bytes = (TYPE_SIZES[type] ?? 0) * count;
    if (bytes <= 4) continue; // the values sit in the entry itself
    const start = view.getUint32(at + 8, le);
    if (start + bytes > view.byteLength)
      throw corrupt(
        ctx,
        `tag ${tag} of ${directoryName(page)} claims ${bytes} bytes at offset ${start}, past the end of the ${view.byteLength}-byte file`,
      );
    if (type <= 12) values += bytes;
  }
  return values;
}

/** Validates one page's tags and returns its layout; throws for what we cannot read. */
function pageLayout(ifd: TiffIfd, page: number, ctx: Context, samples: boolean): PageLayout {
  const { width, height, samplesPerPixel, sampleFormat, compression } = ifd;
  const bitsPerSample = (ifd.bitsPerSample as number | undefined) ?? 1; // the TIFF default
  const where = `page ${page + 1}`;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0))
    throw corrupt(ctx, `${where} has no valid image width and length`);
  if (samples && samplesPerPixel !== 1) checkSamples(ifd, where, ctx);
  else if (samplesPerPixel !== 1) {
    throw unsupported(
      ctx,
      `${where} has ${samplesPerPixel} samples per pixel (RGB or multi-channel); only single-channel images are supported, split the channels first`,
    );
  }
  const kind: PageKind | undefined =
    bitsPerSample === 1 && sampleFormat === 1 ? 'bit' : sampleKindFor(bitsPerSample, sampleFormat);
  if (kind === undefined) {
    throw unsupported(
      ctx,
      `${where} has ${bitsPerSample}-bit samples of SampleFormat ${sampleFormat}; supported are 1-bit, 8/16/32-bit integers and 32/64-bit floats`,
    );
  }
  // Without the (required) tag, libtiff and tifffile read a one-sample page as BlackIsZero.
  const photometric = (ifd.type as number | undefined) ?? (samplesPerPixel === 1 ? 1 : undefined);
  if (photometric === undefined)
    throw corrupt(
      ctx,
      `${where} lacks the PhotometricInterpretation tag, which a page of ${samplesPerPixel} samples needs`,
    );
  const unsignedSmall = kind === 'bit' || kind === 'uint8' || kind === 'uint16';
  const rgb = photometric === 2 && samplesPerPixel >= 3;
  if (!(photometric === 1 || rgb || (photometric === 0 && unsignedSmall))) {
    throw unsupported(
      ctx,
      `${where} has PhotometricInterpretation ${photometric}; only grey-level images (BlackIsZero, or WhiteIsZero for unsigned 1/8/16-bit) are supported`,
    );
  }
  const planar = samplesPerPixel > 1 && ifd.planarConfiguration === 2;
  if (samplesPerPixel > 1 && ifd.tiled)
    throw unsupported(
      ctx,
      `${where} is tiled with ${samplesPerPixel} samples per pixel; tiled pages must have one`,
    );
  checkCoding(ifd, kind, where, ctx);
  // ImageDepth (32997, the SGI extension tifffile writes with `volumetric=True`) stacks that
  // many planes in one page; read as one plane, all but the first were silently dropped.
  const depth = ifd.get(32997) as unknown;
  if (depth !== undefined && depth !== 1)
    throw unsupported(
      ctx,
      `${where} has ImageDepth ${String(depth)} (a volumetric page); only pages of one plane are supported`,
    );
  const orientation = ifd.orientation as number | undefined;
  if (orientation !== undefined && orientation !== 1)
    throw unsupported(
      ctx,
      `${where} has Orientation ${orientation}; only top-left (1) is supported`,
    );
  return { width, height, kind, compression, samples: samplesPerPixel, planar };
}

/** The page's samples are coded in a way we decode: compression, predictor and bit order. */
function checkCoding(ifd: TiffIfd, kind: PageKind, where: string, ctx: Context): void {
  const compression = ifd.compression;
  if (!COMPRESSIONS.has(compression)) {
    const name = COMPRESSION_NAMES[compression] ?? `code ${compression}`;
    throw unsupported(
      ctx,
      `${where} uses ${name} compression, which is not supported (supported: none, LZW, Deflate, PackBits)`,
    );
  }
  // Horizontal differencing (2) is for integers, the floating-point predictor (3) for floats.
  const predictor = ifd.predictor;
  const float = kind === 'float32' || kind === 'float64';
  if (predictor !== 1 && predictor !== (float ? 3 : kind === 'bit' ? 1 : 2))
    throw unsupported(
      ctx,
      `${where} uses predictor ${predictor}; supported: none, horizontal differencing for integers and the floating-point predictor for floats`,
    );
  // FillOrder 2 stores every byte's bits in reverse (libtiff and tifffile reverse them before
  // decoding); read as FillOrder 1, its pixels came back silently wrong.
  const fillOrder = ifd.fillOrder as unknown;
  if (fillOrder !== 1)
    throw unsupported(
      ctx,
      `${where} has FillOrder ${String(fillOrder)}; only the default (1, most significant bit first) is supported`,
    );
}

/** A page of several samples per pixel: all of one bit depth, not bilevel, at most 64. */
function checkSamples(ifd: TiffIfd, where: string, ctx: Context): void {
  const n = ifd.samplesPerPixel;
  if (!(Number.isInteger(n) && n > 1 && n <= 64))
    throw corrupt(ctx, `${where} declares ${n} samples per pixel`);
  const bits = ifd.fields.get(258) as number | ArrayLike<number> | undefined;
  const all = typeof bits === 'number' ? [bits] : Array.from(bits ?? [1]);
  if (all.length === 0 || all.some((b) => b !== all[0]) || !(all[0]! >= 8))
    throw unsupported(
      ctx,
      `${where} has ${n} samples of BitsPerSample ${all.join(', ')}; multi-sample pages need one depth of 8 bits or more`,
    );
}

/**
 * Reads the strips of one page into `out` from element `start`: sample
 * `c` of a multi-sample page goes to the plane `start + c × height × width`, whether the file
 * interleaves the samples (chunky) or stores them plane after plane (planar).
 */
function readStripPage(page: PageRead): void {
  const { bytes, ifd, layout, littleEndian, out, start, ctx } = page;
  const { width, height, kind } = layout;
  const offsets = ifd.stripOffsets as ArrayLike<number> | undefined;
  const counts = ifd.stripByteCounts as ArrayLike<number> | undefined;
  const rowsPerStrip = Math.min(ifd.rowsPerStrip, height);
  const perPlane = Math.ceil(height / rowsPerStrip);
  const planes = layout.planar ? layout.samples : 1;
  const perRow = layout.planar ? 1 : layout.samples; // samples interleaved in a strip row
  const strips = perPlane * planes;
  if (!offsets || !counts || offsets.length < strips || counts.length < strips)
    throw corrupt(ctx, 'the strip offsets or byte counts are missing');
  // Bilevel rows start on a byte boundary.
  const rowBytes =
    kind === 'bit' ? Math.ceil(width / 8) : (BYTES_PER_SAMPLE[kind] ?? 1) * width * perRow;
  const invert = whiteIsZeroMaximum(ifd.type as number | undefined, kind);
  const plane = width * height;
  let row = 0;
  for (let s = 0; s < strips; s++) {
    if (s % perPlane === 0) row = 0;
    const first = layout.planar ? Math.floor(s / perPlane) : 0; // the strip's first plane
    const rows = Math.min(rowsPerStrip, height - row);
    const offset = offsets[s]!;
    const count = counts[s]!;
    if (offset + count > bytes.length)
      throw corrupt(ctx, `strip ${s} runs past the end of the file (truncated?)`);
    const strip = decodePart(
      bytes.subarray(offset, offset + count),
      ifd.compression,
      rows * rowBytes,
      rowsPerStrip * rowBytes,
      ctx,
      `strip ${s}`,
    );
    const samples =
      ifd.predictor === 3
        ? undoFloatPredictor(strip, rows, rowBytes, BYTES_PER_SAMPLE[kind]!, perRow, littleEndian)
        : strip;
    const copyRow = partRows(samples, kind, littleEndian, rowBytes);
    // Sample c of an interleaved row goes to its own plane; the predictor works per sample.
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < perRow; c++) {
        const b = start + (first + c) * plane + (row + r) * width;
        copyRow(r, c, perRow, width, out, b);
        finishRow(out, b, width, ifd.predictor, invert);
      }
    row += rows;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a TIFF ASCII entry such as ImageDescription (the first string when it holds
 * several), or undefined when the entry is not text. The decoder reads every byte as one
 * character, but OME-XML is UTF-8: tifffile and Bio-Formats write `PhysicalSizeXUnit="µm"` as
 * the bytes C2 B5, which came back as "Âµm" (a wrong unit, or none when y was in the default
 * µm). Text that is valid UTF-8 is decoded as UTF-8, as tifffile does; other bytes are kept one
 * character each.
 */
export function tiffText(value: unknown): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value) && typeof value[0] === 'string'
        ? value[0]
        : undefined;
  if (text === undefined || !/[\u0080-\u00ff]/.test(text)) return text;
  try {
    return UTF8.decode(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  } catch {
    return text;
  }
}

/**
 * The tags of a TIFF page that {@link decodeTiff} returns, as the `tiff` package decodes them:
 * a structural view, so that our declarations do not name that ESM-only package (CommonJS
 * consumers could not resolve it).
 */
export interface TiffPageTags {
  readonly samplesPerPixel: number;
  readonly imageDescription: string | undefined;
  /** Pixels per resolution unit. */
  readonly xResolution: number;
  readonly yResolution: number;
  /** A tag's value by number (ResolutionUnit is 296). */
  get(tag: number): unknown;
}

/**
 * The description a page's metadata (ImageJ, tifffile's shape, OME-XML) is read from: its first
 * ImageDescription, or the second when the first is the user's own text and the second ImageJ's
 * or tifffile's (as tifffile's `imagej_description` and `shaped_description` look at both).
 */
export function tiffDescription(ifd: TiffPageTags): string | undefined {
  const first = tiffText(ifd.imageDescription);
  if (!first || isMetadata(first) || /<(?:\w+:)?OME\b/.test(first)) return first;
  const second = tiffText(ifd.get(SECOND_DESCRIPTION));
  return second !== undefined && isMetadata(second) ? second : first;
}

function isMetadata(description: string): boolean {
  return description.startsWith('ImageJ=') || description.startsWith('{"shape":');
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function keyValues(text: string, pattern: RegExp): Map<string, string> {
  const map = new Map<string, string>();
  for (const match of text.matchAll(pattern)) map.set(match[1]!, match[2]!.trim());
  return map;
}

/**
 * The pages of the first series of a file tifffile wrote (description `{"shape": [...]}` on the
 * first page of each series), if it is one: the shape's elements over a page's.
 */
function shapedPlanes(description: string, first: TiffIfd): number | undefined {
  if (!description.startsWith('{"shape":')) return undefined;
  let shape: unknown;
  try {
    shape = (JSON.parse(description) as { shape?: unknown }).shape;
  } catch {
    return undefined;
  }
  if (!(Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d > 0)))
    return undefined;
  const page = first.width * first.height * first.samplesPerPixel;
  const planes = (shape as number[]).reduce((n, d) => n * d, 1) / page;
  return Number.isSafeInteger(planes) && planes > 0 ? planes : undefined;
}

function severalImages(ctx: Context, what: string, pages: number): UnsupportedError {
  return unsupported(
    ctx,
    `${what}, but the file holds ${pages} pages (several images or series); only files of one image are read, as tifffile reads the first`,
  );
}

/**
 * ImageJ spacing: `spacing=` (z) and X/YResolution (pixels per unit), set only when the
 * description has `spacing=` or a physical `unit=`. ImageJ writes `yunit=` and `zunit=` when an
 * axis has a unit of its own: sizes are given in the unit of x (read as is, `zunit=nm` and
 * `spacing=500` beside `unit=micron` made the voxel 1000× too deep); an axis in a unit that
 * cannot be converted leaves the volume uncalibrated, as for OME-XML.
 */
function imageJSpacing(
  meta: Map<string, string>,
  first: TiffIfd,
): [number, number, number] | undefined {
  const unitOf = (key: string) => meta.get(key)?.replace(/\\u00B5/i, 'µ');
  const unit = unitOf('unit');
  const calibrated = meta.has('spacing') || (unit !== undefined && !/^pixels?$/i.test(unit));
  if (!calibrated) return undefined;
  const inUnit = (value: number, key: string): number | undefined => {
    const own = unitOf(key);
    return own === undefined || unit === undefined || own === unit
      ? value
      : convertLength(value, own, unit);
  };
  const z = inUnit(decimalNumber(meta.get('spacing')), 'zunit');
  const y = inUnit(1 / first.yResolution, 'yunit');
  if (z === undefined || y === undefined) return undefined;
  return [positiveOr(z, 1), positiveOr(y, 1), positiveOr(1 / first.xResolution, 1)];
}

/**
 * Voxel spacing [z, y, x] from ImageJ or OME metadata, or undefined when the file states none,
 * after checking that the description's image is the file's pages (no more, no fewer).
 */
function readSpacing(
  first: TiffIfd,
  pages: number,
  ctx: Context,
  hyperstacks: boolean,
): [number, number, number] | undefined {
  const description = tiffDescription(first);
  if (description === undefined) return undefined;
  const shaped = shapedPlanes(description, first);
  if (shaped !== undefined && shaped < pages)
    throw severalImages(ctx, `a tifffile series of ${shaped} pages`, pages);
  // More planes than pages: pages lost (an interrupted write, a cut chain of directories). Read
  // as they were, the stack came back short without a word.
  if (shaped !== undefined && shaped > pages)
    throw corrupt(
      ctx,
      `its tifffile description declares ${shaped} planes but the file holds ${pages} page${pages === 1 ? '' : 's'} (truncated?)`,
    );
  const stack = { description, first, pages, ctx, hyperstacks };
  return description.startsWith('ImageJ=') ? imageJStack(stack) : omeStack(stack);
}

/** A stack's first page and description, as its metadata readers check them. */
interface DescribedStack {
  description: string;
  first: TiffIfd;
  pages: number;
  ctx: Context;
  hyperstacks: boolean;
}

/**
 * An ImageJ stack's spacing: `spacing=` (z) and X/YResolution in pixels per unit, set only when
 * the description has `spacing=` or a physical `unit=`.
 */
function imageJStack(stack: DescribedStack): [number, number, number] | undefined {
  const { description, first, pages, ctx, hyperstacks } = stack;
  const meta = keyValues(description, /^([A-Za-z]\w*)=(.*)$/gm);
  for (const key of hyperstacks ? [] : ['channels', 'frames']) {
    const n = Number(meta.get(key) ?? 1);
    if (n > 1) {
      throw unsupported(
        ctx,
        `an ImageJ hyperstack with ${key}=${n}; only single-channel, single-time-point stacks are supported`,
      );
    }
  }
  const images = Number(meta.get('images') ?? pages);
  if (images !== pages) {
    throw unsupported(
      ctx,
      `the ImageJ description declares images=${images} but the file holds ${pages} pages (ImageJ's contiguous large-stack layout is not supported)`,
    );
  }
  return imageJSpacing(meta, first);
}

/** An OME-TIFF's spacing: PhysicalSizeZ/Y/X (missing components are 1); undefined without OME. */
function omeStack(stack: DescribedStack): [number, number, number] | undefined {
  const { description, first, pages, ctx, hyperstacks } = stack;
  // Linear searches only (a description is outside bytes): the element's text runs to the
  // first `>` after it, and attribute names start at a word boundary. `([^>]*)>` retried from
  // every `<Pixels` with no `>` after it, and `(\w+)\s*=` from every letter of a long word,
  // were quadratic (40 KB of description took 1.4 s).
  const open = /<(?:\w+:)?Pixels\b/.exec(description);
  const close = open === null ? -1 : description.indexOf('>', open.index + open[0].length);
  if (open === null || close < 0) return undefined;
  const pixels = description.slice(open.index + open[0].length, close);
  const attributes = keyValues(pixels, /\b(\w+)\s*=\s*"([^"]*)"/g);
  for (const key of hyperstacks ? [] : ['SizeC', 'SizeT']) {
    const n = Number(attributes.get(key) ?? 1);
    if (n > 1)
      throw unsupported(
        ctx,
        `an OME-TIFF with ${key}=${n}; only one channel and time point are supported`,
      );
  }
  // An OME-TIFF of several images (stage positions, series) holds more pages than its first
  // image has planes: read as one stack, the images were mixed into one volume. OME counts the
  // samples of a page as channels (SizeC 3 for one RGB page): two RGB series, of SizeC 3 and 2
  // pages, were read as one image of 6 channels.
  const [sizeZ, sizeC, sizeT] = ['SizeZ', 'SizeC', 'SizeT'].map((key) =>
    decimalNumber(attributes.get(key) ?? '1'),
  ) as [number, number, number];
  const samples = first.samplesPerPixel;
  const planes = sizeZ * sizeT * (sizeC % samples === 0 ? sizeC / samples : sizeC);
  if (Number.isSafeInteger(planes) && planes > 0 && planes < pages)
    throw severalImages(ctx, `an OME-TIFF whose first image has ${planes} planes`, pages);
  // Fewer pages than planes: the other planes are in other files of a multi-file OME-TIFF (or
  // lost); this file alone is part of the image.
  if (Number.isSafeInteger(planes) && planes > pages)
    throw unsupported(
      ctx,
      `its OME-XML describes ${planes} planes but the file holds ${pages} page${pages === 1 ? '' : 's'} (a multi-file OME-TIFF, or pages lost); only images whole in one file are read`,
    );
  // Each axis may have its own unit (default µm): sizes are given in the unit of x (read as is,
  // an x in nm beside a y in µm made the voxel 1000× too thin in x); an axis in a unit that
  // cannot be converted leaves the volume uncalibrated.
  const unitOf = (axis: string) => attributes.get(`PhysicalSize${axis}Unit`) ?? 'µm';
  const stated = ['Z', 'Y', 'X'].filter((axis) => attributes.has(`PhysicalSize${axis}`));
  if (stated.length === 0) return undefined;
  const size = (axis: string): number | undefined => {
    if (!stated.includes(axis)) return undefined;
    const value = decimalNumber(attributes.get(`PhysicalSize${axis}`));
    return unitOf(axis) === unitOf('X') ? value : convertLength(value, unitOf(axis), unitOf('X'));
  };
  const [z, y, x] = [size('Z'), size('Y'), size('X')];
  if (stated.some((axis) => size(axis) === undefined)) return undefined;
  return [positiveOr(z, 1), positiveOr(y, 1), positiveOr(x, 1)];
}

/** The default of `maxVoxels`: 2³¹ voxels (2 GiB of uint8, 16 GiB of float64). */
export const DEFAULT_MAX_VOXELS = 2 ** 31;

/**
 * The most bytes one compressed byte can decode to: Deflate's limit is 1032:1, LZW's stays
 * below 4096:1 (12-bit codes naming strings of at most 4096 bytes), PackBits' is 64:1.
 */
const MAX_RATIO: Record<number, number> = { 1: 1, 5: 4096, 8: 1032, 32946: 1032, [PACKBITS]: 64 };

/**
 * Checks that page `page` (1-based in messages) has the strips or tiles its declared size needs
 * and that they hold enough bytes to decode to that size, before anything is allocated: a
 * corrupt width or length must not allocate gigabytes, nor be filled with zeros where the file
 * has no data.
 */
function checkPageData(
  ifd: TiffIfd,
  layout: PageLayout,
  page: number,
  fileSize: number,
  ctx: Context,
): PageData {
  const { width, height, kind, compression } = layout;
  const where = `page ${page + 1}`;
  const sampleBytes = BYTES_PER_SAMPLE[kind] ?? 1;
  // A multi-sample page holds `samples` values per pixel, interleaved or plane after plane.
  const rowBytes = kind === 'bit' ? Math.ceil(width / 8) : sampleBytes * width * layout.samples;
  let parts: number;
  let offsets: ArrayLike<number> | undefined;
  let counts: ArrayLike<number> | undefined;
  let decodedBytes = rowBytes * height;
  let noun: string;
  if (ifd.tiled) {
    const tw = ifd.tileWidth;
    const th = ifd.tileHeight;
    if (
      !(
        tw !== undefined &&
        Number.isInteger(tw) &&
        tw > 0 &&
        th !== undefined &&
        Number.isInteger(th) &&
        th > 0
      )
    )
      throw corrupt(ctx, `${where} is tiled but has no valid tile width and length`);
    parts = Math.ceil(width / tw) * Math.ceil(height / th);
    offsets = ifd.tileOffsets as ArrayLike<number> | undefined;
    counts = ifd.tileByteCounts as ArrayLike<number> | undefined;
    // Each tile decodes to a whole tile, padding included (bilevel rows padded to bytes).
    const tileRowBytes = kind === 'bit' ? Math.ceil(tw / 8) : sampleBytes * tw;
    decodedBytes = Math.max(decodedBytes, parts * th * tileRowBytes);
    noun = 'tile';
  } else {
    // The decoder returns the entry in whatever type it has: a RATIONAL 5/2 made strips of
    // fractional rows, whose copy threw a RangeError.
    const rowsPerStrip = ifd.rowsPerStrip as unknown;
    if (!(Number.isSafeInteger(rowsPerStrip) && (rowsPerStrip as number) > 0))
      throw corrupt(
        ctx,
        `${where} has RowsPerStrip ${String(rowsPerStrip)}, not a positive integer`,
      );
    parts =
      Math.ceil(height / Math.min(ifd.rowsPerStrip, height)) * (layout.planar ? layout.samples : 1);
    offsets = ifd.stripOffsets as ArrayLike<number> | undefined;
    counts = ifd.stripByteCounts as ArrayLike<number> | undefined;
    noun = 'strip';
  }
  const found = offsets?.length ?? 0;
  if (found < parts)
    throw corrupt(
      ctx,
      `${where} declares ${width}×${height} pixels, which need ${parts} ${noun}s, but it has ${found} ${noun} offsets`,
    );
  checkByteIndices(offsets!, counts, parts, noun, where, ctx);
  // Every tile needs its own byte count inside the file: a missing one is not "the rest of the
  // file" (which would let a few bytes stand for any number of tiles).
  if (ifd.tiled) checkTileCounts(offsets!, counts, parts, fileSize, where, ctx);
  let present = 0;
  const ranges: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    const offset = offsets![i]!;
    const available = Math.max(0, fileSize - offset);
    const count =
      counts !== undefined && i < counts.length ? Math.min(counts[i]!, available) : available;
    present += count;
    if (count > 0) ranges.push([offset, offset + count]);
  }
  const ratio = MAX_RATIO[compression] ?? 4096;
  if (decodedBytes > present * ratio) {
    const how =
      compression === 1
        ? ''
        : ` even at the largest ${COMPRESSION_NAMES[compression] ?? ''} compression ratio (${ratio}:1)`;
    throw corrupt(
      ctx,
      `${where} declares ${width}×${height} ${kind} pixels (${decodedBytes} bytes) but its ${noun}s hold ${present} bytes, too few${how} (corrupt size or truncated file)`,
    );
  }
  return { ranges, decodedBytes, ratio };
}

/**
 * The offsets and byte counts of the first `parts` strips or tiles are unsigned integers, as
 * libtiff requires: the decoder returns whatever type the entry has, and a negative (SLONG)
 * offset read the file's last bytes as pixels, a fractional (FLOAT) one was rounded down, an
 * ASCII one was joined to its count as text — each silently.
 */
function checkByteIndices(
  offsets: ArrayLike<unknown>,
  counts: ArrayLike<unknown> | undefined,
  parts: number,
  noun: string,
  where: string,
  ctx: Context,
): void {
  const valid = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  for (let i = 0; i < parts; i++)
    if (!valid(offsets[i]) || (counts !== undefined && i < counts.length && !valid(counts[i])))
      throw corrupt(
        ctx,
        `${where}: ${noun} ${i} has offset ${String(offsets[i])} and byte count ${String(counts?.[i])}, not unsigned integers`,
      );
}

/** The tiles' offsets and byte counts: one of each per tile, each tile inside the file. */
function checkTileCounts(
  offsets: ArrayLike<number>,
  counts: ArrayLike<number> | undefined,
  parts: number,
  fileSize: number,
  where: string,
  ctx: Context,
): void {
  if (counts === undefined || counts.length < parts)
    throw corrupt(
      ctx,
      `${where} needs ${parts} tiles but has ${counts?.length ?? 0} tile byte counts`,
    );
  for (let i = 0; i < parts; i++)
    if (offsets[i]! + counts[i]! > fileSize)
      throw corrupt(ctx, `${where}: tile ${i} runs past the end of the file (truncated?)`);
}

/** What {@link checkPageData} found: the byte ranges of a page's strips or tiles. */
interface PageData {
  ranges: [number, number][];
  decodedBytes: number;
  ratio: number;
}

/**
 * Checks the pages together: their strips or tiles may share bytes (pages pointing at the same
 * strip), so each page holding enough is not enough. The distinct bytes of all strips and tiles,
 * at the largest ratio of the pages' codecs, must decode to the whole volume: otherwise a few KB
 * of pages repeating one Deflate strip would allocate gigabytes.
 */
function checkVolumeData(data: PageData[], ctx: Context): void {
  const ranges = data.flatMap((d) => d.ranges).sort((a, b) => a[0] - b[0]);
  let distinct = 0;
  let end = 0;
  for (const [from, to] of ranges) {
    distinct += Math.max(0, to - Math.max(from, end));
    end = Math.max(end, to);
  }
  const decoded = data.reduce((sum, d) => sum + d.decodedBytes, 0);
  const ratio = data.reduce((most, d) => Math.max(most, d.ratio), 0);
  if (decoded > distinct * ratio)
    throw corrupt(
      ctx,
      `its ${data.length} pages declare ${decoded} bytes of pixels, but their strips and tiles share bytes and hold only ${distinct} distinct bytes, too few even at ${ratio}:1 (pages repeating the same data)`,
    );
}

function describeLayout(layout: PageLayout): string {
  return `${layout.width}×${layout.height} ${layout.kind}`;
}

/**
 * The volume's typed array. A `maxVoxels` raised past what one typed array holds (2³² elements
 * in V8), or memory the system refuses, is an `UnsupportedError`, not a `RangeError`.
 */
function allocate(kind: SampleKind, voxels: number, ctx: Context): TypedArray {
  try {
    return SAMPLE_TYPES[kind].create(voxels);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw unsupported(ctx, `its ${voxels} ${kind} voxels cannot be allocated (${error.message})`);
  }
}

/** Options of {@link decodeTiffVolume}. */
export interface DecodeTiffVolumeOptions {
  /** The most values (pages × samples × height × width) the file may declare. Default 2³¹. */
  maxVoxels?: number;
  /**
   * The caller's name of that limit, which the error of a larger file tells to raise:
   * `'maxVoxels'` (default; the values counted as voxels) or `'maxPixels'` (as pixels).
   */
  limitName?: 'maxVoxels' | 'maxPixels';
  /**
   * Return the pages of ImageJ hyperstacks and OME-TIFFs with several channels or time points in
   * file order, instead of throwing `UnsupportedError`. Default false.
   */
  hyperstacks?: boolean;
  /**
   * Read pages of several samples per pixel (RGB, multi-channel; strips, interleaved or planar —
   * uncompressed, LZW, Deflate, PackBits): each
   * sample becomes one plane, so a page of S samples gives S consecutive planes of the result.
   * Default false: such pages throw `UnsupportedError`.
   */
  samples?: boolean;
  /**
   * 1-bit pages expand to a byte a voxel within 64 MiB + 1032 bytes per byte of the file only
   * (core's `checkExpansion`, whose error names this option as the way to lift the bound);
   * `false` when the caller has set its own size limit. Default `'options.maxVoxels'`.
   */
  expansionBound?: string | false;
}

/** The layout every page of the stack shares (that of the first); corrupt when one differs. */
function stackLayout(layouts: PageLayout[], pages: number[], ctx: Context): PageLayout {
  const first = layouts[0];
  if (first === undefined) throw corrupt(ctx, 'it holds no full-resolution image');
  layouts.forEach((layout, i) => {
    if (
      layout.width !== first.width ||
      layout.height !== first.height ||
      layout.kind !== first.kind ||
      layout.samples !== first.samples ||
      layout.planar !== first.planar
    ) {
      throw corrupt(
        ctx,
        `page ${pages[i]! + 1} is ${describeLayout(layout)} but page ${pages[0]! + 1} is ${describeLayout(first)}; all pages of a stack must match`,
      );
    }
  });
  return first;
}

/**
 * Decodes a grey-level TIFF (one page, or a stack of pages → z) into a {@link Volume} with shape
 * [pages, height, width]. Reduced-resolution pages (thumbnails, pyramids) are skipped.
 * `fn` and `where` name the caller and the file in error messages. Before allocating, every
 * page's declared size is checked against the bytes of its strips or tiles, and the whole
 * volume against `maxVoxels`. With `hyperstacks` and `samples` (see
 * {@link DecodeTiffVolumeOptions}) the planes of multi-channel files come back in file order, for
 * a caller (such as `@cellshape/profile`'s 2D reader) that tells channels and frames apart.
 */
export function decodeTiffVolume(
  input: Uint8Array,
  fn: string,
  where: string,
  options: DecodeTiffVolumeOptions = {},
): Volume {
  return decodeTiff(input, fn, where, options).volume;
}

/**
 * {@link decodeTiffVolume}, with the tags of the first full-resolution page (the volume's first
 * plane), for a caller that reads more of its metadata (read its description with
 * {@link tiffDescription}).
 */
export function decodeTiff(
  input: Uint8Array,
  fn: string,
  where: string,
  options: DecodeTiffVolumeOptions = {},
): { volume: Volume; first: TiffPageTags } {
  const {
    maxVoxels = DEFAULT_MAX_VOXELS,
    hyperstacks = false,
    samples = false,
    expansionBound = 'options.maxVoxels',
    limitName = 'maxVoxels',
  } = options;
  const ctx: Context = { fn, where };
  // The decoder reads through `bytes.buffer`; a view into a larger (pooled) buffer must not let
  // a truncated strip read someone else's bytes.
  const whole =
    input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice();
  const bytes = firstTagsWin(whole, checkIfdChain(whole, ctx), whole[0] === 0x49);
  const decodeOr = (options: Parameters<typeof decode>[1]): TiffIfd[] => {
    try {
      return decode(bytes, options);
    } catch (error) {
      throw corrupt(ctx, `the decoder failed (${(error as Error).message})`, error);
    }
  };
  const headers = decodeOr({ ignoreImageData: true });
  const pages = headers.flatMap((ifd, i) => ((ifd.newSubfileType ?? 0) & 1 ? [] : [i]));
  const layouts = pages.map((p) => pageLayout(headers[p]!, p, ctx, samples));
  const first = stackLayout(layouts, pages, ctx);
  const spacing = readSpacing(headers[pages[0]!]!, pages.length, ctx, hyperstacks);
  const kind: SampleKind = first.kind === 'bit' ? 'uint8' : first.kind;
  // Every sample of a page is a plane of its own.
  const pageSize = first.width * first.height * first.samples;
  const planes = pages.length * first.samples;
  const voxels = pageSize * pages.length;
  if (voxels > maxVoxels)
    throw corrupt(
      ctx,
      `it declares ${planes}×${first.height}×${first.width} = ${voxels} ${limitName === 'maxPixels' ? 'pixels' : 'voxels'}, more than ${limitName} = ${maxVoxels} (raise options.${limitName} to read it)`,
    );
  checkVolumeData(
    pages.map((p, i) => checkPageData(headers[p]!, layouts[i]!, p, bytes.length, ctx)),
    ctx,
  );
  // Bilevel pages decode to a byte a pixel, 8× their decoded bits.
  if (first.kind === 'bit' && expansionBound !== false)
    checkExpansion(fn, where, voxels, bytes.length, '1-bit pixels as bytes', expansionBound);
  const data = allocate(kind, voxels, ctx);
  const littleEndian = bytes[0] === 0x49;
  pages.forEach((p, z) => {
    const ifd = headers[p]!;
    const page = { bytes, ifd, layout: first, littleEndian, out: data, start: z * pageSize, ctx };
    if (ifd.tiled) readTiledPage(page);
    else readStripPage(page);
  });
  const volume: Volume = { data, shape: [planes, first.height, first.width] };
  if (spacing) volume.spacing = spacing;
  return { volume, first: headers[pages[0]!]! };
}
