import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTinyClouds } from '../test-utils/fixtures.js';
import { extractChunks, extractPartsDir } from './extract-job.js';
import { extractRun, openExtractJob } from './extract-run.js';
import { trainRun } from './train-run.js';

describe('extractRun in chunks', () => {
  const dir = tempDir('extract-chunks');
  const run = join(dir, 'run');
  let reference: string;
  let metadata: string;
  let points: string;
  /** Extraction options with `chunkSize` cells per part, the metadata's columns included. */
  const opts = (chunkSize: number) => ({ chunkSize, batchSize: 4, metadata });

  beforeAll(async () => {
    const tiny = await writeTinyClouds(dir, 6);
    points = tiny.points;
    metadata = tiny.metadata;
    await trainRun(points, run, {
      model: { settings: { numPoints: 32, k: 4, sourcePoints: 16, features: 4 } },
      data: { batchSize: 4 },
      pretrain: { epochs: 1, lr: 1e-3 },
      idec: { clusters: 2, kmeansRestarts: 2, epochs: 1 },
      runtime: { backend: 'cpu' },
    });
    reference = join(dir, 'whole.csv');
    await extractRun(run, reference, opts(1000));
  });

  it('splits cells into chunks that cover them once', () => {
    expect(extractChunks(10, 4)).toEqual([
      { index: 0, start: 0, end: 4 },
      { index: 1, start: 4, end: 8 },
      { index: 2, start: 8, end: 10 },
    ]);
    expect(extractChunks(0, 4)).toEqual([]);
  });

  it('writes the same CSV byte for byte whatever the chunk size, and cleans its parts', async () => {
    const out = join(dir, 'chunked.csv');
    const result = await extractRun(run, out, opts(4));
    expect(result).toMatchObject({ cells: 12, resumedChunks: 0, features: 4 });
    expect(result.cellsPerSecond).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(
      'id,serialNumber,Treatment,cluster,q0,q1,f0,f1,f2,f3',
    );
    expect(existsSync(extractPartsDir(out))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('resumes an interrupted extraction from its finished parts', async () => {
    const out = join(dir, 'resumed.csv');
    // An interrupted run: chunks 0 and 2 of 3 written, a half-written temporary file left.
    const opened = await openExtractJob(run, out, opts(4));
    await opened.job.prepare();
    await opened.job.extractChunk(0);
    await opened.job.extractChunk(2);
    opened.dispose();
    writeFileSync(join(extractPartsDir(out), '.part-000001.csv.abc123.tmp'), 'f0,f1\n0.1');
    const result = await extractRun(run, out, opts(4));
    expect(result.resumedChunks).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    expect(existsSync(extractPartsDir(out))).toBe(false);
  });

  it('drops the parts of another job (other chunk size) instead of mixing them in', async () => {
    const out = join(dir, 'other.csv');
    const opened = await openExtractJob(run, out, opts(8));
    await opened.job.prepare();
    await opened.job.extractChunk(0);
    opened.dispose();
    writeFileSync(join(extractPartsDir(out), 'part-000001.csv'), 'garbage\n');
    const result = await extractRun(run, out, opts(4));
    expect(result.resumedChunks).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  });

  it('drops the parts written with other metadata instead of mixing their columns in', async () => {
    // Parts of a run with a metadata table of the same cells but another column were resumed
    // under the header of the new one: rows a column too long, values under the wrong names.
    const out = join(dir, 'remeta.csv');
    const wider = join(dir, 'wider.csv');
    const lines = readFileSync(metadata, 'utf8').trimEnd().split('\n');
    writeFileSync(wider, `${lines.map((l, i) => `${l},${i === 0 ? 'Well' : 'A01'}`).join('\n')}\n`);
    const opened = await openExtractJob(run, out, { chunkSize: 4, batchSize: 4, metadata: wider });
    await opened.job.prepare();
    await opened.job.extractChunk(0);
    opened.dispose();
    const result = await extractRun(run, out, opts(4));
    expect(result.resumedChunks).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  });

  it('lets a second process verify the job without touching the parts', async () => {
    const out = join(dir, 'verified.csv');
    const first = await openExtractJob(run, out, opts(4));
    await first.job.prepare();
    await first.job.extractChunk(0);
    first.dispose();
    const same = await openExtractJob(run, out, opts(4));
    expect(() => same.job.verify()).not.toThrow();
    same.dispose();
    const other = await openExtractJob(run, out, opts(8));
    expect(() => other.job.verify()).toThrow(
      /belong to another job \(chunkSize: 4 there, 8 here\)/,
    );
    other.dispose();
    expect(existsSync(join(extractPartsDir(out), 'part-000000.csv'))).toBe(true);
  });

  /** A copy of the input folder, and the rows of the whole extraction (no header). */
  const copyInput = (name: string) => {
    const copy = join(dir, name);
    cpSync(points, copy, { recursive: true });
    const rows = readFileSync(reference, 'utf8').split('\n').slice(1, -1);
    const fileOf = (row: string) => join(copy, `${row.slice(0, row.indexOf(','))}.ply`);
    return { copy, rows, fileOf };
  };

  it('extracts a chunk from the middle reading only its own cells, as the whole run does', async () => {
    const { copy, rows, fileOf } = copyInput('middle-points');
    const out = join(dir, 'middle.csv');
    const opened = await openExtractJob(run, out, { ...opts(4), input: copy });
    await opened.job.prepare();
    // Every cell outside chunk 1 (cells 4–7) becomes unreadable once the job is open.
    rows.forEach((row, i) => {
      if (i < 4 || i >= 8) writeFileSync(fileOf(row), 'not a point cloud');
    });
    await opened.job.extractChunk(1);
    expect(readFileSync(opened.job.partPath(1), 'utf8')).toBe(`${rows.slice(4, 8).join('\n')}\n`);
    // The other chunks do read their (now corrupt) files.
    await expect(opened.job.extractChunk(0)).rejects.toThrow(/is not a readable point cloud/);
    opened.dispose();
  });

  it('opens without reading the files when given what the client found unusable', async () => {
    const { copy, rows, fileOf } = copyInput('validated-points');
    writeFileSync(fileOf(rows[2]!), 'corrupt');
    const out = join(dir, 'validated.csv');
    const client = await openExtractJob(run, out, { ...opts(4), input: copy });
    client.dispose();
    expect(client.unusable).toEqual([fileOf(rows[2]!)]);
    expect(client.job.cells).toBe(11);
    // A worker would now fail validation on every file, but it reads none of them at open.
    for (const row of rows) writeFileSync(fileOf(row), 'not a point cloud');
    const worker = await openExtractJob(
      run,
      out,
      { ...opts(4), input: copy },
      { validated: client.unusable },
    );
    worker.dispose();
    expect(worker.job.key).toEqual(client.job.key);
    await expect(openExtractJob(run, out, { ...opts(4), input: copy })).rejects.toThrow(
      /holds no usable point cloud; 12 skipped/,
    );
  });

  it('refuses to assemble before every chunk is done', async () => {
    const out = join(dir, 'incomplete.csv');
    const opened = await openExtractJob(run, out, opts(4));
    await opened.job.prepare();
    await opened.job.extractChunk(1);
    await expect(opened.job.assemble()).rejects.toThrow(
      /2 chunk\(s\) .* not extracted yet \(first: cells 0–3\)/,
    );
    opened.dispose();
    expect(existsSync(out)).toBe(false);
  });
});
