import type { Rng } from '@cellshape/core';

/**
 * Format-blind byte mutators. Each takes the seed's bytes and a seeded {@link Rng} and returns
 * new bytes (never the input), so a case is reproduced from (target, seed index, case seed).
 */

/**
 * A named mutation. `mustReject` marks a mutator whose every mutant the reader must refuse (a
 * changed byte in a stored zip member: the CRC-32 no longer matches); it is applied alone.
 */
export interface Mutator {
  readonly name: string;
  readonly mustReject?: boolean;
  /** Whether the mutator can change these bytes (default: always). */
  applies?(bytes: Uint8Array): boolean;
  mutate(bytes: Uint8Array, rng: Rng): Uint8Array;
}

/** Integers that sit on the edges readers get wrong: sizes, counts, signs, 32/53-bit limits. */
export const INTERESTING = [
  0,
  1,
  2,
  3,
  7,
  8,
  255,
  256,
  0x7fff,
  0xffff,
  0x10000,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  -1,
  -(2 ** 31),
] as const;

/** Interesting numbers as text (for headers, CSV, JSON). */
export const INTERESTING_TEXT = [
  ...INTERESTING.map(String),
  '9007199254740993',
  '1e39',
  '-1e39',
  '3.4028236e38',
  '1e308',
  '1e309',
  '-0',
  '0.5',
  'NaN',
  'nan',
  'inf',
  '-Infinity',
  '',
  '1e-400',
  '0x10',
  '99999999999999999999999',
];

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Writes `value` as an unsigned or two's-complement integer of `size` bytes at `at`. */
export function writeInt(
  out: Uint8Array,
  at: number,
  size: 1 | 2 | 4 | 8,
  value: number,
  littleEndian: boolean,
): void {
  let v = BigInt.asUintN(size * 8, BigInt(Math.trunc(value)));
  for (let i = 0; i < size && at + i < out.length; i++) {
    const index = littleEndian ? at + i : at + size - 1 - i;
    if (index >= 0 && index < out.length) out[index] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function runBounds(rng: Rng, length: number, maxRun = 64): [number, number] {
  const start = rng.int(length + 1);
  const run = 1 + rng.int(Math.min(maxRun, Math.max(1, length - start + 1)));
  return [start, Math.min(length, start + run)];
}

export function splice(
  bytes: Uint8Array,
  at: number,
  remove: number,
  insert: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

export const GENERIC_MUTATORS: readonly Mutator[] = [
  {
    name: 'bit-flips',
    mutate(bytes, rng) {
      const out = copy(bytes);
      const flips = 1 + rng.int(4);
      for (let i = 0; i < flips && out.length > 0; i++)
        out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    },
  },
  {
    name: 'random-bytes',
    mutate(bytes, rng) {
      const out = copy(bytes);
      const n = 1 + rng.int(8);
      for (let i = 0; i < n && out.length > 0; i++) out[rng.int(out.length)] = rng.int(256);
      return out;
    },
  },
  {
    name: 'truncate',
    mutate(bytes, rng) {
      return bytes.slice(0, rng.int(bytes.length + 1));
    },
  },
  {
    name: 'insert-run',
    mutate(bytes, rng) {
      return splice(bytes, rng.int(bytes.length + 1), 0, randomBytes(rng, 1 + rng.int(32)));
    },
  },
  {
    name: 'delete-run',
    mutate(bytes, rng) {
      const [start, end] = runBounds(rng, bytes.length);
      return splice(bytes, start, end - start, new Uint8Array(0));
    },
  },
  {
    name: 'duplicate-run',
    mutate(bytes, rng) {
      const [start, end] = runBounds(rng, bytes.length, 256);
      return splice(bytes, rng.int(bytes.length + 1), 0, bytes.slice(start, end));
    },
  },
  {
    name: 'interesting-int',
    mutate(bytes, rng) {
      const out = copy(bytes);
      const size = pick(rng, [1, 2, 4, 8] as const);
      writeInt(
        out,
        rng.int(Math.max(1, out.length)),
        size,
        pick(rng, INTERESTING),
        rng.next() < 0.7,
      );
      return out;
    },
  },
  {
    name: 'interesting-number-text',
    mutate(bytes, rng) {
      return replaceNumberText(bytes, rng);
    },
  },
];

/** Replaces one ASCII number in `bytes` (if any) with an interesting one. */
export function replaceNumberText(
  bytes: Uint8Array,
  rng: Rng,
  from = 0,
  to = bytes.length,
): Uint8Array {
  const starts: number[] = [];
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    const prev = i > 0 ? bytes[i - 1]! : 0;
    const isDigit = c >= 0x30 && c <= 0x39;
    const prevNumeric = (prev >= 0x30 && prev <= 0x39) || prev === 0x2e || prev === 0x2d;
    if (isDigit && !prevNumeric) starts.push(i);
    if (starts.length > 4096) break;
  }
  if (starts.length === 0) return copy(bytes);
  const start = pick(rng, starts);
  let end = start;
  while (end < to && /[0-9.eE+-]/.test(String.fromCharCode(bytes[end]!))) end++;
  const text = new TextEncoder().encode(pick(rng, INTERESTING_TEXT));
  return splice(bytes, start, end - start, text);
}

/** Applies 1–`most` mutators picked from `mutators`; returns the mutant and the names used. */
export function mutateWith(
  bytes: Uint8Array,
  rng: Rng,
  mutators: readonly Mutator[],
  most = 3,
): { bytes: Uint8Array; names: string[]; mustReject: boolean } {
  const first = pick(
    rng,
    mutators.filter((m) => m.applies?.(bytes) ?? true),
  );
  if (first.mustReject)
    return { bytes: first.mutate(bytes, rng), names: [first.name], mustReject: true };
  const chain = mutators.filter((m) => !m.mustReject);
  const rounds = 1 + rng.int(most);
  const names = [first.name];
  let out = first.mutate(bytes, rng);
  // Mutants stay small (growth mutators compound): the memory oracle measures the reader, not
  // an input of hundreds of MB.
  const maxLength = 4 * bytes.length + 2 ** 20;
  for (let i = 1; i < rounds && out.length <= maxLength; i++) {
    const m = pick(rng, chain);
    const next = m.mutate(out, rng);
    if (next.length > maxLength) break;
    out = next;
    names.push(m.name);
  }
  return { bytes: out, names, mustReject: false };
}
