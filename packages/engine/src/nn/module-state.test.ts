import { createRng, IncompatibleError, InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBackend } from '../test/index.js';
import type { StateDict } from '../training/module.js';
import { BatchNorm } from './batch-norm.js';
import { Linear } from './linear.js';
import { aliasEntries, ModuleState } from './module-state.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** fc Linear(3 → 2), a batch norm `bn` that PyTorch also lists as `block.1`, and a buffer. */
function makeModel(seed = 0) {
  const fc = new Linear(createRng(seed), { inFeatures: 3, outFeatures: 2 });
  const norm = new BatchNorm(2);
  const bn = norm.stateEntries('bn');
  const state = new ModuleState('Toy', [
    ...fc.stateEntries('fc'),
    ...bn,
    ...aliasEntries(bn, 'bn', 'block.1'),
  ]);
  return { fc, norm, state };
}

const KEYS = [
  'fc.weight',
  'fc.bias',
  'bn.weight',
  'bn.bias',
  'bn.running_mean',
  'bn.running_var',
  'bn.num_batches_tracked',
  'block.1.weight',
  'block.1.bias',
  'block.1.running_mean',
  'block.1.running_var',
  'block.1.num_batches_tracked',
];

describe('ModuleState', () => {
  test('stateDict: keys in order with aliases, PyTorch shapes and dtypes; parameters once', () => {
    const { fc, norm, state } = makeModel();
    norm.numBatchesTracked = 7;
    const dict = state.stateDict();
    expect([...dict.keys()]).toEqual(KEYS);
    expect(dict.get('fc.weight')?.shape).toEqual([2, 3]);
    expect(dict.get('block.1.num_batches_tracked')).toEqual({
      data: BigInt64Array.of(7n),
      shape: [],
    });
    expect(dict.get('bn.running_var')?.data).toEqual(Float32Array.of(1, 1));
    expect(state.namedParameters().map(([name]) => name)).toEqual([
      'fc.weight',
      'fc.bias',
      'bn.weight',
      'bn.bias',
    ]);
    expect(state.namedParameters()[0]?.[1]).toBe(fc.weight.variable);
    expect(state.torchShape('fc.weight')).toEqual([2, 3]);
    const moment = Float32Array.of(1, 2, 3, 4, 5, 6); // variable layout [3, 2]
    const torch = state.parameterToTorch('fc.weight', moment);
    expect(torch).toEqual({ data: Float32Array.of(1, 3, 5, 2, 4, 6), shape: [2, 3] });
    expect(state.parameterFromTorch('fc.weight', torch.data).data).toEqual(moment);
    state.dispose();
  });

  test('loadStateDict: round trip; either alias loads an entry; counters from int64', () => {
    const a = makeModel(1);
    a.norm.numBatchesTracked = 3;
    tf.tidy(() => a.norm.runningMean.assign(tf.tensor1d([0.5, -2])));
    const b = makeModel(2);
    b.state.loadStateDict(a.state.stateDict());
    expect(b.state.stateDict()).toEqual(a.state.stateDict());
    // Only the alias names of the batch norm, as exporters that drop shared tensors write them.
    const onlyAliases = new Map([...a.state.stateDict()].filter(([key]) => !key.startsWith('bn.')));
    const c = makeModel(3);
    c.state.loadStateDict(onlyAliases);
    expect(c.state.stateDict()).toEqual(a.state.stateDict());
    // A plain object works too; Float64Array values are rounded to float32.
    const record = Object.fromEntries(a.state.stateDict());
    record['fc.bias'] = { data: Float64Array.of(0.1, 0.2), shape: [2] };
    c.state.loadStateDict(record);
    expect(c.state.stateDict().get('fc.bias')?.data).toEqual(Float32Array.of(0.1, 0.2));
    for (const m of [a, b, c]) m.state.dispose();
  });

  test('loadStateDict refuses, naming the keys, and changes nothing', () => {
    const { state } = makeModel();
    const good = state.stateDict();
    const before = state.stateDict();
    const withBad = (key: string, value: unknown): StateDict =>
      new Map(good).set(key, value as never);
    const without = new Map(good);
    without.delete('fc.bias');
    without.delete('bn.weight');
    expect(() => state.loadStateDict(without)).toThrow(IncompatibleError);
    // bn.weight is still given as block.1.weight: only fc.bias is missing.
    expect(() => state.loadStateDict(without)).toThrow(
      /Toy.loadStateDict: state dict does not match the model \(missing: fc.bias; unexpected: none\)/,
    );
    const extra = withBad('head.weight', { data: new Float32Array(1), shape: [1] });
    expect(() => state.loadStateDict(extra)).toThrow(/missing: none; unexpected: head.weight/);
    expect(() => state.loadStateDict(extra, { strict: false })).not.toThrow();
    const cases: Array<[StateDict, RegExp]> = [
      [
        withBad('fc.weight', { data: new Float32Array(6), shape: [3, 2] }),
        /'fc.weight' must have shape \[2, 3\], got \[3, 2\]/,
      ],
      [
        withBad('fc.bias', { data: Float32Array.of(0, Number.NaN), shape: [2] }),
        /'fc.bias' has non-finite values/,
      ],
      [
        withBad('bn.bias', { data: Int32Array.of(0, 1), shape: [2] }),
        /'bn.bias' must be a floating-point array .* got Int32Array/,
      ],
      [
        withBad('bn.num_batches_tracked', { data: Float32Array.of(2), shape: [] }),
        /must be an integer array \(int64\), got Float32Array/,
      ],
      [
        withBad('bn.num_batches_tracked', { data: BigInt64Array.of(-1n), shape: [] }),
        /must be a non-negative integer/,
      ],
      [
        withBad('block.1.bias', { data: Float32Array.of(5, 5), shape: [2] }),
        /'bn.bias' and 'block.1.bias' name the same tensor but differ/,
      ],
      [withBad('fc.weight', [1, 2] as never), /'fc.weight' is not an array/],
    ];
    for (const [dict, message] of cases) expect(() => state.loadStateDict(dict)).toThrow(message);
    // The NaN came after valid keys: nothing was applied.
    expect(state.stateDict()).toEqual(before);
    expect(() => state.loadStateDict(null as never)).toThrow(InvalidArgumentError);
    expect(() => state.loadStateDict(good, { strict: 'yes' as never })).toThrow(/'options.strict'/);
    expect(() => state.torchShape('nope')).toThrow(
      /Toy.torchShape: 'name' must be the name of a parameter/,
    );
    expect(() => state.parameterToTorch('fc.weight', new Float32Array(2))).toThrow(
      /'data' must be a Float32Array of 6 values/,
    );
    expect(() => state.torchShape('bn.running_mean')).toThrow(InvalidArgumentError);
    state.dispose();
  });

  test('the declaration is checked: unique keys, aliases of earlier entries', () => {
    const v = tf.variable(tf.zeros([2]));
    const buffer = { kind: 'buffer', key: 'b', variable: v } as const;
    expect(() => new ModuleState('M', [buffer, buffer])).toThrow(/'entries' must be unique keys/);
    expect(() => new ModuleState('M', [{ kind: 'alias', key: 'a', of: 'b' }, buffer])).toThrow(
      /an alias of an earlier entry/,
    );
    v.dispose();
  });
});
