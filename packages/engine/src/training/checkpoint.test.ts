import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemError, FormatError, InvalidArgumentError, type NdArray } from '@cellshape/core';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointInput,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
import type { StateDict } from './module.js';

const dir = mkdtempSync(join(tmpdir(), 'cellshape-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): CheckpointInput {
  const stateDict: StateDict = new Map<string, NdArray<Float32Array | BigInt64Array>>([
    [
      'encoder.conv1.0.weight',
      { data: Float32Array.from([1.5, -2, 3e-8, 4]), shape: [2, 2, 1, 1] },
    ],
    ['encoder.bn1.num_batches_tracked', { data: BigInt64Array.from([7n]), shape: [] }],
    ['decoder.bias', { data: Float32Array.from([0.1, 0.2, 0.3]), shape: [3] }],
  ]);
  return {
    config: { encoderType: 'dgcnn', numFeatures: 16, k: 8, nested: { shape: 'plane' } },
    family: 'cloud',
    stateDict,
    optimizer: {
      state: new Map([[0, { step: 3, exp_avg: { data: Float32Array.from([1, 2]), shape: [2] } }]]),
      param_groups: [{ lr: 1e-4, betas: [0.9, 0.999], params: [0] }],
    },
    epoch: 2,
    step: 20,
    loss: 0.25,
    bestLoss: 0.125,
    seed: 42,
    lr: 9e-5,
    baseLr: 1e-4,
    lrSchedule: { kind: 'warmupCosine', warmupSteps: 5, totalSteps: 50, minLr: 1e-6 },
    extra: {
      targets: Float64Array.from([0.5, 0.25]),
      labels: new Int32Array([1, 0, 2]),
      big: 2n ** 40n,
      inf: Number.POSITIVE_INFINITY,
    },
  };
}

describe('encodeCheckpoint / decodeCheckpoint', () => {
  it('round-trips weights, optimizer state and extra state exactly', () => {
    const input = sample();
    const back = decodeCheckpoint(encodeCheckpoint(input));
    expect(back.formatVersion).toBe(CHECKPOINT_FORMAT_VERSION);
    expect([...back.stateDict.keys()]).toEqual([...input.stateDict.keys()]);
    for (const [key, array] of input.stateDict) {
      expect(back.stateDict.get(key)!.shape).toEqual(array.shape);
      expect(back.stateDict.get(key)!.data).toEqual(array.data);
    }
    expect(back.config).toEqual(input.config);
    expect(back.optimizer).toEqual(input.optimizer);
    expect(back.extra).toEqual(input.extra);
    expect(back.extra as Record<string, unknown>).toHaveProperty(
      'labels',
      new Int32Array([1, 0, 2]),
    );
    expect([
      back.epoch,
      back.step,
      back.loss,
      back.bestLoss,
      back.seed,
      back.lr,
      back.baseLr,
    ]).toEqual([2, 20, 0.25, 0.125, 42, 9e-5, 1e-4]);
    expect(back.lrSchedule).toEqual(input.lrSchedule);
    const { lrSchedule: _, ...withoutSchedule } = input;
    expect(decodeCheckpoint(encodeCheckpoint(withoutSchedule))).not.toHaveProperty('lrSchedule');
    // The model family: recorded, and absent from checkpoints that have none.
    expect(back.family).toBe('cloud');
    const { family: __, ...withoutFamily } = input;
    expect(decodeCheckpoint(encodeCheckpoint(withoutFamily))).not.toHaveProperty('family');
  });

  it('writes the same bytes for the same checkpoint whatever the clock (a fixed entry time)', () => {
    const input = { ...sample(), createdAt: '2026-01-01T00:00:00.000Z' };
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
      const before = encodeCheckpoint(input);
      vi.setSystemTime(new Date('2031-07-15T17:33:21Z'));
      expect(encodeCheckpoint(input)).toEqual(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects invalid input', () => {
    const bad = { ...sample(), epoch: -1 };
    expect(() => encodeCheckpoint(bad)).toThrow(InvalidArgumentError);
    expect(() => encodeCheckpoint({ ...sample(), stateDict: {} as unknown as StateDict })).toThrow(
      /'checkpoint.stateDict' must be a Map/,
    );
    expect(() => encodeCheckpoint({ ...sample(), loss: Number.NaN })).toThrow(/checkpoint.loss/);
    expect(() => decodeCheckpoint('x' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it('refuses user objects shaped like its tagged values, which would not read back (independent campaign)', () => {
    // Written as is, { $bigint: '5' } came back as 5n and { $npy: 'model/w.npy' } made
    // decodeCheckpoint refuse the file.
    for (const tagged of [
      { $bigint: '5' },
      { $npy: 'model/w.npy' },
      { $map: [] },
      { $number: 'NaN' },
    ])
      expect(() => encodeCheckpoint({ ...sample(), extra: { v: [tagged] } })).toThrow(
        new RegExp(
          `^encodeCheckpoint: 'extra' must be plain data without objects whose only key is "\\${Object.keys(tagged)[0]}"`,
        ),
      );
    // With another key beside it, an object is plain data and reads back as written.
    const extra = { v: { $bigint: '5', note: 'x' } };
    expect(decodeCheckpoint(encodeCheckpoint({ ...sample(), extra })).extra).toEqual(extra);
  });

  it('refuses objects that are not plain data, which it wrote as {} (rev-torch review)', () => {
    class Hook {
      constructor(readonly targets: number[]) {}
    }
    for (const value of [new Date(0), new Set([1, 2]), new Hook([1]), /x/])
      expect(() => encodeCheckpoint({ ...sample(), extra: { v: [value] } })).toThrow(
        /^encodeCheckpoint: 'extra' must be plain data \(plain objects/,
      );
    // Objects without a prototype (JSON.parse of a "__proto__" key keeps a plain one) stay data.
    const bare = Object.assign(Object.create(null) as Record<string, number>, { a: 1 });
    expect(decodeCheckpoint(encodeCheckpoint({ ...sample(), extra: bare })).extra).toEqual({
      a: 1,
    });
  });

  it('refuses optional fields it would not read back (rev-torch review)', () => {
    // A NaN lr was written as null, a family of 5 written as is: decodeCheckpoint dropped both.
    for (const [field, value] of [
      ['lr', Number.NaN],
      ['baseLr', Number.POSITIVE_INFINITY],
      ['lr', '0.1'],
      ['family', 5],
      ['createdAt', 0],
    ] as const)
      expect(() => encodeCheckpoint({ ...sample(), [field]: value } as never)).toThrow(
        new RegExp(`^encodeCheckpoint: 'checkpoint.${field}' must be`),
      );
    const back = decodeCheckpoint(
      encodeCheckpoint({ ...sample(), lr: 0.5, baseLr: 1, family: 'cloud', createdAt: 't' }),
    );
    expect([back.lr, back.baseLr, back.family, back.createdAt]).toEqual([0.5, 1, 'cloud', 't']);
  });

  it('rejects bytes that are not a checkpoint', () => {
    expect(() => decodeCheckpoint(new Uint8Array([1, 2, 3]))).toThrow(FormatError);
    const noJson = zipSync({ 'a.txt': strToU8('hello') });
    expect(() => decodeCheckpoint(noJson)).toThrow(/no checkpoint.json/);
    const future = zipSync({ 'checkpoint.json': strToU8('{"formatVersion": 99}') });
    expect(() => decodeCheckpoint(future)).toThrow(/version 99 is not supported/);
    const missing = zipSync({
      'checkpoint.json': strToU8('{"formatVersion": 1, "stateDictKeys": ["w"]}'),
    });
    expect(() => decodeCheckpoint(missing)).toThrow(/lacks the array model\/w.npy/);
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('writes a file and reads it back', async () => {
    const path = join(dir, 'sub', 'a.ckpt');
    await saveCheckpoint(path, sample());
    const back = await loadCheckpoint(path);
    expect(back.stateDict.get('decoder.bias')!.data).toEqual(Float32Array.from([0.1, 0.2, 0.3]));
  });

  it('names the file in errors', async () => {
    await expect(loadCheckpoint(join(dir, 'missing.ckpt'))).rejects.toThrow(FileSystemError);
    const corrupt = join(dir, 'corrupt.ckpt');
    writeFileSync(corrupt, 'not a zip');
    await expect(loadCheckpoint(corrupt)).rejects.toThrow(/corrupt\.ckpt/);
    await expect(loadCheckpoint('')).rejects.toThrow(InvalidArgumentError);
    await expect(saveCheckpoint('', sample())).rejects.toThrow(InvalidArgumentError);
  });

  const PYTHON = '/usr/bin/python3';
  const HAVE_PYTHON =
    existsSync(PYTHON) &&
    spawnSync(PYTHON, ['-c', 'import numpy'], { timeout: 60_000 }).status === 0;
  if (!HAVE_PYTHON)
    console.warn('SKIPPED: checkpoint Python interop needs /usr/bin/python3 with numpy');
  it.skipIf(!HAVE_PYTHON)(
    'is readable from Python with zipfile + numpy (the documented snippet)',
    async () => {
      const path = join(dir, 'py.ckpt');
      await saveCheckpoint(path, sample());
      const script = [
        'import io, json, sys, zipfile',
        'import numpy as np',
        'with zipfile.ZipFile(sys.argv[1]) as z:',
        '    meta = json.loads(z.read("checkpoint.json"))',
        '    state = {k: np.load(io.BytesIO(z.read(f"model/{k}.npy"))) for k in meta["stateDictKeys"]}',
        'w = state["encoder.conv1.0.weight"]',
        'n = state["encoder.bn1.num_batches_tracked"]',
        'print(json.dumps({"keys": list(state), "shape": list(w.shape), "dtype": str(w.dtype), "sum": float(w.sum()), "n": int(n), "ndtype": str(n.dtype), "epoch": meta["epoch"]}))',
      ].join('\n');
      const out = JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' }));
      expect(out.keys).toEqual([
        'encoder.conv1.0.weight',
        'encoder.bn1.num_batches_tracked',
        'decoder.bias',
      ]);
      expect(out.shape).toEqual([2, 2, 1, 1]);
      expect(out.dtype).toBe('float32');
      expect(out.sum).toBeCloseTo(3.5, 6);
      expect(out.n).toBe(7);
      expect(out.ndtype).toBe('int64');
      expect(out.epoch).toBe(2);
    },
  );
});
