import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  parseNpz,
  UnsupportedError,
} from '@cellshape/core';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sameBits } from '../test/index.js';
import { readTorchCheckpoint } from './read-checkpoint.js';
import type { TorchDict, TorchTensor, TorchValue } from './types.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tensorsPt = readFileSync(fixture('tensors.pt'));

function get(value: TorchValue, ...path: Array<string | number>): TorchValue {
  let v: TorchValue = value;
  for (const key of path) {
    if (v instanceof Map) v = v.get(key) as TorchValue;
    else if (Array.isArray(v)) v = v[key as number] as TorchValue;
    else throw new Error(`no ${String(key)}`);
  }
  return v;
}
const tensor = (value: TorchValue, ...path: Array<string | number>): TorchTensor =>
  get(value, ...path) as TorchTensor;

/** Rebuilds a .pt archive from `entries` (optionally edited) with fflate. */
function rezip(bytes: Uint8Array, edit: (entries: Record<string, Uint8Array>) => void): Uint8Array {
  const entries = unzipSync(bytes);
  edit(entries);
  return zipSync(entries, { level: 0 });
}

describe('readTorchCheckpoint: fixtures written by torch.save (torch 1.13)', () => {
  const sd = readTorchCheckpoint(fixture('tensors.pt')) as TorchDict;

  it('reads an OrderedDict in order with every dtype', () => {
    expect([...sd.keys()]).toEqual([
      'f32',
      'f64',
      'f16',
      'i64',
      'i64_scalar',
      'i32',
      'u8',
      'bool',
      'base',
      'alias',
      'transposed',
      'offset',
      'row',
      'bf16',
      'empty',
    ]);
    expect(tensor(sd, 'f32')).toEqual({
      data: Float32Array.from([1.5, -2, 3.25, 0, 1e-3, -7]),
      shape: [2, 3],
      dtype: 'float32',
    });
    expect(tensor(sd, 'f64')).toEqual({
      data: Float64Array.from([1 / 3, -2.5e-300, 4]),
      shape: [3],
      dtype: 'float64',
    });
    expect(tensor(sd, 'f16').dtype).toBe('float16');
    expect([...tensor(sd, 'f16').data]).toEqual([0.5, -1, 65504, 6.002187728881836e-5]);
    expect(tensor(sd, 'i64')).toEqual({
      data: BigInt64Array.from([-(2n ** 40n), 0n, 7n]),
      shape: [3],
      dtype: 'int64',
    });
    expect(tensor(sd, 'i64_scalar')).toEqual({
      data: BigInt64Array.from([4n]),
      shape: [],
      dtype: 'int64',
    });
    expect(tensor(sd, 'i32')).toEqual({
      data: Int32Array.from([-3, 2, 1, 2 ** 30]),
      shape: [2, 2],
      dtype: 'int32',
    });
    expect(tensor(sd, 'u8')).toEqual({
      data: Uint8Array.from([0, 255, 17]),
      shape: [3],
      dtype: 'uint8',
    });
    expect(tensor(sd, 'bool')).toEqual({
      data: Uint8Array.from([1, 0, 1]),
      shape: [3],
      dtype: 'bool',
    });
    expect([...tensor(sd, 'bf16').data]).toEqual([1, -0.15625, 3.00405527047391e38]);
    expect(tensor(sd, 'empty')).toEqual({
      data: new Float32Array(0),
      shape: [0, 3],
      dtype: 'float32',
    });
  });

  it('resolves shared storages, transposed views and storage offsets into C-ordered copies', () => {
    const base = Float32Array.from({ length: 24 }, (_, i) => i / 8);
    expect(tensor(sd, 'base').data).toEqual(base);
    expect(tensor(sd, 'alias').data).toEqual(base);
    // One Python object saved twice stays one object; views of a storage are separate copies.
    expect(tensor(sd, 'alias')).toBe(tensor(sd, 'base'));
    expect(tensor(sd, 'row').data.buffer).not.toBe(tensor(sd, 'base').data.buffer);
    const transposed = tensor(sd, 'transposed');
    expect(transposed.shape).toEqual([6, 4]);
    for (let r = 0; r < 6; r++)
      for (let c = 0; c < 4; c++) expect(transposed.data[r * 4 + c]).toBe(base[c * 6 + r]);
    expect(tensor(sd, 'offset')).toEqual({
      data: Float32Array.from([8, 9, 10, 14, 15, 16].map((i) => i / 8)),
      shape: [2, 3],
      dtype: 'float32',
    });
    expect(tensor(sd, 'row').data).toEqual(base.slice(12, 18));
  });

  it('reads a training checkpoint: state dict, Adam state with int keys, scalars, tuples', () => {
    const ckpt = readTorchCheckpoint(readFileSync(fixture('checkpoint.pt')));
    expect([...(ckpt as TorchDict).keys()]).toEqual([
      'model_state_dict',
      'optimizer_state_dict',
      'epoch',
      'loss',
      'config',
    ]);
    expect(get(ckpt, 'epoch')).toBe(2);
    expect(get(ckpt, 'loss')).toBe(0.75);
    expect(get(ckpt, 'config')).toEqual(
      new Map<string, TorchValue>([
        ['name', 'tiny'],
        ['sizes', [3, 4, 2]],
        ['flags', [true, null]],
      ]),
    );
    expect([...(get(ckpt, 'model_state_dict') as TorchDict).keys()]).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '2.weight',
    ]);
    expect(tensor(ckpt, 'model_state_dict', '0.weight').data.slice(0, 3)).toEqual(
      Float32Array.from([-0.002361548598855734, 0.31112152338027954, -0.4737955927848816]),
    );
    expect(tensor(ckpt, 'model_state_dict', '1.num_batches_tracked')).toEqual({
      data: BigInt64Array.from([2n]),
      shape: [],
      dtype: 'int64',
    });
    const state = get(ckpt, 'optimizer_state_dict', 'state') as TorchDict;
    expect([...state.keys()]).toEqual([0, 1, 2, 3, 4]);
    expect(tensor(state, 0, 'step')).toEqual({
      data: Float32Array.from([2]),
      shape: [],
      dtype: 'float32',
    });
    expect(tensor(state, 4, 'exp_avg_sq').shape).toEqual([2, 4]);
    expect(tensor(state, 4, 'exp_avg_sq').data[1]).toBe(Math.fround(0.025211572647094727));
    const group = get(ckpt, 'optimizer_state_dict', 'param_groups', 0) as TorchDict;
    expect(group.get('betas')).toEqual([0.9, 0.999]);
    expect(group.get('foreach')).toBeNull();
    expect(group.get('params')).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL), big integers and nn.Parameter', () => {
    const value = readTorchCheckpoint(fixture('protocol4.pt'));
    expect(value).toEqual(
      new Map<string, TorchValue>([
        ['w', { data: new Float32Array(4).fill(0.5), shape: [2, 2], dtype: 'float32' }],
        ['n', 3],
        ['big', 2n ** 70n],
        ['neg', -129],
        ['x', 1.25],
        ['w2', null],
        ['nested', new Map([['a', [1, 2.5, 'b']]])],
        ['param', { data: Float32Array.from([1.5, -2.5]), shape: [2], dtype: 'float32' }],
      ]),
    );
  });

  it('handles any archive folder name', () => {
    const renamed = rezip(tensorsPt, (entries) => {
      for (const name of Object.keys(entries)) {
        entries[name.replace(/^tensors\//, 'some.other-stem/')] = entries[name]!;
        delete entries[name];
      }
    });
    expect(tensor(readTorchCheckpoint(renamed), 'row').data).toEqual(
      tensor(readTorchCheckpoint(tensorsPt), 'row').data,
    );
  });
});

describe('readTorchCheckpoint: errors', () => {
  it('rejects invalid sources', () => {
    expect(() => readTorchCheckpoint(42 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => readTorchCheckpoint('/nonexistent/model.pt')).toThrow(FileSystemError);
  });

  it('rejects a corrupt zip, a non-checkpoint and the legacy format', () => {
    const truncated = tensorsPt.slice(0, tensorsPt.length - 200);
    expect(() => readTorchCheckpoint(truncated)).toThrow(FormatError);
    expect(() => readTorchCheckpoint(strToU8('hello world'))).toThrow(/not a PyTorch checkpoint/);
    expect(() => readTorchCheckpoint(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]))).toThrow(
      UnsupportedError,
    );
  });

  it('rejects an archive without data.pkl or with a missing / truncated storage', () => {
    const noPkl = rezip(tensorsPt, (e) => delete e['tensors/data.pkl']);
    expect(() => readTorchCheckpoint(noPkl)).toThrow(/no <stem>\/data.pkl/);
    const missing = rezip(tensorsPt, (e) => delete e['tensors/data/0']);
    expect(() => readTorchCheckpoint(missing)).toThrow(/tensors\/data\/0 is missing/);
    const short = rezip(tensorsPt, (e) => {
      e['tensors/data/0'] = e['tensors/data/0']!.slice(0, 5);
    });
    expect(() => readTorchCheckpoint(short)).toThrow(/storage "0" is truncated/);
    const bigEndian = rezip(tensorsPt, (e) => {
      e['tensors/byteorder'] = strToU8('big');
    });
    expect(() => readTorchCheckpoint(bigEndian)).toThrow(UnsupportedError);
  });

  it('never runs a disallowed global and names it', () => {
    // pickle.dumps(os.system) with protocol 2: GLOBAL 'posix system'
    const evil = rezip(tensorsPt, (e) => {
      e['tensors/data.pkl'] = Uint8Array.from([
        0x80,
        0x02,
        0x63,
        ...strToU8('posix\nsystem\n'),
        0x58,
        4,
        0,
        0,
        0,
        ...strToU8('echo'),
        0x85,
        0x52,
        0x2e,
      ]);
    });
    expect(() => readTorchCheckpoint(evil)).toThrow(UnsupportedError);
    expect(() => readTorchCheckpoint(evil)).toThrow(/posix\.system, which is not allowed/);
  });

  it('rejects a truncated pickle and unknown opcodes', () => {
    const pkl = unzipEntry(tensorsPt, 'tensors/data.pkl');
    const cut = rezip(tensorsPt, (e) => {
      e['tensors/data.pkl'] = pkl.slice(0, 100);
    });
    expect(() => readTorchCheckpoint(cut)).toThrow(/corrupt pickle: truncated/);
    const unknown = rezip(tensorsPt, (e) => {
      e['tensors/data.pkl'] = Uint8Array.from([0x80, 0x02, 0xff]);
    });
    expect(() => readTorchCheckpoint(unknown)).toThrow(/unknown opcode 0xff/);
    const bytesOp = rezip(tensorsPt, (e) => {
      e['tensors/data.pkl'] = Uint8Array.from([0x80, 0x03, 0x43, 1, 65, 0x2e]);
    });
    expect(() => readTorchCheckpoint(bytesOp)).toThrow(/SHORT_BINBYTES/);
  });
});

function unzipEntry(bytes: Uint8Array, name: string): Uint8Array {
  return unzipSync(bytes)[name]!;
}

// Golden checkpoints of the reference harness (cellshape-cloud's DFN), when available.
const shared =
  process.env.CELLSHAPE_SHARED ??
  resolve(fileURLToPath(import.meta.url), '../../../../../../shared');
const goldenDir = resolve(shared, 'reference/golden');
const HAVE_GOLDEN = existsSync(resolve(goldenDir, 'small.pt'));
if (!HAVE_GOLDEN) console.warn(`SKIPPED: golden .pt tests need ${goldenDir}`);

describe.skipIf(!HAVE_GOLDEN)('readTorchCheckpoint: golden small.pt', () => {
  it('matches the manifest keys and shapes, and the state .npz bit for bit', () => {
    const manifest = JSON.parse(readFileSync(resolve(goldenDir, 'manifest.json'), 'utf8'));
    const ckpt = readTorchCheckpoint(resolve(goldenDir, 'small.pt'));
    const sd = get(ckpt, 'model_state_dict') as TorchDict;
    expect([...sd.keys()]).toEqual(manifest.cases.small.state_dict_keys);
    expect(get(ckpt, 'epoch')).toBe(0);
    expect(get(ckpt, 'loss')).toBeCloseTo(manifest.cases.small.values.eval_chamfer_sum / 2, 4);
    expect((get(ckpt, 'optimizer_state_dict', 'state') as TorchDict).size).toBe(0);
    expect(tensor(sd, 'encoder.conv5.0.weight').shape).toEqual([512, 512, 1]);
    expect(
      sameBits(tensor(sd, 'encoder.bn1.weight').data, tensor(sd, 'encoder.conv1.1.weight').data),
    ).toBe(true);
    const statePath = resolve(
      fileURLToPath(import.meta.url),
      '../../../../cloud/.golden/small_state.npz',
    );
    if (!existsSync(statePath)) {
      console.warn(
        `SKIPPED: bitwise check needs ${statePath} (sh packages/cloud/scripts/make-golden.sh small)`,
      );
      return;
    }
    const npz = parseNpz(readFileSync(statePath));
    for (const [k, value] of sd) {
      const key = k as string;
      const t = value as TorchTensor;
      expect(t.shape, key).toEqual(npz[key]!.shape);
      expect(sameBits(t.data, npz[key]!.data), key).toBe(true);
    }
  });
});
