import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatError, InvalidArgumentError, UnsupportedError } from '@cellshape/core';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_TORCH_CHECKPOINT_DEPTH, readTorchCheckpoint } from './read-checkpoint.js';

// Hostile `.pt` files of issue 17, each built in code: a real archive (tensors.pt, written by
// torch.save) whose data.pkl is replaced by a minimal hand-written pickle.

const tensorsPt = readFileSync(fileURLToPath(new URL('./fixtures/tensors.pt', import.meta.url)));

/** Storage `s` of {@link pt}: 24 float32 elements. */
const BASE = Float32Array.from({ length: 24 }, (_, i) => i / 8);

/** The `.pt` archive of tensors.pt with `pickle` as its data.pkl, plus storage `s` (BASE). */
function pt(pickle: ArrayLike<number>): Uint8Array {
  const entries = unzipSync(tensorsPt);
  entries['tensors/data.pkl'] = Uint8Array.from(pickle);
  entries['tensors/data/s'] = new Uint8Array(BASE.buffer);
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
/** A non-negative int: BININT below 2^31, else LONG1 (as pickle writes it). */
const num = (n: number): number[] => {
  if (n < 2 ** 31) return int(n);
  const b: number[] = [];
  for (let v = BigInt(n); v > 0n; v >>= 8n) b.push(Number(v & 0xffn));
  if (b[b.length - 1]! & 0x80) b.push(0);
  return [0x8a, b.length, ...b];
};
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

  it('refuses a LONG4 longer than 64 KiB (BigInt throws a RangeError at 128 MiB)', () => {
    // 2^27 bytes with the sign bit set threw an untyped RangeError (a ~9 MB deflated .pt).
    const n = 65_537;
    const long = [...PROTO, 0x8b, ...u32(n), ...new Array<number>(n).fill(0xff), STOP];
    const error = thrown(() => readTorchCheckpoint(pt(long)));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toBe(
      'readTorchCheckpoint: the pickle holds a 65537-byte int (LONG4); ints of more than 65536 bytes are not supported',
    );
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

/** `_rebuild_tensor_v2(storage 's' (float32, 24 elements), offset, size, stride)`. */
function view(offset: number, size: number[], stride: number[]): number[] {
  const tuple = (items: number[]) => [0x28, ...items.flatMap(num), 0x74];
  return [
    ...global('torch._utils', '_rebuild_tensor_v2'),
    0x28,
    0x28,
    ...str('storage'),
    ...global('torch', 'FloatStorage'),
    ...str('s'),
    ...str('cpu'),
    ...int(24),
    0x74,
    0x51,
    ...int(offset),
    ...tuple(size),
    ...tuple(stride),
    0x89,
    ...global('collections', 'OrderedDict'),
    0x29,
    0x52,
    0x74,
    0x52,
  ];
}

describe('readTorchCheckpoint: tensor views that expand a tiny storage (issue 17, cause 2)', () => {
  const base = BASE;

  it('reads a small broadcast view (stride 0) as before', () => {
    const t = readTorchCheckpoint(pt([...PROTO, ...view(3, [2, 5], [0, 1]), STOP]));
    expect(t).toEqual({
      data: Float32Array.from([...base.slice(3, 8), ...base.slice(3, 8)]),
      shape: [2, 5],
      dtype: 'float32',
    });
  });

  it('refuses a stride-0 view of 2^28 elements of a 24-element storage', () => {
    const bytes = pt([...PROTO, ...view(0, [2 ** 28], [0]), STOP]);
    expect(bytes.length).toBeLessThan(4096);
    const error = thrown(() => readTorchCheckpoint(bytes));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe(
      'readTorchCheckpoint: tensor view (offset 0, size [268435456], stride [0]) of storage "s" would expand its 24 elements to 268435456 (a broadcast or overlapping view), more than maxElements 16777216',
    );
  });

  it('refuses 2^31 - 1, 2^32 and 2^33 elements, and huge multi-dimensional products', () => {
    for (const size of [[2 ** 31 - 1], [2 ** 32], [2 ** 33], [2 ** 20, 2 ** 20, 2 ** 20]]) {
      const bytes = pt([
        ...PROTO,
        ...view(
          0,
          size,
          size.map(() => 0),
        ),
        STOP,
      ]);
      const error = thrown(() => readTorchCheckpoint(bytes));
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).message).toMatch(/of storage "s" would expand its 24 elements/);
    }
  });

  it('refuses a view outside its storage even when its products exceed 2^53', () => {
    const bytes = pt([...PROTO, ...view(0, [2 ** 40, 2], [2 ** 40, 0]), STOP]);
    const error = thrown(() => readTorchCheckpoint(bytes));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(/lies outside its storage of 24 elements/);
  });

  it('maxElements raises or lowers the bound, and is checked', () => {
    const bytes = pt([...PROTO, ...view(0, [100], [0]), STOP]);
    expect(() => readTorchCheckpoint(bytes, { maxElements: 99 })).toThrow(
      /more than maxElements 99/,
    );
    expect(
      (readTorchCheckpoint(bytes, { maxElements: 100 }) as { data: Float32Array }).data,
    ).toEqual(new Float32Array(100));
    expect(() => readTorchCheckpoint(bytes, { maxElements: 0 })).toThrow(InvalidArgumentError);
    expect(() => readTorchCheckpoint(bytes, { maxElements: 1.5 })).toThrow(/options.maxElements/);
  });

  it('bounds all views together: many full views of one storage', () => {
    // A list of 40 separate views of the whole 24-element storage: 960 elements from 24.
    const pickle = [...PROTO, 0x5d, 0x28];
    for (let i = 0; i < 40; i++) pickle.push(...view(0, [24], [1]));
    pickle.push(0x65, STOP);
    expect(readTorchCheckpoint(pt(pickle))).toHaveLength(40);
    const error = thrown(() => readTorchCheckpoint(pt(pickle), { maxElements: 100 }));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(
      /hold 168 elements, more than maxElements 100 plus twice the 24 elements of the storages read/,
    );
  });
});

describe('readTorchCheckpoint: deep and self-containing structures (issue 17, cause 10)', () => {
  /** `depth` nested 1-tuples around None. */
  const nested = (depth: number): number[] => [
    ...PROTO,
    0x4e,
    ...new Array<number>(depth).fill(0x85),
    STOP,
  ];

  it('reads 1000 nested tuples', () => {
    let value = readTorchCheckpoint(pt(nested(MAX_TORCH_CHECKPOINT_DEPTH)));
    let depth = 0;
    while (Array.isArray(value)) {
      expect(value).toHaveLength(1);
      value = value[0] as typeof value;
      depth++;
    }
    expect(depth).toBe(1000);
    expect(value).toBeNull();
  });

  it('refuses 1001 and 10,000 nested tuples with a FormatError', () => {
    for (const depth of [1001, 10_000]) {
      const error = thrown(() => readTorchCheckpoint(pt(nested(depth))));
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).message).toBe(
        'readTorchCheckpoint: lists, tuples and dicts are nested more than 1000 deep',
      );
    }
  });

  it('counts the depth through a shared list reached at several depths', () => {
    // l = 998 nested 1-tuples; the result is (l, l), then (l, (((l)))) with the second l 3 deeper.
    const inner = [0x4e, ...new Array<number>(998).fill(0x85), 0x71, 0]; // memo 0 = l (depth 998)
    const ok = [...PROTO, ...inner, 0x68, 0, 0x86, STOP]; // (l, l): depth 999
    expect(() => readTorchCheckpoint(pt(ok))).not.toThrow();
    const deep = [...PROTO, ...inner, 0x68, 0, 0x85, 0x85, 0x85, 0x86, STOP]; // depth 1002
    expect(() => readTorchCheckpoint(pt(deep))).toThrow(/nested more than 1000 deep/);
  });

  it('refuses a list or a dict that contains itself', () => {
    // l = []; l.append(l)
    const list = [...PROTO, 0x5d, 0x71, 0, 0x68, 0, 0x61, STOP];
    const error = thrown(() => readTorchCheckpoint(pt(list)));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe(
      'readTorchCheckpoint: a list of the checkpoint contains itself',
    );
    // d = {}; d['a'] = [d]
    const dict = [...PROTO, 0x7d, 0x71, 0, ...str('a'), 0x68, 0, 0x85, 0x73, STOP];
    expect(() => readTorchCheckpoint(pt(dict))).toThrow(
      /^readTorchCheckpoint: a dict of the checkpoint contains itself$/,
    );
  });

  it('refuses an OrderedDict whose key is a list (which could hide a cycle)', () => {
    // OrderedDict([([], 1)])
    const pickle = [
      ...PROTO,
      ...global('collections', 'OrderedDict'),
      0x5d,
      0x5d,
      ...int(1),
      0x86,
      0x61,
      0x85,
      0x52,
      STOP,
    ];
    const error = thrown(() => readTorchCheckpoint(pt(pickle)));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toBe(
      'readTorchCheckpoint: OrderedDict keys other than str, int, bool or None',
    );
    const ok = [
      ...PROTO,
      ...global('collections', 'OrderedDict'),
      0x5d,
      ...str('k'),
      ...int(1),
      0x86,
      0x61,
      0x85,
      0x52,
      STOP,
    ];
    expect(readTorchCheckpoint(pt(ok))).toEqual(new Map([['k', 1]]));
  });

  it('keeps one shared list shared (not a cycle)', () => {
    const shared = [...PROTO, 0x5d, 0x71, 0, 0x68, 0, 0x86, STOP]; // l = []; (l, l)
    const value = readTorchCheckpoint(pt(shared)) as unknown[][];
    expect(value).toEqual([[], []]);
    expect(value[0]).toBe(value[1]);
  });
});

describe('readTorchCheckpoint: a long byteorder record (issue 17, adversarial review)', () => {
  it('is a FormatError, not decoded whole', () => {
    // Deflated, 600 MB of it came from ~600 KB and threw a plain Error when decoded.
    const entries = unzipSync(tensorsPt);
    const name = 'tensors/byteorder'; // as torch ≥ 2.1 writes it
    entries[name] = new Uint8Array(65).fill(0x20);
    const error = thrown(() => readTorchCheckpoint(zipSync(entries, { level: 0 })));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe(
      `readTorchCheckpoint: the archive's ${name} record is 65 bytes long, not "little" or "big"`,
    );
    entries[name] = strToU8('little  \n');
    expect(readTorchCheckpoint(zipSync(entries, { level: 0 }))).toBeInstanceOf(Map);
  });
});

describe('readTorchCheckpoint: zip limits', () => {
  it('maxEntries and maxBytes bound the archive, before anything is inflated', () => {
    const entries = Object.keys(unzipSync(tensorsPt));
    const inflated = Object.values(unzipSync(tensorsPt)).reduce((sum, e) => sum + e.length, 0);
    expect(() => readTorchCheckpoint(tensorsPt, { maxEntries: entries.length - 1 })).toThrow(
      new RegExp(
        `^readTorchCheckpoint: not a valid zip archive \\(${entries.length} entries, more than options.maxEntries ${entries.length - 1}\\)$`,
      ),
    );
    expect(() => readTorchCheckpoint(tensorsPt, { maxBytes: inflated - 1 })).toThrow(
      /^readTorchCheckpoint: not a valid zip archive \(its entries inflate to more than options.maxBytes/,
    );
    expect(
      readTorchCheckpoint(tensorsPt, { maxEntries: entries.length, maxBytes: inflated }),
    ).toEqual(readTorchCheckpoint(tensorsPt));
    expect(() => readTorchCheckpoint(tensorsPt, { maxBytes: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('readTorchCheckpoint: a deflated data.pkl that builds far more than the file (issue 17, adversarial review)', () => {
  /** An archive whose data.pkl is `count` EMPTY_DICT opcodes, deflated or stored. */
  function dicts(count: number, level: 0 | 9): Uint8Array {
    const pickle = new Uint8Array(count + 3);
    pickle.set(PROTO);
    pickle.fill(0x7d, 2, count + 2);
    pickle[count + 2] = STOP;
    return zipSync({ 'archive/data.pkl': pickle }, { level });
  }

  it('refuses a pickle that inflates to more than 64 KiB + 16 × the archive', () => {
    // 3 MB of `}` deflate to 3 KB; unpickled they were 3 million Maps, 750 MB.
    const bomb = dicts(3_000_000, 9);
    const error = thrown(() => readTorchCheckpoint(bomb));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toBe(
      `readTorchCheckpoint: the archive's archive/data.pkl inflates to 3000003 bytes, more than the ${2 ** 16 + 16 * bomb.length} (64 KiB + 16 × the ${bomb.length}-byte archive) an entry parsed into objects may hold (a zip bomb?)`,
    );
  });

  it('still unpickles a stored pickle of any size and a small deflated one', () => {
    // Both reach STOP with 2 000 dicts on the stack: the unpickler ran to the end.
    for (const archive of [dicts(2_000, 0), dicts(2_000, 9)])
      expect(() => readTorchCheckpoint(archive)).toThrow(/STOP with an unbalanced stack/);
    const stored = dicts(200_000, 0);
    expect(() => readTorchCheckpoint(stored)).toThrow(/STOP with an unbalanced stack/);
    expect(readTorchCheckpoint(tensorsPt)).toBeInstanceOf(Map);
  });
});
