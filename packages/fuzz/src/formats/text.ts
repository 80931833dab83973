import { INTERESTING_TEXT, type Mutator, pick, replaceNumberText, splice } from '../mutate.js';

/**
 * Text-aware mutators for PLY headers, OFF, OBJ, CSV, `.npy` headers and JSON: tokens replaced
 * by format words or interesting numbers, lines duplicated, deleted or swapped, quotes and
 * separators inserted. Each works inside `[from, to)` given by a `region` of the bytes (the PLY
 * or `.npy` header, say), so binary bodies stay intact unless another mutator changes them.
 */

type Region = (bytes: Uint8Array) => [number, number];

const whole: Region = (bytes) => [0, bytes.length];
const encoder = new TextEncoder();

/** Token starts and ends: runs of word characters, within the region. */
function tokens(bytes: Uint8Array, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  const word = (c: number): boolean => /[A-Za-z0-9_.+$-]/.test(String.fromCharCode(c));
  for (let i = from; i < to && out.length < 4096; ) {
    if (!word(bytes[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < to && word(bytes[j]!)) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Line starts (after each newline) within the region. */
function lines(bytes: Uint8Array, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let start = from;
  for (let i = from; i < to && out.length < 4096; i++) {
    if (bytes[i] === 0x0a) {
      out.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < to) out.push([start, to]);
  return out;
}

/** Text mutators over `region`, replacing tokens with words from `vocabulary`. */
export function textMutators(
  prefix: string,
  vocabulary: readonly string[],
  region: Region = whole,
): Mutator[] {
  const words = [...vocabulary, ...INTERESTING_TEXT];
  return [
    {
      name: `${prefix}-token`,
      mutate(bytes, rng) {
        const [from, to] = region(bytes);
        const ts = tokens(bytes, from, to);
        if (ts.length === 0) return bytes.slice();
        const [s, e] = pick(rng, ts);
        return splice(bytes, s, e - s, encoder.encode(pick(rng, words)));
      },
    },
    {
      name: `${prefix}-number`,
      mutate(bytes, rng) {
        const [from, to] = region(bytes);
        return replaceNumberText(bytes, rng, from, to);
      },
    },
    {
      name: `${prefix}-line`,
      mutate(bytes, rng) {
        const [from, to] = region(bytes);
        const ls = lines(bytes, from, to);
        if (ls.length === 0) return bytes.slice();
        const [s, e] = pick(rng, ls);
        const choice = rng.int(3);
        if (choice === 0) return splice(bytes, s, 0, bytes.slice(s, e)); // duplicate
        if (choice === 1) return splice(bytes, s, e - s, new Uint8Array(0)); // delete
        const [s2] = pick(rng, ls); // move a line before another
        const moved = splice(bytes, s, e - s, new Uint8Array(0));
        const at = s2 > s ? s2 - (e - s) : s2;
        return at >= 0 && at <= moved.length ? splice(moved, at, 0, bytes.slice(s, e)) : moved;
      },
    },
    {
      name: `${prefix}-punctuation`,
      mutate(bytes, rng) {
        const [from, to] = region(bytes);
        const at = from + rng.int(Math.max(1, to - from));
        const insert = pick(rng, [
          '"',
          '""',
          ',',
          ';',
          '\t',
          ' ',
          '\r',
          '\n',
          '\r\n',
          '\ufeff',
          '#',
          '/',
          '\u0000',
          '"\n"',
          '{',
          '}',
          '[',
          ']',
          ':',
        ]);
        return splice(bytes, Math.min(at, bytes.length), 0, encoder.encode(insert));
      },
    },
    longRun(prefix, region),
  ];
}

/** The PLY header: up to and including `end_header`. */
export const plyHeader: Region = (bytes) => {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const end = text.indexOf('end_header');
  return [0, end < 0 ? Math.min(bytes.length, 4096) : end + 'end_header'.length];
};

/** The `.npy` header dict. */
export const npyHeader: Region = (bytes) => [
  Math.min(10, bytes.length),
  Math.min(bytes.length, 10 + (bytes[8]! | (bytes[9]! << 8))),
];

export const PLY_WORDS = [
  'ply',
  'format',
  'ascii',
  'binary_little_endian',
  'binary_big_endian',
  '1.0',
  'element',
  'vertex',
  'face',
  'property',
  'list',
  'char',
  'uchar',
  'short',
  'ushort',
  'int',
  'uint',
  'float',
  'double',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'float32',
  'float64',
  'x',
  'y',
  'z',
  'nx',
  'ny',
  'nz',
  'vertex_indices',
  'vertex_index',
  'comment',
  'obj_info',
  'end_header',
  'edge',
  'string',
  // Names of Object.prototype members (a type lookup in a plain object found them) and an
  // end_header that is not a line of its own.
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  'comment end_header',
] as const;

export const NPY_WORDS = [
  '<f4',
  '<f8',
  '<f2',
  '>f4',
  '>f8',
  '|b1',
  '|u1',
  '|i1',
  '<i2',
  '<u2',
  '<i4',
  '<u4',
  '<i8',
  '<u8',
  '>i8',
  '|O',
  '<c8',
  '<f16',
  '<i3',
  '<U4',
  'True',
  'False',
  'descr',
  'fortran_order',
  'shape',
] as const;

export const MESH_WORDS = [
  'OFF',
  'COFF',
  'NOFF',
  'v',
  'vn',
  'vt',
  'f',
  'o',
  'g',
  's',
  'l',
  '1//1',
  '1/1/1',
  '-1',
  'solid',
  'facet',
  'normal',
  'outer',
  'loop',
  'vertex',
  'endloop',
  'endfacet',
  'endsolid',
  '\r',
] as const;

export const CSV_WORDS = [
  'x',
  'y',
  'z',
  'nx',
  'ny',
  'nz',
  'id',
  'label',
  '"x"',
  '"',
  '""',
  '"1,2"',
  'true',
  'NA',
  '__proto__',
] as const;

export const JSON_WORDS = [
  'null',
  'true',
  'false',
  '{}',
  '[]',
  '"x"',
  '{"$bigint":"1"}',
  '{"$bigint":"abc"}',
  '{"$map":[[1,2]]}',
  '{"$map":5}',
  '{"$npy":"toString"}',
  '{"$npy":"__proto__"}',
  '{"$typed":"constructor"}',
  '{"$number":"NaN"}',
  '{"$number":"x"}',
  '"__proto__"',
  '[[[[[[[[[[[[1]]]]]]]]]]]]',
  '1e400',
  '-0',
  '1.5',
] as const;

/** Same-length-free text mutators over the whole content: for OFF, OBJ, ASCII STL, CSV. */
export function wholeText(prefix: string, words: readonly string[]): Mutator[] {
  return textMutators(prefix, words, whole);
}

/**
 * 100–200 KB of one short piece: enough for a parser that backtracks or searches again from
 * every position of a run (quadratic) to blow the time budget, as `\r` runs did in CSV point
 * clouds (40 KB took 2 s) and `""` runs in quoted CSV fields.
 */
function longRun(prefix: string, region: Region): Mutator {
  return {
    name: `${prefix}-long-run`,
    mutate(bytes, rng) {
      const [from, to] = region(bytes);
      const at = from + rng.int(Math.max(1, to - from));
      const piece = encoder.encode(
        pick(rng, ['\r', '""', ' ', '\t', '\f', 'a', '0', '#', '<Pixels ']),
      );
      const run = new Uint8Array(
        piece.length * Math.ceil((100_000 + rng.int(100_000)) / piece.length),
      );
      for (let i = 0; i < run.length; i += piece.length) run.set(piece, i);
      return splice(bytes, Math.min(at, bytes.length), 0, run);
    },
  };
}
