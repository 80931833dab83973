import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  readZip,
  UnsupportedError,
} from '@cellshape/core';
import { strFromU8, strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from '../torch/read-checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { StateDict } from './module.js';

/** A valid checkpoint whose checkpoint.json is edited by `edit` (the other entries kept). */
function withJson(edit: (meta: Record<string, unknown>) => unknown): Uint8Array {
  const stateDict: StateDict = new Map([['w', { data: Float32Array.from([1, 2]), shape: [2] }]]);
  const bytes = encodeCheckpoint({
    config: { k: 8 },
    stateDict,
    optimizer: { state: new Map([[0, 1n]]) },
    epoch: 2,
    step: 20,
    loss: 0.25,
    bestLoss: Number.POSITIVE_INFINITY,
    seed: 42,
    extra: { targets: Float64Array.from([0.5]) },
  });
  const files = { ...readZip(bytes) };
  const meta = JSON.parse(strFromU8(files['checkpoint.json']!)) as Record<string, unknown>;
  files['checkpoint.json'] = strToU8(JSON.stringify(edit(meta)));
  return zipSync(files);
}

function rejects(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  expect((error as Error).message).toMatch(/^decodeCheckpoint: /);
  expect((error as Error).message).toMatch(message);
}

describe('decodeCheckpoint on hostile checkpoint.json', () => {
  it('reads the unedited checkpoint', () => {
    const back = decodeCheckpoint(withJson((meta) => meta));
    expect(back.epoch).toBe(2);
    expect(back.bestLoss).toBe(Number.POSITIVE_INFINITY);
    expect(back.optimizer).toEqual({ state: new Map([[0, 1n]]) });
    expect(back.extra).toEqual({ targets: Float64Array.from([0.5]) });
    expect(back.config).toEqual({ k: 8 });
  });

  it('rejects a checkpoint.json that is not an object', () => {
    rejects(
      withJson(() => null),
      /checkpoint.json is not a JSON object \(it is null\)/,
    );
    rejects(
      withJson(() => [1]),
      /not a JSON object \(it is an array\)/,
    );
    rejects(
      withJson(() => 5),
      /not a JSON object \(it is number\)/,
    );
  });

  it('rejects malformed $bigint values with a typed error', () => {
    for (const bad of ['abc', '1.5', null, '', 7]) {
      rejects(
        withJson((meta) => ({ ...meta, extra: { x: { $bigint: bad } } })),
        /'extra\.x' holds \{"\$bigint": .*\}, not a string of decimal digits/,
      );
    }
    rejects(
      withJson((meta) => ({ ...meta, extra: { $bigint: '9'.repeat(5000) } })),
      /not a string of decimal digits/,
    );
  });

  it('rejects malformed $map and $number values', () => {
    for (const bad of [5, null, [5], [[1]], [[1, 2, 3]]]) {
      rejects(
        withJson((meta) => ({ ...meta, optimizer: { state: { $map: bad } } })),
        /'optimizer\.state' holds a "\$map" that is not a list of \[key, value\] pairs/,
      );
    }
    rejects(
      withJson((meta) => ({ ...meta, extra: { $number: '12' } })),
      /'extra' holds \{"\$number": "12"\}/,
    );
  });

  it('resolves $npy and $typed only to entries of the archive', () => {
    for (const bad of ['toString', '__proto__', 'constructor']) {
      rejects(
        withJson((meta) => ({ ...meta, extra: { $npy: bad } })),
        new RegExp(`the checkpoint lacks the entry "${bad}"`),
      );
    }
    rejects(
      withJson((meta) => ({ ...meta, extra: { $typed: 5 } })),
      /'extra' holds \{"\$typed": 5\}, not an entry name/,
    );
  });

  it('hands out every entry once (issue 17, adversarial review)', () => {
    // 1,000 references to one 1 MB entry decoded (and copied) it 1,000 times: 1.1 GB.
    rejects(
      withJson((meta) => ({ ...meta, extra: [{ $npy: 'model/w.npy' }] })),
      /'extra\[0\]' names the entry "model\/w\.npy" a second time/,
    );
    rejects(
      withJson((meta) => ({
        ...meta,
        extra: [(meta.extra as { targets: unknown }).targets, { $npy: 'extra/0.npy' }],
      })),
      /'extra\[1\]' names the entry "extra\/0\.npy" a second time/,
    );
    rejects(
      withJson((meta) => ({ ...meta, stateDictKeys: ['w', 'w'] })),
      /'stateDictKeys' names the entry "model\/w\.npy" a second time/,
    );
  });

  it('refuses what encodeCheckpoint refuses', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { epoch: 3.5 },
        /'checkpoint\.epoch' must be an integer ≥ 0, got 3\.5 \(in checkpoint\.json\)/,
      ],
      [{ epoch: { $number: '-Infinity' } }, /'checkpoint\.epoch' must be an integer ≥ 0/],
      [{ epoch: -1 }, /'checkpoint\.epoch' must be an integer ≥ 0/],
      [{ step: { $number: 'NaN' } }, /'checkpoint\.step' must be an integer ≥ 0/],
      [{ loss: { $number: 'NaN' } }, /'checkpoint\.loss' must be a number \(not NaN\)/],
      [{ seed: 'x' }, /'checkpoint\.seed' must be a finite number/],
      [{ config: 0 }, /'checkpoint\.config' must be an object/],
      [{ config: [] }, /'checkpoint\.config' must be an object/],
      [{ config: null }, /'checkpoint\.config' must be an object/],
      [{ formatVersion: 0.5 }, /format version 0\.5 is not supported/],
    ];
    for (const [edit, message] of cases)
      rejects(
        withJson((meta) => ({ ...meta, ...edit })),
        message,
      );
    const stateDict: StateDict = new Map();
    const base = { stateDict, epoch: 0, step: 0, loss: 1, bestLoss: 1, seed: 1 };
    expect(() =>
      encodeCheckpoint({ ...base, config: [] as unknown as Record<string, unknown> }),
    ).toThrow(InvalidArgumentError);
  });

  it('keeps a "__proto__" key of the JSON as an own property, never as the prototype', () => {
    const back = decodeCheckpoint(
      withJson((meta) => ({ ...meta, extra: JSON.parse('{"__proto__": {"polluted": true}}') })),
    );
    const extra = back.extra as Record<string, unknown>;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.keys(extra)).toEqual(['__proto__']);
    expect((extra as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('writes an own "__proto__" key and reads it back (issue 17 second review)', () => {
    // encodeCheckpoint assigned it (out[k] = …), setting the prototype: the key was dropped.
    const config = JSON.parse('{"__proto__": {"k": 1}, "constructor": 2}') as Record<
      string,
      unknown
    >;
    const back = decodeCheckpoint(
      encodeCheckpoint({
        config,
        stateDict: new Map([['w', { data: Float32Array.from([1]), shape: [1] }]]),
        epoch: 1,
        step: 1,
        loss: 1,
        bestLoss: 1,
        seed: 1,
        extra: config,
      }),
    );
    for (const value of [back.config, back.extra as Record<string, unknown>]) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ k: 1 });
    }
  });

  it('rejects nesting deeper than it follows, without overflowing the stack', () => {
    // Built as text: JSON.stringify itself would overflow the stack on 100,000 levels.
    const text = strFromU8(
      readZip(withJson((meta) => ({ ...meta, extra: 'DEEP' })))['checkpoint.json']!,
    );
    const deep = text.replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    // Stored: deflated, 200 KB of brackets is a zip bomb of its own (see the test below).
    rejects(
      zipSync(
        { ...readZip(withJson((meta) => meta)), 'checkpoint.json': strToU8(deep) },
        { level: 0 },
      ),
      /'extra(\[0\])+' is nested deeper than 1000 levels/,
    );
  });

  it('describes malformed tagged values without walking them (issue 17, adversarial review)', () => {
    // JSON.stringify of a value 100,000 lists deep in the error message overflowed the stack.
    const text = strFromU8(
      readZip(withJson((meta) => ({ ...meta, formatVersion: 'V', extra: 'DEEP' })))[
        'checkpoint.json'
      ]!,
    );
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const archive = (json: string) =>
      zipSync(
        { ...readZip(withJson((meta) => meta)), 'checkpoint.json': strToU8(json) },
        { level: 0 },
      );
    for (const tag of ['$bigint', '$number', '$npy', '$typed'])
      rejects(
        archive(text.replace('"V"', '1').replace('"DEEP"', `{"${tag}": ${deep}}`)),
        new RegExp(`'extra' holds \\{"\\${tag}": \\[\\[\\[\\[\\.\\.\\.\\]\\]\\]\\]\\}`),
      );
    rejects(
      archive(text.replace('"V"', deep).replace('"DEEP"', 'null')),
      /checkpoint format version \[\[\[\[\.\.\.\]\]\]\] is not supported/,
    );
  });

  it('refuses a checkpoint.json that inflates far beyond the archive (a zip bomb of objects)', () => {
    // 3 MB of `{}` deflate to ~3 KB and parsed to ~150 MB of objects (9 MB: 590 MB).
    const meta = (n: number) =>
      strFromU8(readZip(withJson((m) => ({ ...m, extra: 'X' })))['checkpoint.json']!).replace(
        '"X"',
        `[${new Array(n).fill('{}').join(',')}]`,
      );
    const bomb = zipSync({ ...readZip(withJson((m) => m)), 'checkpoint.json': strToU8(meta(1e6)) });
    rejects(
      bomb,
      /the archive's checkpoint\.json inflates to \d+ bytes, more than the \d+ \(64 KiB \+ 16 × the \d+-byte archive\) an entry parsed into objects may hold/,
    );
    // The same entry stored, and a small deflated one, are read.
    const stored = zipSync(
      { ...readZip(withJson((m) => m)), 'checkpoint.json': strToU8(meta(1e5)) },
      { level: 0 },
    );
    expect((decodeCheckpoint(stored).extra as unknown[]).length).toBe(1e5);
    const small = zipSync({
      ...readZip(withJson((m) => m)),
      'checkpoint.json': strToU8(meta(1e3)),
    });
    expect((decodeCheckpoint(small).extra as unknown[]).length).toBe(1e3);
  });

  it('names decodeCheckpoint and the entry when a .npy entry is broken (found by the fuzz suite)', () => {
    const files = { ...readZip(withJson((meta) => meta)) };
    const names = Object.keys(files).filter((n) => n.endsWith('.npy'));
    expect(names).toContain('model/w.npy');
    for (const name of names) {
      const broken = files[name]!.slice();
      broken.set(strToU8("'descr': '<-1'"), 10); // an unknown dtype in the header
      const error = (() => {
        try {
          decodeCheckpoint(zipSync({ ...files, [name]: broken }));
        } catch (e) {
          return e as FormatError;
        }
        throw new Error('expected an error');
      })();
      expect(error).toBeInstanceOf(FormatError);
      expect(error.message).toMatch(
        new RegExp(
          `^decodeCheckpoint: the checkpoint's entry "${name}" is not a valid \\.npy array \\(parseNpy: `,
        ),
      );
    }
  });
});

describe('decodeCheckpoint: zip limits', () => {
  it('maxEntries and maxBytes bound the archive; loadCheckpoint passes them on', async () => {
    const bytes = withJson((meta) => meta);
    const files = readZip(bytes);
    const count = Object.keys(files).length;
    const inflated = Object.values(files).reduce((sum, e) => sum + e.length, 0);
    expect(() => decodeCheckpoint(bytes, { maxEntries: count - 1 })).toThrow(
      /^decodeCheckpoint: not a valid zip archive \(\d+ entries, more than options.maxEntries/,
    );
    expect(() => decodeCheckpoint(bytes, { maxBytes: inflated - 1 })).toThrow(FormatError);
    await expect(loadCheckpoint(bytes, { maxBytes: inflated - 1 })).rejects.toThrow(
      /^loadCheckpoint: not a valid zip archive \(its entries inflate to more than options.maxBytes/,
    );
    expect(decodeCheckpoint(bytes, { maxEntries: count, maxBytes: inflated }).epoch).toBe(2);
  });
});

describe('loadCheckpoint names itself (issue 17, adversarial review)', () => {
  it('in the errors of bytes and of unsupported archives', async () => {
    // Bytes went to decodeCheckpoint unwrapped, and only FormatErrors of a path were renamed:
    // an encrypted entry was "decodeCheckpoint: …" either way.
    const bytes = withJson((meta) => meta);
    await expect(loadCheckpoint(bytes.subarray(0, 10))).rejects.toThrow(
      /^loadCheckpoint: not a valid zip archive/,
    );
    const encrypted = bytes.slice();
    const view = new DataView(encrypted.buffer);
    for (let at = 0; at + 4 <= encrypted.length; at++)
      if (view.getUint32(at, true) === 0x02014b50) view.setUint16(at + 8, 1, true); // central flags
    await expect(loadCheckpoint(encrypted)).rejects.toThrow(UnsupportedError);
    await expect(loadCheckpoint(encrypted)).rejects.toThrow(
      /^loadCheckpoint: entry ".*" is encrypted$/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'cellshape-ckpt-'));
    try {
      const path = join(dir, 'x.ckpt');
      writeFileSync(path, encrypted);
      await expect(loadCheckpoint(path)).rejects.toThrow(
        /^loadCheckpoint: entry ".*" is encrypted$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadCheckpoint on a path that is not a regular file (issue 17, adversarial review)', () => {
  it('refuses a FIFO instead of waiting for a writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellshape-ckpt-fifo-'));
    try {
      const fifo = join(dir, 'pipe.ckpt');
      execFileSync('mkfifo', [fifo]);
      await expect(loadCheckpoint(fifo)).rejects.toThrow(FileSystemError);
      await expect(loadCheckpoint(fifo)).rejects.toThrow(
        /^loadCheckpoint: could not read ".*pipe.ckpt"/,
      );
      expect(() => readTorchCheckpoint(fifo)).toThrow(
        /^readTorchCheckpoint: cannot read ".*pipe.ckpt" \(not a regular file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
