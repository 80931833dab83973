import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
      '--backend',
      'wasm',
    ]);
  });

  it('writes the whole run directory and a pure JSON result', () => {
    expect(first.err).not.toMatch(/error/);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out);
    expect(result).toMatchObject({ ok: true, command: 'train', runDir: run });
    expect(result.summary).toMatchObject({ cells: 8, clusters: 2, backend: 'wasm', chooseK: null });
    expect(result.summary.clusterSizes.reduce((a: number, b: number) => a + b, 0)).toBe(8);
    for (const file of [
      'config.json',
      'pretrain/log.jsonl',
      'pretrain/best.ckpt',
      'pretrain/last.ckpt',
      'idec/log.jsonl',
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
    expect(config.options).toMatchObject({
      epochs: 1,
      idecEpochs: 1,
      features: 4,
      k: 4,
      numPoints: 32,
      sourcePoints: 16,
      batchSize: 4,
      gamma: 100,
      tolerance: 0.001,
      weightDecay: 1e-6,
      clusters: 2,
    });
    expect(config.versions['@cellshape/cloud']).toMatch(/^\d+\.\d+\.\d+/);
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
    expect(config).toMatchObject({ seed: 3, options: { epochs: 2, features: 4, numPoints: 32 } });
    // The pretraining moved on, so IDEC started over: one fresh epoch in its log.
    expect(logEpochs(join(run, 'idec', 'log.jsonl'))).toEqual([0]);
  });

  it('--resume of IDEC alone continues its log', async () => {
    const { code } = await cli([
      '--quiet',
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
      /^cellshape extract: error: extractRun: .*other\.ckpt is not an IDEC checkpoint/,
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
