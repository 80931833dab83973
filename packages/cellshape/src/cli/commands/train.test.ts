import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAutoEncoder } from '@cellshape/cloud';
import { exportTorchCheckpoint, loadCheckpoint, selectBackend } from '@cellshape/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, TINY_MODEL, tempDir, writeTinyClouds } from '../../test-utils/fixtures.js';

function logEpochs(path: string): number[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).epoch);
}

function csv(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

describe('cellshape train / extract on a folder without point clouds', () => {
  const dir = tempDir('train-empty');

  it('is a usage error (exit 2) naming the folder and what it lacks', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'notes.txt'), 'not a point cloud');
    const { code, err } = await cli(['train', empty, '--out', join(dir, 'run'), ...TINY_MODEL]);
    expect(code).toBe(2);
    expect(err).toMatch(/the input folder ".*empty" is not a folder of \.ply point clouds/);
    expect(err).toMatch(/holds no \.ply files/);
    expect(existsSync(join(dir, 'run', 'pretrain'))).toBe(false);
  });
});

describe('cellshape train / extract on a tiny data set', () => {
  const dir = tempDir('train');
  const run = join(dir, 'run');
  let data: { points: string; metadata: string };
  let first: { code: number; out: string; err: string };

  beforeAll(async () => {
    data = await writeTinyClouds(dir);
    first = await cli([
      '--json',
      '--seed',
      '3',
      'train',
      data.points,
      '--out',
      run,
      '--metadata',
      data.metadata,
      ...TINY_MODEL,
      '--epochs',
      '1',
      '--idec-epochs',
      '1',
      '--idec-batch-norm',
      'eval',
      '--centre-lr-scale',
      '30',
      '--backend',
      'wasm',
    ]);
  });

  it('writes the whole run directory and a pure JSON result', () => {
    expect(first.err).not.toMatch(/error/);
    expect(first.err).not.toContain('batch norm in train mode'); // --idec-batch-norm eval
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out);
    expect(result).toMatchObject({ ok: true, command: 'train', runDir: run });
    expect(result.summary).toMatchObject({ cells: 8, clusters: 2, backend: 'wasm', chooseK: null });
    expect(result.summary.clusterSizes.reduce((a: number, b: number) => a + b, 0)).toBe(8);
    // Cluster quality of the run's features, and its agreement with the Treatment column.
    expect(Object.keys(result.summary.clusterQuality)).toEqual([
      'silhouette',
      'silhouetteCells',
      'daviesBouldin',
      'calinskiHarabasz',
      'against',
    ]);
    expect(Object.keys(result.summary.clusterQuality.against)).toEqual(['Treatment']);
    for (const file of [
      'config.json',
      'pretrain/log.jsonl',
      'pretrain/best.ckpt',
      'pretrain/last.ckpt',
      'idec/log.jsonl',
      'idec/updates.jsonl',
      'idec/best.ckpt',
      'idec/last.ckpt',
      'features.csv',
      'assignments.csv',
      'exemplars.json',
      'summary.json',
    ])
      expect(existsSync(join(run, file)), file).toBe(true);
  });

  it('records the resolved options, seed, backend and absolute inputs in config.json', () => {
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      seed: 3,
      backend: 'wasm',
      model: 'cloud',
      inputs: { points: data.points, metadata: data.metadata, idColumn: 'serialNumber' },
    });
    expect(config.formatVersion).toBe(2);
    expect(config.options).toMatchObject({
      model: { family: 'cloud', settings: { features: 4, k: 4, numPoints: 32, sourcePoints: 16 } },
      data: { batchSize: 4 },
      pretrain: { epochs: 1, weightDecay: 1e-6 },
      idec: {
        epochs: 1,
        gamma: 100,
        batchNorm: 'eval',
        centreLrScale: 30,
        tolerance: 0.001,
        clusters: 2,
      },
    });
    expect(config.versions['@cellshape/cloud']).toMatch(/^\d+\.\d+\.\d+/);
    // --lr 1e-3 pretrains; IDEC without --idec-lr runs at most at 1e-4.
    expect(config.options).toMatchObject({ pretrain: { lr: 1e-3 }, idec: { lr: null } });
    expect(logEpochs(join(run, 'pretrain', 'log.jsonl'))).toHaveLength(1);
    const idecLog = readFileSync(join(run, 'idec', 'log.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(idecLog[0]!).lr).toBe(1e-4);
  });

  it('writes features.csv and assignments.csv with metadata columns, q rows summing to 1', () => {
    const features = csv(join(run, 'features.csv'));
    expect(features[0]).toEqual(['id', 'serialNumber', 'Treatment', 'f0', 'f1', 'f2', 'f3']);
    expect(features).toHaveLength(9);
    const assignments = csv(join(run, 'assignments.csv'));
    expect(assignments[0]).toEqual(['id', 'serialNumber', 'Treatment', 'cluster', 'q0', 'q1']);
    for (const row of assignments.slice(1)) {
      const [q0, q1] = [Number(row[4]), Number(row[5])];
      expect(q0 + q1).toBeCloseTo(1, 12);
      expect(Number(row[3])).toBe(q0 >= q1 ? 0 : 1);
    }
  });

  it('writes up to 3 exemplars per cluster with their points read back from the files', () => {
    const { clusters } = JSON.parse(readFileSync(join(run, 'exemplars.json'), 'utf8'));
    expect(clusters).toHaveLength(2);
    for (const c of clusters) {
      expect(c.exemplars.length).toBe(Math.min(3, c.size));
      for (const e of c.exemplars) {
        expect(e.points).toHaveLength(64); // the file's 64 points, not the 32 resampled
        expect(e.points[0]).toHaveLength(3);
        expect(Math.abs(e.points[0][0] - 50)).toBeLessThan(21); // raw file coordinates
      }
      const qs = c.exemplars.map((e: { q: number }) => e.q);
      expect([...qs].sort((a, b) => b - a)).toEqual(qs);
    }
  });

  it('refuses to train over an existing run without --resume or --overwrite (exit 2)', async () => {
    const { code, err } = await cli([
      'train',
      data.points,
      '--out',
      run,
      ...TINY_MODEL,
      '--epochs',
      '1',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/already holds a training run/);
  });

  it('--resume continues: --epochs 2 adds only epoch 2 to the pretraining log, keeping saved flags', async () => {
    expect(logEpochs(join(run, 'pretrain', 'log.jsonl'))).toEqual([0]);
    const { code, out, err } = await cli([
      '--json',
      'train',
      data.points,
      '--out',
      run,
      '--epochs',
      '2',
      '--resume',
      '--backend',
      'wasm',
    ]);
    expect(err).toMatch(/resuming pretraining/);
    expect(code).toBe(0);
    expect(logEpochs(join(run, 'pretrain', 'log.jsonl'))).toEqual([0, 1]);
    const { summary } = JSON.parse(out);
    expect(summary.pretrain).toMatchObject({ epochs: 2, epochsThisRun: 1 });
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      seed: 3,
      options: { pretrain: { epochs: 2 }, model: { settings: { features: 4, numPoints: 32 } } },
    });
    // The pretraining moved on, so IDEC started over: one fresh epoch in its log.
    expect(logEpochs(join(run, 'idec', 'log.jsonl'))).toEqual([0]);
  });

  it('--resume of IDEC alone continues its log', async () => {
    const { code, out } = await cli([
      '--json',
      'train',
      data.points,
      '--out',
      run,
      '--idec-epochs',
      '2',
      '--tolerance',
      '1e-9',
      '--resume',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    expect(logEpochs(join(run, 'pretrain', 'log.jsonl'))).toEqual([0, 1]);
    expect(logEpochs(join(run, 'idec', 'log.jsonl'))).toEqual([0, 1]);
    // No pretraining epoch ran in this call: the summary reports the checkpoint's last loss.
    const { pretrain } = JSON.parse(out).summary;
    expect(pretrain).toMatchObject({ epochs: 2, epochsThisRun: 0 });
    expect(Number.isFinite(pretrain.finalLoss)).toBe(true);
  });

  it('extract writes id, metadata, cluster, q and features for the training cells', async () => {
    const out = join(dir, 'cells.csv');
    const { code, out: stdout } = await cli([
      '--json',
      'extract',
      run,
      '--out',
      out,
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      cells: 8,
      clusters: 2,
      features: 4,
      output: out,
    });
    const rows = csv(out);
    expect(rows[0]).toEqual([
      'id',
      'serialNumber',
      'Treatment',
      'cluster',
      'q0',
      'q1',
      'f0',
      'f1',
      'f2',
      'f3',
    ]);
    // Same model, same cells: the same hard labels as the run's assignments.
    const assignments = csv(join(run, 'assignments.csv'));
    expect(rows.slice(1).map((r) => r[3])).toEqual(assignments.slice(1).map((r) => r[3]));
  });

  it('extract of a new folder without metadata', async () => {
    const out = join(dir, 'new.csv');
    const { code } = await cli([
      '--quiet',
      'extract',
      run,
      data.points,
      '--out',
      out,
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    expect(csv(out)[0]).toEqual(['id', 'cluster', 'q0', 'q1', 'f0', 'f1', 'f2', 'f3']);
  });

  it('extract --features-with classical adds the standardised classical measures', async () => {
    const out = join(dir, 'with-classical.csv');
    const { code, out: stdout } = await cli([
      '--json',
      'extract',
      run,
      '--out',
      out,
      '--features-with',
      'classical',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, cells: 8, features: 4, classical: 13 });
    const rows = csv(out);
    const header = rows[0]!;
    // (An earlier test wrote its output over the metadata CSV: its columns come back as metadata.)
    const first = header.indexOf('classical_volume');
    expect(header.slice(first - 4, first)).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(header.slice(first)).toEqual([
      'classical_volume',
      'classical_sphericity',
      'classical_extent_x',
      'classical_extent_y',
      'classical_extent_z',
      'classical_axis_major',
      'classical_axis_intermediate',
      'classical_axis_minor',
      'classical_elongation',
      'classical_flatness',
      'classical_convex_hull_volume',
      'classical_solidity',
      'classical_area',
    ]);
    // Each classical column is z-scored over the 8 cells: mean 0 (a constant one stays 0).
    for (let c = first; c < header.length; c++) {
      const values = rows.slice(1).map((r) => Number(r[c]));
      expect(values.every(Number.isFinite)).toBe(true);
      expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThan(1e-6);
    }
  });

  it('--preset small-data sets defaults that the flags given override', async () => {
    const small = join(dir, 'run-preset');
    const { code } = await cli([
      '--quiet',
      'train',
      data.points,
      '--out',
      small,
      '--preset',
      'small-data',
      ...TINY_MODEL,
      '--epochs',
      '1',
      '--idec-epochs',
      '0',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    const config = JSON.parse(readFileSync(join(small, 'config.json'), 'utf8'));
    // From the preset:
    expect(config.options.model.settings.normalise).toBe('pcaPoseUnitSphere');
    expect(config.options.idec.batchNorm).toBe('eval');
    // Given flags win:
    expect(config.options.model.settings.k).toBe(4);
    expect(config.options.model.settings.numPoints).toBe(32);
    expect(config.options.pretrain.epochs).toBe(1);
    const voxel = await cli([
      'train',
      data.points,
      '--out',
      join(dir, 'run-v'),
      '--model',
      'voxel',
      '--preset',
      'small-data',
    ]);
    expect(voxel.code).toBe(2);
    expect(voxel.err).toMatch(/--preset small-data is for --model cloud, not voxel/);
  });

  it('--idec-epochs 0 keeps the k-means model, which extract uses', async () => {
    const run0 = join(dir, 'run0');
    const trained = await cli([
      '--quiet',
      'train',
      data.points,
      '--out',
      run0,
      ...TINY_MODEL,
      '--epochs',
      '1',
      '--idec-epochs',
      '0',
      '--backend',
      'wasm',
    ]);
    expect(trained.code).toBe(0);
    expect(existsSync(join(run0, 'idec', 'last.ckpt'))).toBe(true);
    const { code } = await cli([
      '--quiet',
      'extract',
      run0,
      '--out',
      join(dir, 'run0.csv'),
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(0);
    expect(
      csv(join(dir, 'run0.csv'))
        .slice(1)
        .map((r) => r[3]),
    ).toEqual(
      csv(join(run0, 'assignments.csv'))
        .slice(1)
        .map((r) => r[3]),
    );
  });

  it('a checkpoint of another architecture: one line on stderr, exit 1', async () => {
    // The pretraining checkpoint is an autoencoder, not autoencoder + centres.
    const copy = join(dir, 'other.ckpt');
    copyFileSync(join(run, 'pretrain', 'last.ckpt'), copy);
    const { code, err } = await cli([
      'extract',
      run,
      '--out',
      join(dir, 'x.csv'),
      '--checkpoint',
      copy,
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(
      /^cellshape extract: error: extractRun: .*other\.ckpt is not the checkpoint of a clustered model/,
    );
  });

  it('resuming with another architecture fails with one line and exit 1', async () => {
    const { code, err } = await cli([
      'train',
      data.points,
      '--out',
      run,
      '--features',
      '6',
      '--resume',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(1);
    expect(err.trim().split('\n').at(-1)).toMatch(/^cellshape train: error: .*(shape|match)/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('cellshape train --init: IDEC from a saved autoencoder', () => {
  const dir = tempDir('train-init');
  const base = join(dir, 'base');
  let data: { points: string; metadata: string };
  const train = (out: string, ...flags: string[]) =>
    cli([
      '--seed',
      '3',
      'train',
      data.points,
      '--out',
      out,
      '--metadata',
      data.metadata,
      ...TINY_MODEL,
      '--idec-epochs',
      '0',
      '--backend',
      'wasm',
      ...flags,
    ]);
  const text = (path: string) => readFileSync(path, 'utf8');

  beforeAll(async () => {
    data = await writeTinyClouds(dir);
    const { code, err } = await train(base, '--epochs', '1');
    expect(code, err).toBe(0);
  });

  it.each([
    ['pretrain/best.ckpt', 'autoencoder checkpoint, epoch 1'],
    ['idec/last.ckpt', 'IDEC checkpoint, epoch 0; its autoencoder'],
  ])(
    '--init <run>/%s --epochs 0: the features and clusters of the first run',
    async (file, kind) => {
      const init = join(base, file);
      const run = join(dir, file.replace('/', '-'));
      const { code, out, err } = await train(run, '--init', init, '--epochs', '0');
      expect(code, err).toBe(0);
      expect(err).toContain(`initialised the model from ${init} (${kind})`);
      expect(out).toContain(`initial weights: ${init}`);
      // No pretraining: IDEC's k-means starts from the first run's autoencoder.
      expect(text(join(run, 'features.csv'))).toBe(text(join(base, 'features.csv')));
      expect(text(join(run, 'assignments.csv'))).toBe(text(join(base, 'assignments.csv')));
      const config = JSON.parse(text(join(run, 'config.json')));
      expect(config.options).toMatchObject({ model: { init }, pretrain: { epochs: 0 } });
      expect(JSON.parse(text(join(run, 'summary.json'))).pretrain.epochs).toBe(0);
    },
  );

  it('without --init, --epochs 0 clusters untrained weights: other features (the control)', async () => {
    const run = join(dir, 'untrained');
    const { code, err } = await train(run, '--epochs', '0');
    expect(code, err).toBe(0);
    expect(err).not.toContain('initialised the model');
    expect(text(join(run, 'features.csv'))).not.toBe(text(join(base, 'features.csv')));
    expect(JSON.parse(text(join(run, 'config.json'))).options.model.init).toBeNull();
  });

  it('--init <a cellshape-cloud .pt> of the same weights: the same features', async () => {
    await selectBackend('wasm');
    const checkpoint = await loadCheckpoint(join(base, 'pretrain', 'best.ckpt'));
    const model = new CloudAutoEncoder(checkpoint.config);
    model.loadStateDict(checkpoint.stateDict);
    const pt = join(dir, 'dfn.pt');
    writeFileSync(pt, exportTorchCheckpoint(model, { epoch: 1 }));
    model.dispose();
    const run = join(dir, 'from-pt');
    const { code, out, err } = await train(run, '--json', '--init', pt, '--epochs', '0');
    expect(code, err).toBe(0);
    expect(err).toContain(`initialised the model from ${pt} (PyTorch checkpoint)`);
    expect(JSON.parse(out).init).toEqual({ path: pt, kind: 'pytorch' });
    expect(text(join(run, 'features.csv'))).toBe(text(join(base, 'features.csv')));
  });

  it('a checkpoint of another architecture: one line naming --init and the flags, exit 1', async () => {
    const ckpt = join(base, 'pretrain', 'best.ckpt');
    const run = join(dir, 'mismatch');
    const flags = ['--features', '6', '--k', '5', '--epochs', '0'];
    const { code, err } = await train(run, '--init', ckpt, ...flags);
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err.trim()).toBe(
      `cellshape train: error: --init ${ckpt} does not fit the model of the flags: --features 4 in the checkpoint, 6 in the run; --k 4 in the checkpoint, 5 in the run`,
    );
    expect(existsSync(join(run, 'config.json'))).toBe(false);
    // A .pt holds no k: only the features differ.
    const pt = join(dir, 'dfn.pt');
    const fromPt = await train(run, '--init', pt, ...flags);
    expect(fromPt.code).toBe(1);
    expect(fromPt.err.trim()).toBe(
      `cellshape train: error: --init ${pt} does not fit the model of the flags: --features 4 in the checkpoint, 6 in the run`,
    );
    // Source points of another shape: the weights' shapes differ.
    const sphere = await train(run, '--init', pt, '--source-shape', 'sphere', '--epochs', '0');
    expect(sphere.code).toBe(1);
    expect(sphere.err.trim().split('\n')).toHaveLength(1);
    expect(sphere.err).toMatch(
      /^cellshape train: error: --init .*dfn\.pt does not fit the model of the flags: .*'decoder\.folding1\.0\.weight' must have shape/,
    );
    expect(sphere.err).not.toMatch(/\n\s+at /);
  });

  it('a missing file, a folder or a corrupt file for --init: one line', async () => {
    const run = join(dir, 'bad');
    const missing = await train(run, '--init', join(dir, 'nope.ckpt'));
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toMatch(
      /^cellshape train: error: the --init checkpoint ".*nope\.ckpt" does not exist \(see 'cellshape train --help'\)$/,
    );
    const folder = await train(run, '--init', dir);
    expect(folder.code).toBe(2);
    expect(folder.err).toMatch(/the --init checkpoint ".*" is not a file/);
    const junk = join(dir, 'junk.pt');
    writeFileSync(junk, 'not a checkpoint');
    const corrupt = await train(run, '--init', junk);
    expect(corrupt.code).toBe(1);
    expect(corrupt.err.trim().split('\n')).toHaveLength(1);
    expect(corrupt.err).toMatch(
      /^cellshape train: error: trainRun: the init checkpoint .*junk\.pt cannot be read \(/,
    );
    expect(existsSync(join(run, 'config.json'))).toBe(false);
  });

  it('IDEC with batch norm in train mode on small batches: a note suggests eval mode', async () => {
    const idecOnly = (name: string, ...flags: string[]) =>
      train(
        join(dir, name),
        '--init',
        join(base, 'pretrain', 'best.ckpt'),
        '--epochs',
        '0',
        '--idec-epochs',
        '1',
        ...flags,
      );
    const small = await idecOnly('small');
    expect(small.code, small.err).toBe(0);
    expect(small.err).toContain(
      "IDEC with batch norm in train mode on batches of 4: the statistics of so few cells move labels; idecBatchNorm 'eval' (--idec-batch-norm eval) is steadier",
    );
    const frozen = await idecOnly('small-eval', '--idec-batch-norm', 'eval');
    expect(frozen.code, frozen.err).toBe(0);
    expect(frozen.err).not.toContain('batch norm in train mode');
  });

  it('--resume continues from the run’s own checkpoint, not from --init again', async () => {
    const init = join(dir, 'copy.ckpt');
    copyFileSync(join(base, 'pretrain', 'best.ckpt'), init);
    const run = join(dir, 'resumed');
    const first = await train(run, '--init', init, '--epochs', '1');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain('initialised the model');
    rmSync(init); // the run no longer needs it
    // Only the new epoch count: every other flag, --init included, comes from config.json.
    const resume = ['train', data.points, '--out', run, '--resume', '--backend', 'wasm'];
    const { code, err } = await cli([...resume, '--epochs', '2']);
    expect(code, err).toBe(0);
    expect(err).toContain(
      `resuming pretraining from ${join(run, 'pretrain', 'last.ckpt')} (its weights, not those of ${init})`,
    );
    expect(err).not.toContain('initialised the model');
    expect(logEpochs(join(run, 'pretrain', 'log.jsonl'))).toEqual([0, 1]);
    expect(JSON.parse(text(join(run, 'config.json'))).options).toMatchObject({
      model: { init },
      pretrain: { epochs: 2 },
    });
  });
});
