import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, readZip, UnsupportedError } from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adam } from '../optim/adam.js';
import { adamStateToTorch } from '../optim/torch-state.js';
import { readTorchCheckpoint } from './read-checkpoint.js';
import type { TorchDict, TorchTensor, TorchValue } from './types.js';
import { type TorchWritable, writeTorchCheckpoint } from './write-checkpoint.js';

const weight = { data: Float32Array.from([0.5, -1, 2, 3.25, -0.125, 7]), shape: [2, 3] };
const sample = (): TorchWritable => ({
  model_state_dict: new Map<string, TorchWritable>([
    ['fc.weight', weight],
    ['fc.bias', { data: Float32Array.from([0.1, -0.2]), shape: [2] }],
    ['bn.num_batches_tracked', { data: BigInt64Array.of(4n), shape: [] }],
    ['alias.weight', weight],
  ]),
  masks: {
    bool: { data: Uint8Array.from([1, 0, 1]), shape: [3], dtype: 'bool' },
    i32: { data: Int32Array.from([-5, 2 ** 31 - 1]), shape: [2] },
    f64: { data: Float64Array.from([Math.PI]), shape: [1, 1] },
    empty: { data: new Float32Array(0), shape: [0, 4] },
  },
  epoch: 3,
  loss: 0.123456789,
  big: 2n ** 80n,
  negative: [-1, -300, -(2 ** 31), -(2 ** 40), 70000],
  flags: [true, false, null, 'ünïcode'],
  ints: new Map<number, TorchWritable>([
    [0, 'zero'],
    [7, 'seven'],
  ]),
  skipped: undefined,
});

describe('writeTorchCheckpoint', () => {
  it('round-trips through readTorchCheckpoint', () => {
    const bytes = writeTorchCheckpoint(sample());
    const back = readTorchCheckpoint(bytes) as TorchDict;
    expect([...back.keys()]).toEqual([
      'model_state_dict',
      'masks',
      'epoch',
      'loss',
      'big',
      'negative',
      'flags',
      'ints',
    ]);
    const sd = back.get('model_state_dict') as TorchDict;
    expect(sd.get('fc.weight')).toEqual({ ...weight, dtype: 'float32' });
    expect(sd.get('bn.num_batches_tracked')).toEqual({
      data: BigInt64Array.of(4n),
      shape: [],
      dtype: 'int64',
    });
    expect(sd.get('alias.weight')).toEqual(sd.get('fc.weight'));
    const masks = back.get('masks') as TorchDict;
    expect(masks.get('bool')).toEqual({
      data: Uint8Array.from([1, 0, 1]),
      shape: [3],
      dtype: 'bool',
    });
    expect(masks.get('i32')).toMatchObject({ dtype: 'int32', shape: [2] });
    expect(masks.get('f64')).toEqual({
      data: Float64Array.from([Math.PI]),
      shape: [1, 1],
      dtype: 'float64',
    });
    expect(masks.get('empty')).toEqual({
      data: new Float32Array(0),
      shape: [0, 4],
      dtype: 'float32',
    });
    expect(back.get('epoch')).toBe(3);
    expect(back.get('loss')).toBe(0.123456789);
    expect(back.get('big')).toBe(2n ** 80n);
    expect(back.get('negative')).toEqual([-1, -300, -(2 ** 31), -(2 ** 40), 70000]);
    expect(back.get('flags')).toEqual([true, false, null, 'ünïcode']);
    expect(back.get('ints')).toEqual(
      new Map<TorchValue, TorchValue>([
        [0, 'zero'],
        [7, 'seven'],
      ]),
    );
  });

  it('writes one array used as a bool mask and as uint8 as two storages (rev-torch review)', () => {
    // One storage key read as both: torch.load (and this reader) gave both tensors the first
    // reference's dtype, mask = [F, T, T] came back for the uint8 [0, 2, 255] and vice versa.
    const data = Uint8Array.of(0, 2, 255);
    for (const order of [
      ['mask', 'raw'],
      ['raw', 'mask'],
    ]) {
      const tensors = new Map<string, TorchWritable>([
        ['mask', { data, shape: [3], dtype: 'bool' }],
        ['raw', { data, shape: [3] }],
      ]);
      const value = new Map(order.map((key) => [key, tensors.get(key)!]));
      const back = readTorchCheckpoint(writeTorchCheckpoint(value)) as Map<string, TorchTensor>;
      expect(back.get('mask')).toEqual({ data: Uint8Array.of(0, 1, 1), shape: [3], dtype: 'bool' });
      expect(back.get('raw')).toEqual({
        data: Uint8Array.of(0, 2, 255),
        shape: [3],
        dtype: 'uint8',
      });
    }
  });

  it('writes one storage per data array, stored and 64-byte aligned, under the stem', () => {
    const bytes = writeTorchCheckpoint(sample(), { stem: 'my_model' });
    const names = Object.keys(readZip(bytes));
    expect(names).toContain('my_model/data.pkl');
    expect(names).toContain('my_model/version');
    expect(names.filter((n) => n.startsWith('my_model/data/'))).toHaveLength(7); // alias shares
    // Every local header's data start (30 + name + extra) is a multiple of 64.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    let offset = 0;
    while (view.getUint32(offset, true) === 0x04034b50) {
      const start =
        offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
      expect(start % 64).toBe(0);
      offset = start + view.getUint32(offset + 18, true);
    }
    expect(offset).toBeGreaterThan(0);
  });

  it('validates its input', () => {
    expect(() => writeTorchCheckpoint({ a: () => 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => writeTorchCheckpoint({ a: new Float32Array(2) } as never)).toThrow(
      /not a bare typed array/,
    );
    expect(() => writeTorchCheckpoint({ data: new Float32Array(3), shape: [2] })).toThrow(
      /'value.shape' must be/,
    );
    expect(() => writeTorchCheckpoint({ data: new Uint16Array(2), shape: [2] })).toThrow(
      UnsupportedError,
    );
    expect(() =>
      writeTorchCheckpoint({ data: new Float32Array(2), shape: [2], dtype: 'int64' }),
    ).toThrow(/'value.dtype' must be consistent/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => writeTorchCheckpoint(cyclic as TorchWritable)).toThrow(/reference cycles/);
    expect(() => writeTorchCheckpoint({}, { stem: 'a/b' })).toThrow(/'options.stem'/);
    expect(() => writeTorchCheckpoint(new Map([[[1], 2]]) as never)).toThrow(/keys/);
  });

  it('keeps -0 a float and refuses map keys that Python merges', () => {
    // torch 1.13 torch.load read -0 as the int 0 (sign lost), and a Map with keys 1 and true as
    // {1: <value of true>} (the first value lost).
    const back = readTorchCheckpoint(writeTorchCheckpoint({ z: -0, list: [-0, 0] })) as TorchDict;
    expect(Object.is(back.get('z'), -0)).toBe(true);
    expect((back.get('list') as number[]).map((x) => Object.is(x, -0))).toEqual([true, false]);
    for (const keys of [
      [1, true],
      [0, false],
      [1n, 1],
      [2 ** 60, 2n ** 60n],
    ])
      expect(() => writeTorchCheckpoint(new Map(keys.map((k) => [k, 'x'])) as never)).toThrow(
        /writeTorchCheckpoint: 'value keys' must be keys Python tells apart/,
      );
    const fine = new Map<string | number | boolean | null, TorchWritable>([
      [1, 'int'],
      ['1', 'str'],
      [1.5, 'float'],
      [null, 'none'],
      [false, 'bool'],
    ]);
    expect((readTorchCheckpoint(writeTorchCheckpoint(fine)) as TorchDict).size).toBe(5);
  });
});

function havePythonTorch(): boolean {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
}
const HAVE_TORCH = havePythonTorch();
if (!HAVE_TORCH) console.warn('SKIPPED: torch.load interop test needs /usr/bin/python3 with torch');

describe.skipIf(!HAVE_TORCH)('writeTorchCheckpoint: torch.load reads it', () => {
  it('loads in torch, restores an nn.Module and a torch.optim.Adam that keeps stepping identically', async () => {
    await tf.setBackend('cpu');
    const w = tf.variable(
      tf.tensor([
        [0.5, -1, 2],
        [3.25, -0.125, 7],
      ]),
      true,
      'wc-test-w',
    );
    const b = tf.variable(tf.tensor([0.1, -0.2]), true, 'wc-test-b');
    const adam = new Adam(
      [
        ['weight', w],
        ['bias', b],
      ],
      { lr: 0.01 },
    );
    adam.step({ weight: tf.ones([2, 3]), bias: tf.tensor([0.5, -0.5]) });
    const state = new Map<string, TorchWritable>([
      ['weight', { data: w.dataSync() as Float32Array, shape: [2, 3] }],
      ['bias', { data: b.dataSync() as Float32Array, shape: [2] }],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cellshape-pt-'));
    const path = join(dir, 'from-js.pt');
    writeFileSync(
      path,
      writeTorchCheckpoint({
        model_state_dict: state,
        optimizer_state_dict: adamStateToTorch(adam.stateDict()),
        epoch: 1,
        loss: 0.5,
        extra: { flags: [true, null], big: 2n ** 70n },
      }),
    );
    // Second step in JS and in torch from the restored state must agree bit for bit.
    adam.step({ weight: tf.fill([2, 3], 0.25), bias: tf.tensor([1, 2]) });
    const script = `
import json, sys, torch
ckpt = torch.load(sys.argv[1])
model = torch.nn.Linear(3, 2)
model.load_state_dict(ckpt["model_state_dict"])
opt = torch.optim.Adam(model.parameters())
opt.load_state_dict(ckpt["optimizer_state_dict"])
model.weight.grad = torch.full((2, 3), 0.25)
model.bias.grad = torch.tensor([1.0, 2.0])
opt.step()
print(json.dumps({"epoch": ckpt["epoch"], "loss": ckpt["loss"], "extra": [ckpt["extra"]["flags"], str(ckpt["extra"]["big"])],
  "lr": opt.param_groups[0]["lr"], "step": float(opt.state[model.weight]["step"]),
  "weight": model.weight.detach().flatten().tolist(), "bias": model.bias.detach().tolist()}))
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script, path], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(out.epoch).toBe(1);
    expect(out.loss).toBe(0.5);
    expect(out.extra).toEqual([[true, null], String(2n ** 70n)]);
    expect(out.lr).toBe(0.01);
    expect(out.step).toBe(2);
    expect(Float32Array.from(out.weight)).toEqual(w.dataSync());
    expect(Float32Array.from(out.bias)).toEqual(b.dataSync());
    adam.dispose();
    tf.dispose([w, b]);
  });
});
