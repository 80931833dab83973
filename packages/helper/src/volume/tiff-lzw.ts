/**
 * TIFF's LZW (compression 5, TIFF 6.0 §13): codes of 9 to 12 bits, most significant bit first;
 * 256 clears the table, 257 ends the data; the code width grows one code early (when the next
 * free entry reaches 2^width − 1), as libtiff writes it.
 */

const CLEAR = 256;
const END = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

/**
 * The string table, shared by every call (decoding is synchronous): entry c is the string of
 * entry `prefix[c]` followed by byte `suffix[c]`, `length[c]` bytes long. The 256 single bytes
 * never change; a call overwrites only the entries it defines before reading them.
 */
const table = {
  prefix: new Int16Array(MAX_CODES),
  suffix: Uint8Array.from({ length: MAX_CODES }, (_, c) => (c < 256 ? c : 0)),
  length: Uint16Array.from({ length: MAX_CODES }, (_, c) => (c < 256 ? 1 : 0)),
};

/** Why {@link decodeLzw} stopped short: the caller words the error. */
export class LzwError extends Error {}

/**
 * Decodes `input` into `out`, stopping when `out` is full (a strip or tile may hold more than its
 * rows need) or at the end code; returns the bytes written. Work is bounded by
 * `input.length + out.length`: every code read either writes at least one byte or clears the
 * table, and two clears in a row are refused.
 */
export function decodeLzw(input: Uint8Array, out: Uint8Array): number {
  const { prefix, suffix, length } = table;
  let next = FIRST_FREE;
  let width = 9;
  let old = -1;
  let bitPos = 0;
  let o = 0;
  let clears = 0;
  const totalBits = input.length * 8;
  while (o < out.length && bitPos + width <= totalBits) {
    const code = readCode(input, bitPos, width);
    bitPos += width;
    if (code === END) break;
    if (code === CLEAR) {
      if (++clears > 1) throw new LzwError('two clear codes in a row');
      next = FIRST_FREE;
      width = 9;
      old = -1;
      continue;
    }
    clears = 0;
    if (old < 0) {
      if (code > 255) throw new LzwError(`code ${code} before any string was defined`);
      out[o++] = code;
      old = code;
      continue;
    }
    if (code > next || (code === next && next >= MAX_CODES))
      throw new LzwError(`code ${code} is not yet defined (next free entry ${next})`);
    // code === next: the string of `old` followed by its own first byte (the KwKwK case).
    const known = code < next;
    const written = writeString(known ? code : old, prefix, suffix, length, out, o);
    if (!known && o + written < out.length) out[o + written] = out[o]!;
    const first = out[o]!;
    o += known ? written : Math.min(written + 1, out.length - o);
    if (next < MAX_CODES) {
      prefix[next] = old;
      suffix[next] = first;
      length[next] = length[old]! + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    old = code;
  }
  return o;
}

/** The `width`-bit code at bit `bitPos` of `input`, most significant bit first. */
function readCode(input: Uint8Array, bitPos: number, width: number): number {
  const byte = bitPos >> 3;
  // 24 bits from the code's first byte hold any code of up to 12 bits (missing bytes read as 0).
  const window = (input[byte]! << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
  return (window >> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
}

/**
 * Writes the string of `code` at `out[o]` (clipped to `out`) by walking its prefixes from the
 * last byte back; returns its full length.
 */
function writeString(
  code: number,
  prefix: Int16Array,
  suffix: Uint8Array,
  length: Uint16Array,
  out: Uint8Array,
  o: number,
): number {
  const n = length[code]!;
  let c = code;
  for (let i = n - 1; i >= 0; i--) {
    if (o + i < out.length) out[o + i] = suffix[c]!;
    c = prefix[c]!;
  }
  return n;
}
