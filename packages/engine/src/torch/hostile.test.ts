import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatError } from '@cellshape/core';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from './read-checkpoint.js';

// Hostile `.pt` files of issue 17, each built in code: a real archive (tensors.pt, written by
// torch.save) whose data.pkl is replaced by a minimal hand-written pickle.

const tensorsPt = readFileSync(fileURLToPath(new URL('./fixtures/tensors.pt', import.meta.url)));

/** The `.pt` archive of tensors.pt with `pickle` as its data.pkl (storages 0.. kept). */
function pt(pickle: ArrayLike<number>): Uint8Array {
  const entries = unzipSync(tensorsPt);
  entries['tensors/data.pkl'] = Uint8Array.from(pickle);
  return zipSync(entries, { level: 0 });
}

const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
/** BINUNICODE `s`. */
const str = (s: string): number[] => {
  const b = strToU8(s);
  return [0x58, ...u32(b.length), ...b];
};
/** BININT `n` (signed 32-bit). */
const int = (n: number): number[] => [0x4a, ...u32(n >>> 0)];
/** GLOBAL `module name`. */
const global = (module: string, name: string): number[] => [
  0x63,
  ...strToU8(`${module}\n${name}\n`),
];
const PROTO = [0x80, 0x02];
const STOP = 0x2e;

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('readTorchCheckpoint: hostile pickles (issue 17)', () => {
  it('invalid UTF-8 in a GLOBAL name is a FormatError', () => {
    const bytes = pt([...PROTO, 0x63, 0xff, 0xfe, 0x0a, ...strToU8('x\n'), STOP]);
    const error = thrown(() => readTorchCheckpoint(bytes));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(
      /^readTorchCheckpoint: corrupt pickle: invalid UTF-8 in a GLOBAL name/,
    );
  });

  it('APPENDS of 200,000 items neither overflows the stack nor loses items', () => {
    const n = 200_000;
    const pickle = [...PROTO, 0x5d, 0x28, ...new Array<number>(n).fill(0x4e), 0x65, STOP];
    const list = readTorchCheckpoint(pt(pickle)) as unknown[];
    expect(list).toHaveLength(n);
    expect(list.every((v) => v === null)).toBe(true);
  });

  it('decodes a 64 KB LONG4 in linear time and exactly', () => {
    const n = 65_536;
    const minusOne = [...PROTO, 0x8b, ...u32(n), ...new Array<number>(n).fill(0xff), STOP];
    expect(readTorchCheckpoint(pt(minusOne))).toBe(-1);
    const big = [...PROTO, 0x8b, ...u32(n), ...new Array<number>(n - 1).fill(0), 0x40, STOP];
    expect(readTorchCheckpoint(pt(big))).toBe(1n << BigInt(8 * n - 2));
  });

  it('a storage of negative length is a FormatError', () => {
    const pickle = [
      ...PROTO,
      0x28,
      ...str('storage'),
      ...global('torch', 'FloatStorage'),
      ...str('0'),
      ...str('cpu'),
      ...int(-1),
      0x74,
      0x51,
      STOP,
    ];
    const error = thrown(() => readTorchCheckpoint(pt(pickle)));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(/unexpected persistent id/);
  });
});
