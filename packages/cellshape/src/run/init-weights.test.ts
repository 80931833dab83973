import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudAutoEncoder } from '@cellshape/cloud';
import { ClusteringLayer, DeepEmbeddedClustering } from '@cellshape/cluster';
import { FileSystemError, FormatError } from '@cellshape/core';
import {
  type Encoder,
  exportStateDictNpz,
  exportTorchCheckpoint,
  type StateDict,
  saveCheckpoint,
  selectBackend,
  writeTorchCheckpoint,
} from '@cellshape/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import {
  type CloudModelSettings,
  cloudModel,
  DEFAULT_CLOUD_MODEL_SETTINGS,
} from './cloud-model.js';
import {
  type ArchitectureDifference,
  describeDifferences,
  describeInitSource,
  InitMismatchError,
  initialiseModel,
} from './init-weights.js';

const plugin = cloudModel;

/** The run's model: tiny, seed 1. */
const SETTINGS: CloudModelSettings = {
  ...DEFAULT_CLOUD_MODEL_SETTINGS,
  features: 4,
  k: 4,
  sourcePoints: 16,
};
const SEED = 1;

/** Same keys, shapes and bits. */
function sameState(a: StateDict, b: StateDict): boolean {
  if (a.size !== b.size) return false;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (y === undefined || x.shape.join() !== y.shape.join()) return false;
    const bytes = (t: typeof x) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (!bytes(x).equals(bytes(y))) return false;
  }
  return true;
}

/** A trained-looking source model (another seed) and a fresh run model. */
function models(source: Partial<CloudModelSettings> = {}): [CloudAutoEncoder, Encoder] {
  return [
    plugin.createModel({ ...SETTINGS, ...source }, 7) as CloudAutoEncoder,
    plugin.createModel(SETTINGS, SEED),
  ];
}

async function saveAutoencoder(path: string, model: Encoder, epoch = 3): Promise<void> {
  await saveCheckpoint(path, {
    config: model.config(),
    stateDict: model.stateDict(),
    epoch,
    step: 6,
    loss: 1,
    bestLoss: 1,
    seed: 7,
  });
}

/** The InitMismatchError that `promise` rejects with. */
async function mismatchOf(promise: Promise<unknown>): Promise<InitMismatchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InitMismatchError);
  return error as InitMismatchError;
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('initialiseModel', () => {
  const dir = tempDir('init');

  it('loads a cellshape autoencoder checkpoint (pretrain/best.ckpt) bit for bit', async () => {
    const [source, target] = models();
    expect(sameState(target.stateDict(), source.stateDict())).toBe(false);
    const path = join(dir, 'best.ckpt');
    await saveAutoencoder(path, source);
    const result = await initialiseModel(target, path, plugin, SETTINGS, SEED);
    expect(result).toEqual({ path, kind: 'checkpoint', epoch: 3 });
    expect(sameState(target.stateDict(), source.stateDict())).toBe(true);
    source.dispose();
    target.dispose();
  });

  it('takes the autoencoder of an IDEC checkpoint (idec/last.ckpt), without the centres', async () => {
    const [source, target] = models();
    const dec = new DeepEmbeddedClustering(
      source,
      new ClusteringLayer({ numClusters: 3, numFeatures: 4 }),
    );
    const path = join(dir, 'idec.ckpt');
    await saveCheckpoint(path, {
      config: dec.config(),
      stateDict: dec.stateDict(),
      epoch: 2,
      step: 4,
      loss: 1,
      bestLoss: 1,
      seed: 7,
    });
    expect(await initialiseModel(target, path, plugin, SETTINGS, SEED)).toMatchObject({
      kind: 'idec-checkpoint',
      epoch: 2,
    });
    expect(sameState(target.stateDict(), source.stateDict())).toBe(true);
    dec.dispose();
    target.dispose();
  });

  it('imports a cellshape-cloud PyTorch .pt and an .npz of its state dict', async () => {
    const [source, target] = models();
    const pt = join(dir, 'dfn.pt');
    const npz = join(dir, 'dfn.npz');
    writeFileSync(pt, exportTorchCheckpoint(source, { epoch: 5, loss: 0.5 }));
    writeFileSync(npz, exportStateDictNpz(source));
    expect(await initialiseModel(target, pt, plugin, SETTINGS, SEED)).toEqual({
      path: pt,
      kind: 'pytorch',
    });
    expect(sameState(target.stateDict(), source.stateDict())).toBe(true);
    const fresh = plugin.createModel(SETTINGS, SEED);
    await initialiseModel(fresh, npz, plugin, SETTINGS, SEED);
    expect(sameState(fresh.stateDict(), source.stateDict())).toBe(true);
    for (const m of [source, target, fresh]) m.dispose();
  });

  it('lists the settings of another architecture (cellshape checkpoint), weights untouched', async () => {
    const [source, target] = models({ features: 8, k: 5, sourcePoints: 25 });
    const path = join(dir, 'other.ckpt');
    await saveAutoencoder(path, source);
    const before = target.stateDict();
    const error = await mismatchOf(
      initialiseModel(target, path, plugin, SETTINGS, SEED, 'trainRun'),
    );
    expect(error.differences).toEqual([
      { option: 'features', checkpoint: 8, run: 4 },
      { option: 'k', checkpoint: 5, run: 4 },
      { option: 'sourcePoints', checkpoint: 25, run: 16 },
    ]);
    expect(error).toMatchObject({ code: 'INCOMPATIBLE', fn: 'trainRun', arg: 'init', path });
    expect(error.message).toBe(
      `trainRun: the init checkpoint ${path} does not fit the model of the options: features 8 in the checkpoint, 4 in the run; k 5 in the checkpoint, 4 in the run; sourcePoints 25 in the checkpoint, 16 in the run`,
    );
    expect(sameState(target.stateDict(), before)).toBe(true);
    source.dispose();
    target.dispose();
  });

  it('random source shapes must share their seed (the points are not in the state dict)', async () => {
    const settings: CloudModelSettings = { ...SETTINGS, sourceShape: 'sphere' };
    const source = plugin.createModel(settings, 7);
    const target = plugin.createModel(settings, SEED);
    const path = join(dir, 'sphere.ckpt');
    await saveAutoencoder(path, source);
    const error = await mismatchOf(initialiseModel(target, path, plugin, settings, SEED));
    expect(error.differences).toEqual([{ option: 'seed', checkpoint: 7, run: 1 }]);
    source.dispose();
    target.dispose();
  });

  it('a .pt of another architecture: the inferred settings, or the state dict’s own mismatch', async () => {
    const [wide, target] = models({ features: 8, decoder: 'foldingnetbasic' });
    const pt = join(dir, 'wide.pt');
    writeFileSync(pt, exportTorchCheckpoint(wide));
    const error = await mismatchOf(initialiseModel(target, pt, plugin, SETTINGS, SEED));
    // k and the source points are not in a .pt: only what the state dict tells can differ.
    expect(error.differences).toEqual([
      { option: 'decoder', checkpoint: 'foldingnetbasic', run: 'foldingnet' },
      { option: 'features', checkpoint: 8, run: 4 },
    ]);
    // A plane decoder's weights do not fit a sphere (3-D source points): shapes differ.
    const plane = join(dir, 'plane.pt');
    const [source] = models();
    writeFileSync(plane, exportTorchCheckpoint(source));
    const sphere: CloudModelSettings = { ...SETTINGS, sourceShape: 'sphere' };
    const onSphere = plugin.createModel(sphere, SEED);
    const shapes = await mismatchOf(initialiseModel(onSphere, plane, plugin, sphere, SEED));
    expect(shapes.differences).toEqual([]);
    expect(shapes.reason).toMatch(/decoder\.folding1\.0\.weight.*shape/);
    // Parameters of another model: missing and unexpected names.
    const state = source.stateDict();
    state.delete('decoder.folding2.4.bias');
    state.set('decoder.extra.weight', { data: new Float32Array(1), shape: [1] });
    const renamed = join(dir, 'renamed.pt');
    writeFileSync(renamed, writeTorchCheckpoint(state));
    const keys = await mismatchOf(initialiseModel(target, renamed, plugin, SETTINGS, SEED));
    expect(keys.reason).toMatch(
      /missing: decoder.folding2.4.bias.*unexpected: decoder.extra.weight/,
    );
    for (const m of [wide, target, source, onSphere]) m.dispose();
  });

  it('refuses a missing file and files that are not checkpoints', async () => {
    const target = plugin.createModel(SETTINGS, SEED);
    await expect(
      initialiseModel(target, join(dir, 'nope.pt'), plugin, SETTINGS, SEED),
    ).rejects.toThrow(FileSystemError);
    await expect(
      initialiseModel(target, join(dir, 'nope.pt'), plugin, SETTINGS, SEED),
    ).rejects.toThrow(/the init checkpoint .*nope\.pt does not exist/);
    for (const name of ['junk.ckpt', 'junk.pt']) {
      const path = join(dir, name);
      writeFileSync(path, 'not a checkpoint');
      const error = await initialiseModel(target, path, plugin, SETTINGS, SEED, 'trainRun').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FormatError);
      expect(error).toMatchObject({ fn: 'trainRun', arg: 'init' });
      const message = (error as Error).message;
      expect(message.startsWith(`trainRun: the init checkpoint ${path} cannot be read (`)).toBe(
        true,
      );
      expect(message).toMatch(/not a valid zip archive/);
    }
    target.dispose();
  });
});

describe('describeInitSource', () => {
  it('says what kind of file the weights came from', () => {
    expect(
      describeInitSource({ path: '/r/pretrain/best.ckpt', kind: 'checkpoint', epoch: 12 }),
    ).toBe('/r/pretrain/best.ckpt (autoencoder checkpoint, epoch 12)');
    expect(
      describeInitSource({ path: '/r/idec/last.ckpt', kind: 'idec-checkpoint', epoch: 3 }),
    ).toBe('/r/idec/last.ckpt (IDEC checkpoint, epoch 3; its autoencoder)');
    expect(describeInitSource({ path: '/m.pt', kind: 'pytorch' })).toBe(
      '/m.pt (PyTorch checkpoint)',
    );
  });
});

describe('describeDifferences', () => {
  it('names each option as asked', () => {
    const differences: ArchitectureDifference[] = [
      { option: 'sourcePoints', checkpoint: 25, run: 16 },
      { option: 'encoder', checkpoint: 'foldingnet', run: 'dgcnn' },
    ];
    expect(describeDifferences(differences)).toBe(
      'sourcePoints 25 in the checkpoint, 16 in the run; encoder foldingnet in the checkpoint, dgcnn in the run',
    );
    expect(describeDifferences(differences.slice(0, 1), (o) => `--${o}`)).toBe(
      '--sourcePoints 25 in the checkpoint, 16 in the run',
    );
  });
});
