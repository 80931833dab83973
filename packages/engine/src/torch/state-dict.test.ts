import { fileURLToPath } from 'node:url';
import { FormatError, InvalidArgumentError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from './read-checkpoint.js';
import { extractStateDict } from './state-dict.js';
import type { TorchDict, TorchTensor, TorchValue } from './types.js';

const t = (values: number[]): TorchTensor => ({
  data: Float32Array.from(values),
  shape: [values.length],
  dtype: 'float32',
});
const dict = (entries: Array<[string, TorchValue]>): TorchDict => new Map(entries);

describe('extractStateDict', () => {
  it('finds model_state_dict in a training checkpoint, in order', () => {
    const ckpt = readTorchCheckpoint(
      fileURLToPath(new URL('./fixtures/checkpoint.pt', import.meta.url)),
    );
    const sd = extractStateDict(ckpt);
    expect([...sd.keys()]).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '2.weight',
    ]);
    expect(sd.get('0.weight')!.shape).toEqual([4, 3]);
    expect(sd.get('1.num_batches_tracked')!.data).toEqual(BigInt64Array.of(2n));
  });

  it('accepts a bare state dict and the state_dict key', () => {
    const bare = dict([
      ['a.weight', t([1, 2])],
      ['a.bias', t([3])],
    ]);
    expect([...extractStateDict(bare).keys()]).toEqual(['a.weight', 'a.bias']);
    expect(
      extractStateDict(
        dict([
          ['state_dict', bare],
          ['epoch', 2],
        ]),
      ).get('a.bias')!.data,
    ).toEqual(Float32Array.of(3));
  });

  it('splits an IDEC/DEC checkpoint with a prefix', () => {
    const dec = dict([
      ['autoencoder.encoder.w', t([1])],
      ['autoencoder.decoder.w', t([2])],
      ['clustering_layer.weight', t([3, 4])],
    ]);
    expect([...extractStateDict(dec).keys()]).toEqual([
      'autoencoder.encoder.w',
      'autoencoder.decoder.w',
      'clustering_layer.weight',
    ]);
    expect([...extractStateDict(dec, 'autoencoder.').keys()]).toEqual(['encoder.w', 'decoder.w']);
    expect([
      ...extractStateDict(dict([['model_state_dict', dec]]), 'clustering_layer.').keys(),
    ]).toEqual(['weight']);
  });

  it('validates its input', () => {
    expect(() => extractStateDict([] as TorchValue)).toThrow(InvalidArgumentError);
    expect(() => extractStateDict(dict([['epoch', 1]]))).toThrow(/a state dict/);
    expect(() => extractStateDict(dict([['a', t([1])]]), 'zzz.')).toThrow(/'prefix' must be/);
    expect(() => extractStateDict(dict([['a', t([1])]]), 3 as unknown as string)).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      extractStateDict(dict([['model_state_dict', dict([['a', 'not a tensor']])]])),
    ).toThrow(FormatError);
  });
});
