import { INTERESTING, type Mutator, pick, splice, writeInt } from '../mutate.js';

/**
 * Pickle-aware mutators for the `data.pkl` member of a `.pt` archive: opcodes swapped for
 * others, integer arguments overwritten with interesting values, and structure snippets
 * (deep nesting, memo references, self-containing lists, huge counts) inserted.
 */

const OPCODES = [
  0x28, 0x29, 0x5d, 0x7d, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x8b,
  0x58, 0x8c, 0x8d, 0x8e, 0x42, 0x43, 0x54, 0x55, 0x56, 0x63, 0x93, 0x52, 0x62, 0x51, 0x71, 0x72,
  0x68, 0x6a, 0x94, 0x61, 0x65, 0x73, 0x75, 0x74, 0x85, 0x86, 0x87, 0x80, 0x95, 0x81, 0x92, 0x47,
  0x49, 0x4c,
];

const enc = new TextEncoder();
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

/** Snippets inserted before a random opcode. */
const SNIPPETS: (() => number[])[] = [
  () => new Array<number>(2000).fill(0x28), // 2000 MARKs
  () => [...new Array<number>(1500).fill(0x5d), ...new Array<number>(1500).fill(0x61)], // deep lists
  () => [0x5d, 0x71, 0x00, 0x68, 0x00, 0x61], // a list that contains itself
  () => [0x68, 0xff], // BINGET of a missing memo slot
  () => [0x6a, ...u32(0xffffffff)], // LONG_BINGET
  () => [0x8a, 0xff, 0x01], // LONG1 claiming 255 bytes
  () => [0x8b, ...u32(0x7fffffff)], // LONG4 huge
  () => [0x58, ...u32(0xfffffff0)], // BINUNICODE huge
  () => [0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // BINUNICODE8
  () => [0x63, ...enc.encode('os\nsystem\n')], // a forbidden global
  () => [0x63, ...enc.encode('torch\nFloatStorage\n')],
  () => [0x4a, ...u32(0xffffffff), 0x85], // (-1,)
  () => [0x95, 0, 0, 0, 0, 0, 0, 0, 0x80], // FRAME with a huge length
  () => [0x29, 0x29, 0x86, 0x85, 0x52], // REDUCE of nonsense
];

/** Positions of opcodes followed by a little-endian int argument, with its size. */
function intArgs(bytes: Uint8Array): [number, 1 | 2 | 4][] {
  const out: [number, 1 | 2 | 4][] = [];
  for (let i = 0; i + 1 < bytes.length; i++) {
    const op = bytes[i]!;
    if (op === 0x4b || op === 0x71 || op === 0x68) out.push([i + 1, 1]);
    else if (op === 0x4d) out.push([i + 1, 2]);
    else if (op === 0x4a || op === 0x72 || op === 0x6a || op === 0x58) out.push([i + 1, 4]);
  }
  return out;
}

/** Mutations of a pickle's bytes. */
export function mutatePickle(pickle: Uint8Array, rng: import('@cellshape/core').Rng): Uint8Array {
  const choice = rng.int(3);
  if (choice === 0 && pickle.length > 0) {
    const out = pickle.slice();
    out[rng.int(out.length)] = pick(rng, OPCODES);
    return out;
  }
  if (choice === 1) {
    const args = intArgs(pickle);
    if (args.length > 0) {
      const out = pickle.slice();
      const [at, size] = pick(rng, args);
      writeInt(out, at, size, pick(rng, INTERESTING), true);
      return out;
    }
  }
  // Right after PROTO (so the rest still parses) or anywhere.
  const afterProto = pickle[0] === 0x80 && rng.next() < 0.5;
  const at = afterProto ? 2 : rng.int(Math.max(1, pickle.length));
  return splice(pickle, at, 0, Uint8Array.from(pick(rng, SNIPPETS)()));
}

export type { Mutator };
