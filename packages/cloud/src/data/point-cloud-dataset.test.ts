import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  type DatasetWarning,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
} from '@cellshape/core';
import { encodePointCloud, type PointCloud } from '@cellshape/helper';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PointCloudBatch, PointCloudDataset } from './point-cloud-dataset.js';

/** A seeded random cloud of n points around (cx, 0, 0). */
function cloud(n: number, seed: number, cx = 0): PointCloud {
  const rng = createRng(seed);
  const data = Float32Array.from(
    { length: n * 3 },
    (_, i) => (i % 3 === 0 ? cx : 0) + rng.normal(),
  );
  return { data, shape: [n, 3] };
}

async function collect(batches: AsyncIterable<PointCloudBatch>) {
  const out: Array<{ ids: string[]; indices: number[]; shape: number[]; data: Float32Array }> = [];
  for await (const b of batches) {
    out.push({
      ids: b.ids,
      indices: b.indices,
      shape: b.input.shape,
      data: b.input.dataSync() as Float32Array,
    });
    b.input.dispose();
  }
  return out;
}

const root = mkdtempSync(join(tmpdir(), 'cellshape-dataset-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PointCloudDataset.fromArrays', () => {
  const clouds = [cloud(50, 1, 40), cloud(64, 2), cloud(80, 3), cloud(64, 4)];
  const copies = clouds.map((c) => c.data.slice());

  it('normalises, resamples per item and epoch, and never touches the input', async () => {
    const ds = await PointCloudDataset.fromArrays(clouds, {
      numPoints: 64,
      metadata: clouds.map((_, i) => ({ Treatment: i % 2 ? 'DMSO' : 'Blebb', well: i })),
    });
    expect(ds.length).toBe(4);
    expect(ds.ids).toEqual(['0', '1', '2', '3']);
    const a = await ds.get(0);
    expect(a.numPoints).toBe(64);
    expect(a.points).toHaveLength(64 * 3);
    expect(a.metadata).toEqual({ Treatment: 'Blebb', well: 0 });
    // 'fixed20': every point of the source cloud minus its centroid, over 20.
    const src = clouds[0]!.data;
    const mean = [0, 1, 2].map(
      (d) => src.filter((_, i) => i % 3 === d).reduce((s, v) => s + v, 0) / 50,
    );
    const allowed = new Set(
      Array.from({ length: 50 }, (_, i) => ((src[i * 3]! - mean[0]!) / 20).toFixed(5)),
    );
    for (let i = 0; i < 64; i++) expect(allowed.has(a.points[i * 3]!.toFixed(5))).toBe(true);
    // Same (seed, index, epoch) → same sample; another epoch → another sample.
    expect((await ds.get(0)).points).toEqual(a.points);
    expect((await ds.get(0, { epoch: 1 })).points).not.toEqual(a.points);
    // A cloud that already has 64 points is kept as it is, in order.
    const b = await ds.get(1);
    const c1 = clouds[1]!.data;
    expect(b.points[3]! - b.points[0]!).toBeCloseTo((c1[3]! - c1[0]!) / 20, 6);
    b.points[0] = 1e9; // the caller owns the copy
    expect((await ds.get(1)).points[0]).not.toBe(1e9);
    for (const [i, c] of clouds.entries()) expect(c.data).toEqual(copies[i]);
  });

  it('streams batches: every item once, seeded shuffling per epoch, dropLast', async () => {
    const ds = await PointCloudDataset.fromArrays([...clouds, ...clouds, cloud(70, 9)], {
      numPoints: 32,
    });
    const before = tf.memory().numTensors;
    const plain = await collect(ds.batches({ batchSize: 4 }));
    expect(plain.map((b) => b.shape)).toEqual([
      [4, 32, 3],
      [4, 32, 3],
      [1, 32, 3],
    ]);
    expect(plain.flatMap((b) => b.indices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const e0 = await collect(ds.batches({ batchSize: 4, shuffle: true, seed: 5, epoch: 0 }));
    const e0again = await collect(ds.batches({ batchSize: 4, shuffle: true, seed: 5, epoch: 0 }));
    const e1 = await collect(ds.batches({ batchSize: 4, shuffle: true, seed: 5, epoch: 1 }));
    const order = (bs: typeof e0) => bs.flatMap((b) => b.indices);
    expect(order(e0)).toEqual(order(e0again));
    expect(e0.map((b) => b.data)).toEqual(e0again.map((b) => b.data));
    expect([...order(e0)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(order(e1)).not.toEqual(order(e0));
    const dropped = await collect(ds.batches({ batchSize: 4, dropLast: true }));
    expect(dropped).toHaveLength(2);
    // The batch holds each item's own points.
    const item = await ds.get(e0[0]!.indices[1]!, { epoch: 0 });
    expect(e0[0]!.data.subarray(32 * 3, 64 * 3)).toEqual(item.points);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('visits and resamples in the orders of the base commit (core epochOrder and mixSeed)', async () => {
    // Pinned from the dataset's own permutation and seed mixing before they moved to core.
    const pinned: Array<[number, number, number, number[]]> = [
      [9, 5, 0, [8, 3, 7, 4, 0, 5, 6, 2, 1]],
      [9, 5, 1, [2, 6, 5, 1, 0, 7, 3, 8, 4]],
      [20, 0, 3, [15, 11, 14, 2, 18, 4, 8, 3, 5, 19, 9, 10, 16, 1, 6, 0, 7, 12, 17, 13]],
      [13, 123456789, 7, [6, 3, 5, 12, 2, 1, 9, 8, 10, 11, 4, 7, 0]],
      [7, -3, 2, [6, 3, 5, 4, 2, 1, 0]],
      [10, 2.7, 0, [7, 2, 1, 5, 6, 0, 9, 8, 4, 3]],
    ];
    for (const [n, seed, epoch, order] of pinned) {
      const pairs = Array.from({ length: n }, (_, i) => Float32Array.from([i, 0, 0, 0, i + 1, 0]));
      const ds = await PointCloudDataset.fromArrays(pairs, { numPoints: 2, normalise: 'none' });
      const batches = await collect(ds.batches({ batchSize: 4, shuffle: true, seed, epoch }));
      expect(batches.flatMap((b) => b.indices)).toEqual(order);
    }
    const lines = [0, 1, 2].map((c) =>
      Float32Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? c * 100 + i / 3 : 0)),
    );
    const ds = await PointCloudDataset.fromArrays(lines, {
      numPoints: 5,
      normalise: 'none',
      seed: 11,
    });
    const xs = async (index: number, epoch: number) =>
      Array.from((await ds.get(index, { epoch })).points).filter((_, k) => k % 3 === 0);
    expect(await xs(0, 0)).toEqual([4, 8, 3, 0, 7]);
    expect(await xs(2, 0)).toEqual([201, 202, 200, 208, 205]);
    expect(await xs(2, 4)).toEqual([208, 202, 203, 201, 206]);
  });

  it('keeps the defaults for options given as undefined', async () => {
    const ds = await PointCloudDataset.fromArrays(clouds, {
      numPoints: undefined,
      seed: undefined,
    });
    expect(ds.numPoints).toBe(2048);
    const batches = await collect(ds.batches({ batchSize: undefined, shuffle: undefined }));
    expect(batches.map((b) => b.indices)).toEqual([[0, 1, 2, 3]]);
  });

  it('skips clouds with NaN and reports them', async () => {
    const bad = cloud(10, 5);
    bad.data[7] = Number.NaN;
    const warnings: DatasetWarning[] = [];
    const ds = await PointCloudDataset.fromArrays([clouds[0]!, bad], {
      ids: ['good', 'bad'],
      onWarning: (w) => warnings.push(w),
    });
    expect(ds.ids).toEqual(['good']);
    expect(ds.skipped).toEqual([
      { id: 'bad', reason: 'contains non-finite coordinates (point 2)' },
    ]);
    expect(warnings).toEqual(ds.skipped);
  });

  it('keeps point counts with numPoints: null and refuses to batch different sizes', async () => {
    const ds = await PointCloudDataset.fromArrays(clouds, { numPoints: null, normalise: 'none' });
    expect((await ds.get(2)).points).toEqual(clouds[2]!.data);
    await expect(collect(ds.batches({ batchSize: 2 }))).rejects.toThrow(
      /differ in size; set 'numPoints'/,
    );
  });

  it('caches normalised clouds when asked', async () => {
    const ds = await PointCloudDataset.fromArrays(clouds, { cacheSize: 2, numPoints: 64 });
    const first = await ds.get(1);
    expect((await ds.get(1)).points).toEqual(first.points);
    await ds.get(2);
    await ds.get(3);
    expect((await ds.get(1)).points).toEqual(first.points);
    // The deprecated item count still bounds the cache.
    expect(ds.cacheUsage.clouds).toBe(2);
  });

  it('bounds the cache in bytes, least recently used first, with the same results', async () => {
    const bytesOf = (i: number) => clouds[i]!.data.byteLength;
    const budget = bytesOf(1) + bytesOf(2);
    const ds = await PointCloudDataset.fromArrays(clouds, { cacheBytes: budget, numPoints: 64 });
    const plain = await PointCloudDataset.fromArrays(clouds, { numPoints: 64 });
    for (const i of [1, 2, 1, 3]) {
      expect((await ds.get(i, { epoch: 2 })).points).toEqual(
        (await plain.get(i, { epoch: 2 })).points,
      );
      expect(ds.cacheUsage.bytes).toBeLessThanOrEqual(budget);
    }
    // After 1, 2, 1, 3: cloud 2 was the least recently used, so it went to make room for 3.
    expect(ds.cacheUsage).toEqual({ clouds: 2, bytes: bytesOf(1) + bytesOf(3) });
    expect(plain.cacheUsage).toEqual({ clouds: 0, bytes: 0 });
    const tiny = await PointCloudDataset.fromArrays(clouds, { cacheBytes: 8, numPoints: 64 });
    await tiny.get(0);
    expect(tiny.cacheUsage).toEqual({ clouds: 0, bytes: 0 });
    await expect(PointCloudDataset.fromArrays(clouds, { cacheBytes: -1 })).rejects.toThrow(
      /'options.cacheBytes'/,
    );
  });

  it('rejects invalid input', async () => {
    await expect(PointCloudDataset.fromArrays([])).rejects.toThrow(
      /'clouds' must be a non-empty array/,
    );
    await expect(PointCloudDataset.fromArrays([new Float32Array(4)])).rejects.toThrow(
      /clouds\[0\]/,
    );
    await expect(PointCloudDataset.fromArrays(clouds, { numPoints: 0 })).rejects.toThrow(
      /'options.numPoints'/,
    );
    await expect(PointCloudDataset.fromArrays(clouds, { ids: ['a'] })).rejects.toThrow(
      /'options.ids'/,
    );
    await expect(PointCloudDataset.fromArrays(clouds, { cacheSize: -1 })).rejects.toThrow(
      InvalidArgumentError,
    );
    const nan = cloud(5, 1);
    nan.data.fill(Number.NaN);
    await expect(PointCloudDataset.fromArrays([nan])).rejects.toThrow(
      /holds no usable point cloud; 1 skipped/,
    );
    const ds = await PointCloudDataset.fromArrays(clouds);
    await expect(ds.get(4)).rejects.toThrow(/'index' must be an integer in \[0, 3\]/);
    await expect(ds.get(0, { epoch: -1 })).rejects.toThrow(/'options.epoch'/);
    await expect(collect(ds.batches({ batchSize: 0 }))).rejects.toThrow(/'options.batchSize'/);
    await expect(collect(ds.batches({ seed: Number.NaN }))).rejects.toThrow(/'options.seed'/);
  });
});

describe('PointCloudDataset.fromFolder', () => {
  const dir = join(root, 'clouds');
  beforeAll(() => {
    for (const [rel, seed] of [
      ['Plate1/DMSO/cell_001.ply', 1],
      ['Plate1/DMSO/cell_002.ply', 2],
      ['Plate2/Blebb/cell_003.ply', 3],
      ['Plate2/Blebb/cell_001.ply', 4],
    ] as const) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), encodePointCloud(cloud(40, seed), { format: 'ply' }));
    }
    writeFileSync(
      join(dir, 'Plate2', 'corrupt.ply'),
      'ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\nend_header\n\x01\x02',
    );
    writeFileSync(
      join(dir, 'Plate2', 'nan.ply'),
      'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\nnan 0 1\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a cloud');
    symlinkSync(join(root, 'gone.ply'), join(dir, 'Plate2', 'moved.ply')); // a link to nothing
  });

  it('reads every .ply recursively, sorted, and skips corrupt files with the reason', async () => {
    const warnings: DatasetWarning[] = [];
    const ds = await PointCloudDataset.fromFolder(dir, {
      numPoints: 32,
      onWarning: (w) => warnings.push(w),
    });
    expect(ds.ids).toEqual([
      'Plate1/DMSO/cell_001',
      'Plate1/DMSO/cell_002',
      'Plate2/Blebb/cell_001',
      'Plate2/Blebb/cell_003',
    ]);
    expect(ds.skipped.map((s) => s.id)).toEqual(['Plate2/corrupt', 'Plate2/moved', 'Plate2/nan']);
    expect(ds.skipped[0]!.reason).toMatch(/is not a readable point cloud/);
    expect(ds.skipped[2]!.reason).toMatch(/is not a readable point cloud/);
    expect(ds.skipped[1]!.reason).toMatch(/ENOENT|does not exist|no such file/i);
    // Read by index from the packed listing, past the skipped files.
    expect(ds.id(3)).toBe('Plate2/Blebb/cell_003');
    expect(ds.filePath(2)).toBe(join(dir, 'Plate2/Blebb/cell_001.ply'));
    expect(ds.filePath(4)).toBeUndefined();
    expect(ds.ids).toBe(ds.ids);
    expect(warnings).toHaveLength(3);
    const batches = await collect(ds.batches({ batchSize: 3 }));
    expect(batches.map((b) => b.shape)).toEqual([
      [3, 32, 3],
      [1, 32, 3],
    ]);
  });

  it('joins a metadata CSV by relative path or unique file name, in row order', async () => {
    const csv = join(root, 'cells.csv');
    writeFileSync(
      csv,
      [
        'serialNumber,Treatment,PlateNumber',
        'cell_002,DMSO,1',
        'Plate2/Blebb/cell_001.ply,Blebb,2',
        'cell_001,DMSO,1',
        'cell_003,"Blebb, 10uM",2',
        'cell_999,DMSO,1',
      ].join('\n'),
    );
    const ds = await PointCloudDataset.fromFolder(dir, { metadata: csv, numPoints: 32 });
    expect(ds.ids).toEqual(['cell_002', 'Plate2/Blebb/cell_001', 'cell_003']);
    expect(ds.metadata[2]).toEqual({
      serialNumber: 'cell_003',
      Treatment: 'Blebb, 10uM',
      PlateNumber: '2',
    });
    const reasons = Object.fromEntries(ds.skipped.map((s) => [s.id, s.reason]));
    expect(reasons.cell_001).toMatch(/matches 2 files by name/);
    expect(reasons.cell_999).toBe('no .ply file for this metadata id');
    expect(reasons['Plate1/DMSO/cell_001']).toBe('no metadata row');
    expect(reasons['Plate2/corrupt']).toBe('no metadata row');
    const rows = await PointCloudDataset.fromFolder(dir, {
      metadata: [{ cell: 'Plate1/DMSO/cell_001', group: 'a' }],
      idColumn: 'cell',
    });
    expect(rows.ids).toEqual(['Plate1/DMSO/cell_001']);
    await expect(
      PointCloudDataset.fromFolder(dir, { metadata: csv, idColumn: 'nope' }),
    ).rejects.toThrow(
      /'options.idColumn' must be a column of the metadata \(serialNumber, Treatment, PlateNumber\)/,
    );
    await expect(
      PointCloudDataset.fromFolder(dir, { metadata: join(root, 'missing.csv') }),
    ).rejects.toThrow(FileSystemError);
  });

  it('keeps joined metadata as columns and gives back each row as it was', async () => {
    const many = join(root, 'many');
    const rows = Array.from({ length: 12 }, (_, i) => ({
      serialNumber: `c${i}`,
      Treatment: ['DMSO', 'Blebb'][i % 2]!,
      well: `w${i}`,
    }));
    mkdirSync(many, { recursive: true });
    rows.forEach((row, i) => {
      writeFileSync(
        join(many, `${row.serialNumber}.ply`),
        encodePointCloud(cloud(8, i), { format: 'ply' }),
      );
    });
    const reversed = [...rows].reverse();
    const ds = await PointCloudDataset.fromFolder(many, { metadata: reversed });
    expect(ds.metadata).toEqual(reversed);
    expect(ds.metadata.map((row) => Object.keys(row))).toEqual(
      reversed.map(() => ['serialNumber', 'Treatment', 'well']),
    );
    expect((await ds.get(5)).metadata).toEqual(reversed[5]);
    // Rows of different columns are kept as they are.
    const ragged = rows.map((row, i) => (i === 3 ? { ...row, extra: 'x' } : row));
    const kept = await PointCloudDataset.fromFolder(many, { metadata: ragged });
    expect(kept.metadata).toEqual(ragged);
  });

  it('with validate: false defers errors to reading time', async () => {
    const ds = await PointCloudDataset.fromFolder(join(dir, 'Plate2'), { validate: false });
    expect(ds.length).toBe(5);
    const corrupt = ds.ids.indexOf('corrupt');
    await expect(ds.get(corrupt)).rejects.toThrow(FormatError);
  });

  it('with validate: false and exclude, leaves out the files another validation rejected, unread', async () => {
    const validated = await PointCloudDataset.fromFolder(dir, { numPoints: 32 });
    const exclude = validated.skipped.map((w) => w.path!);
    expect(exclude).toEqual(
      ['corrupt', 'moved', 'nan'].map((name) => join(dir, `Plate2/${name}.ply`)),
    );
    const trusted = await PointCloudDataset.fromFolder(dir, {
      numPoints: 32,
      validate: false,
      exclude,
    });
    expect(trusted.ids).toEqual(validated.ids);
    expect(trusted.skipped).toEqual([]);
    expect(await collect(trusted.batches({ batchSize: 3 }))).toEqual(
      await collect(validated.batches({ batchSize: 3 })),
    );
    await expect(PointCloudDataset.fromFolder(dir, { exclude: 'x' as never })).rejects.toThrow(
      "PointCloudDataset.fromFolder: 'options.exclude' must be an array of file paths",
    );
  });

  it('starts a pass at a batch boundary without reading the clouds before it (batchesFrom)', async () => {
    const copy = join(root, 'clouds-from');
    for (const [i, seed] of [1, 2, 3, 4, 5].entries()) {
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, `c${i}.ply`), encodePointCloud(cloud(40, seed), { format: 'ply' }));
    }
    const ds = await PointCloudDataset.fromFolder(copy, { numPoints: 32 });
    const options = { batchSize: 2, epoch: 1 };
    const whole = await collect(ds.batches(options));
    // The first batch's files go bad: a pass from 2 never reads them, a pass from 0 does.
    writeFileSync(join(copy, 'c0.ply'), 'not a cloud');
    writeFileSync(join(copy, 'c1.ply'), 'not a cloud');
    expect(await collect(ds.batchesFrom(2, options))).toEqual(whole.slice(1));
    expect(await collect(ds.batchesFrom(4, options))).toEqual(whole.slice(2));
    await expect(collect(ds.batches(options))).rejects.toThrow(FormatError);
    await expect(collect(ds.batchesFrom(3, options))).rejects.toThrow(
      "'from' must be a multiple of the batch size 2",
    );
  });

  it('names the folder when it is empty or missing', async () => {
    const empty = join(root, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    await expect(PointCloudDataset.fromFolder(empty)).rejects.toThrow(
      new RegExp(`the folder "${empty}" holds no .ply files`),
    );
    await expect(PointCloudDataset.fromFolder(join(root, 'nope'))).rejects.toThrow(FileSystemError);
    await expect(PointCloudDataset.fromFolder(join(dir, 'notes.txt'))).rejects.toThrow(
      /'dir' must be a folder/,
    );
    await expect(PointCloudDataset.fromFolder('')).rejects.toThrow(InvalidArgumentError);
  });
});

describe('PointCloudDataset.fromFiles', () => {
  it('uses file names as ids and takes metadata per file', async () => {
    const a = join(root, 'a.ply');
    const b = join(root, 'b.csv');
    writeFileSync(a, encodePointCloud(cloud(20, 1), { format: 'ply' }));
    writeFileSync(b, encodePointCloud(cloud(20, 2), { format: 'csv' }));
    const ds = await PointCloudDataset.fromFiles([a, b], {
      metadata: [{ k: 1 }, { k: 2 }],
      numPoints: 20,
    });
    expect(ds.ids).toEqual(['a', 'b']);
    expect(ds.metadata).toEqual([{ k: 1 }, { k: 2 }]);
    await expect(PointCloudDataset.fromFiles([])).rejects.toThrow(/'files'/);
    await expect(PointCloudDataset.fromFiles([a], { metadata: [] })).rejects.toThrow(
      /'options.metadata'/,
    );
  });
});
