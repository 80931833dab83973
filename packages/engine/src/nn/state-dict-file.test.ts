import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  FileSystemError,
  FormatError,
  IncompatibleError,
  InvalidArgumentError,
  parseNpz,
} from '@cellshape/core';
import { describe, expect, test } from 'vitest';
import { writeTorchCheckpoint } from '../torch/write-checkpoint.js';
import type { StateDict } from '../training/module.js';
import {
  exportStateDictNpz,
  readStateDict,
  readStateDictFile,
  subStateDict,
} from './state-dict-file.js';

const STATE: StateDict = new Map([
  ['autoencoder.fc.weight', { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] }],
  ['autoencoder.bn.num_batches_tracked', { data: BigInt64Array.of(5n), shape: [] }],
  ['clustering_layer.weight', { data: Float32Array.of(0.5, -0.5), shape: [1, 2] }],
]);

describe('state dict files', () => {
  test('.pt (bare or a training checkpoint) and .npz give the same state dict, in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-dict-'));
    try {
      const npz = exportStateDictNpz(STATE);
      const pt = writeTorchCheckpoint({ model_state_dict: STATE, epoch: 4 });
      writeFileSync(join(dir, 'model.pt'), pt);
      const fromPt = readStateDictFile(join(dir, 'model.pt'));
      expect(fromPt.format).toBe('pt');
      expect((fromPt.checkpoint as Map<string, unknown>).get('epoch')).toBe(4);
      const fromNpz = readStateDictFile(npz);
      expect(fromNpz).toEqual({ format: 'npz', state: STATE });
      expect([...fromPt.state.keys()]).toEqual([...STATE.keys()]);
      expect(readStateDict(writeTorchCheckpoint(STATE)).get('autoencoder.fc.weight')?.data).toEqual(
        STATE.get('autoencoder.fc.weight')?.data,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a key prefix selects a submodule, removed from the keys', () => {
    const sub = readStateDict(exportStateDictNpz(STATE), { prefix: 'autoencoder.' });
    expect([...sub.keys()]).toEqual(['fc.weight', 'bn.num_batches_tracked']);
    expect(subStateDict(STATE, '')).toBe(STATE);
    expect(() => subStateDict(STATE, 'model.')).toThrow(IncompatibleError);
    expect(() => subStateDict(STATE, 'model.')).toThrow(
      /no state dict key starts with "model." \(keys: autoencoder.fc.weight/,
    );
  });

  test('exportStateDictNpz takes a module too; errors name the problem', () => {
    const npz = exportStateDictNpz({ stateDict: () => STATE });
    expect(Object.keys(parseNpz(npz))).toEqual([...STATE.keys()]);
    expect(() => exportStateDictNpz({} as never)).toThrow(InvalidArgumentError);
    expect(() => readStateDictFile(new Uint8Array(4))).toThrow(FormatError);
    expect(() => readStateDictFile(resolve('/nonexistent/model.pt'))).toThrow(FileSystemError);
    expect(() => readStateDictFile(3 as never)).toThrow(
      /'source' must be a file path or a Uint8Array/,
    );
    expect(() => readStateDict(exportStateDictNpz(STATE), null as never)).toThrow(/'options'/);
  });

  test('a .pt without a state dict is a FormatError of the function called (rev-torch review)', () => {
    // extractStateDict's InvalidArgumentError came out (batch readers skip INVALID_FORMAT only),
    // and readStateDict's errors named readStateDictFile.
    for (const value of [5, null, [], {}, { model_state_dict: {} }, { 'a.b': 1 }]) {
      const pt = writeTorchCheckpoint(value);
      expect(() => readStateDictFile(pt)).toThrow(FormatError);
      expect(() => readStateDictFile(pt)).toThrow(
        /^readStateDictFile: the .pt file holds no state dict/,
      );
      expect(() => readStateDict(pt)).toThrow(/^readStateDict: the .pt file holds no state dict/);
    }
    expect(() => readStateDict(new Uint8Array(4))).toThrow(
      /^readStateDict: not a valid zip archive/,
    );
  });
});
