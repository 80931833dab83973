import { encodeNpz } from '@cellshape/core';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  readStateDictFile,
  readTorchCheckpoint,
  selectBackend,
  writeTorchCheckpoint,
} from '@cellshape/engine';
import { plainDataProblem } from '../checks.js';
import { memberMutator, ZIP_MUTATORS } from '../formats/zip.js';
import { jsonBomb, jsonText, npyMember, torchMutators } from './shared-mutators.js';
import { type FuzzTarget, fixture } from './target.js';

function checkpointSeeds(): Uint8Array[] {
  const stateDict = new Map([
    ['w', { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }],
    ['bn.num_batches_tracked', { data: BigInt64Array.from([3n]), shape: [] }],
  ]);
  const base = {
    config: { k: 8, name: 'x' },
    stateDict,
    epoch: 2,
    step: 20,
    loss: 0.25,
    bestLoss: 0.2,
    seed: 42,
    // Fixed, so that every process makes the same seeds (a case is remade from its index).
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  return [
    encodeCheckpoint({
      ...base,
      optimizer: { state: new Map([[0, { m: Float32Array.from([0.5]), t: 1n }]]), lr: 1e-3 },
      extra: { targets: Float64Array.from([0.5]), list: [1, 'a', null], big: 2n ** 70n },
    } as never),
    encodeCheckpoint({ ...base, bestLoss: Number.POSITIVE_INFINITY } as never),
  ];
}

const TORCH_FIXTURES = ['checkpoint.pt', 'protocol4.pt', 'tensors.pt'].map(
  (name) => new URL(`../../../engine/src/torch/fixtures/${name}`, import.meta.url).href,
);

function torchSeeds(): Uint8Array[] {
  const written = writeTorchCheckpoint({
    model_state_dict: new Map([
      ['conv.weight', { data: Float32Array.from([1, -2, 3, 0.5, 6, 7]), shape: [2, 3] }],
      ['bn.num_batches_tracked', { data: BigInt64Array.from([3n]), shape: [] }],
    ]),
    epoch: 3,
    loss: 0.5,
    names: ['a', 'b'],
  } as never);
  return [...TORCH_FIXTURES.map(fixture), written];
}

let cpuBackend: Promise<unknown> | undefined;

/** Checkpoints and state dicts: `decodeCheckpoint`, `readTorchCheckpoint`, `readStateDictFile`, `readCloudCheckpoint`. */
export function checkpointTargets(): FuzzTarget[] {
  return [
    {
      name: 'checkpoint',
      fns: ['decodeCheckpoint'],
      seeds: async () => checkpointSeeds(),
      mutators: [
        ...ZIP_MUTATORS,
        memberMutator(
          'checkpoint-member-json',
          (n) => n.filter((x) => x.endsWith('.json')),
          (m, rng) => jsonText[rng.int(jsonText.length)]!.mutate(m, rng),
        ),
        memberMutator(
          'checkpoint-member-json',
          (n) => n.filter((x) => x.endsWith('.json')),
          (m, rng) => jsonText[rng.int(jsonText.length)]!.mutate(m, rng),
        ),
        npyMember,
        jsonBomb,
      ],
      run: async (bytes) => decodeCheckpoint(bytes),
      check: plainDataProblem,
    },
    {
      name: 'torch',
      fns: ['readTorchCheckpoint'],
      seeds: async () => torchSeeds(),
      mutators: torchMutators,
      run: async (bytes) => readTorchCheckpoint(bytes),
      check: plainDataProblem,
    },
    {
      name: 'state-dict',
      fns: ['readStateDictFile'],
      seeds: async () => [
        ...torchSeeds(),
        encodeNpz({ 'fc.weight': { data: Float32Array.from([1, 2]), shape: [1, 2] } }),
      ],
      mutators: [...torchMutators, npyMember],
      run: async (bytes) => readStateDictFile(bytes),
      check: plainDataProblem,
    },
    {
      name: 'cloud',
      fns: ['readCloudCheckpoint'],
      seeds: async () => {
        const { cloudSeeds } = await import('../cloud-seeds.js');
        return cloudSeeds();
      },
      mutators: torchMutators,
      run: async (bytes) => {
        const { readCloudCheckpoint } = await import('@cellshape/cloud');
        cpuBackend ??= selectBackend('cpu');
        await cpuBackend;
        return readCloudCheckpoint(bytes, { k: 4 });
      },
      check: (result) => {
        const { model, ...rest } = result as { model: unknown };
        void model;
        return plainDataProblem(rest);
      },
      dispose: (result) => (result as { model: { dispose(): void } }).model.dispose(),
    },
  ];
}
