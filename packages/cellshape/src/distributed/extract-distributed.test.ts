import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../cli/io.js';
import { run } from '../cli/run.js';
import { extractPartsDir } from '../run/extract-job.js';
import { extractRun, openExtractJob } from '../run/extract-run.js';
import { trainRun } from '../run/train-run.js';
import { tempDir, writeTinyClouds } from '../test-utils/fixtures.js';
import type { ExtractJobData } from './extract-chunk.js';
import { envelope, QUEUE_PREFIX, sha256File } from './job-schema.js';
import {
  type CellshapeProcess,
  redisAvailable,
  spawnCellshape,
  startTestRedis,
  type TestRedis,
  waitForOutput,
} from './test-redis.js';

describe.skipIf(!redisAvailable())('extract --redis with real worker processes', () => {
  const dir = tempDir('extract-redis');
  const runDir = join(dir, 'run');
  const local = join(dir, 'local.csv');
  let points: string;
  let metadata: string;
  let redis: TestRedis;
  let workers: CellshapeProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    workers = [0, 1].map(() => spawnCellshape(['worker', '--redis', redis.url]));
    ({ points, metadata } = await writeTinyClouds(dir, 6));
    await trainRun(points, runDir, {
      model: { settings: { numPoints: 32, k: 4, sourcePoints: 16, features: 4 } },
      data: { batchSize: 4 },
      pretrain: { epochs: 1, lr: 1e-3 },
      idec: { clusters: 2, kmeansRestarts: 2, epochs: 1 },
      runtime: { backend: 'cpu' },
    });
    // A corrupt cloud: the client's validation leaves it out, and the workers (which do not
    // read every file) must leave out the same one, or their ids differ and they refuse.
    writeFileSync(join(points, 'round_3.ply'), 'not a point cloud');
    await extractRun(runDir, local, { input: points, metadata, batchSize: 4, backend: 'cpu' });
    await Promise.all(workers.map((w) => waitForOutput(w, (o) => o.includes(' ready: '))));
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await redis?.dispose();
  });

  it('writes the same CSV byte for byte as the local run, chunks spread over two workers', async () => {
    const out = join(dir, 'distributed.csv');
    const io = captureIo();
    const args = ['extract', runDir, points, '--metadata', metadata, '--out', out];
    const code = await run(
      [...args, '--batch-size', '4', '--chunk-size', '4', '--backend', 'cpu', '--redis', redis.url],
      io,
    );
    expect(io.err()).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(local, 'utf8'));
    expect(readFileSync(out, 'utf8')).not.toMatch(/^round_3,/m);
    const done = workers.map((w) => (w.output().match(/done extract chunk/g) ?? []).length);
    expect(done.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
  });

  it('refuses a job naming another checkpoint (SHA-256) than the file the worker sees', async () => {
    const out = join(dir, 'other.csv');
    const opened = await openExtractJob(runDir, out, { input: points, backend: 'cpu' });
    opened.dispose();
    mkdirSync(extractPartsDir(out), { recursive: true });
    const data: ExtractJobData = {
      ...envelope(0, 1),
      kind: 'extract',
      run: runDir,
      output: out,
      options: {
        input: points,
        checkpoint: opened.checkpoint,
        batchSize: 16,
        chunkSize: 1024,
        backend: 'cpu',
      },
      checkpoint: { path: opened.checkpoint, sha256: 'f'.repeat(64) },
      key: opened.job.key,
      unusable: opened.unusable,
      index: 0,
    };
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue('extract', { connection, prefix: QUEUE_PREFIX });
    try {
      const job = await queue.add('extract', data, { attempts: 3 });
      let state = '';
      for (let i = 0; i < 600 && state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        state = await job.getState();
      }
      const failed = await queue.getJob(job.id!);
      expect(failed?.failedReason).toMatch(
        new RegExp(
          `the checkpoint ${opened.checkpoint} on this worker has SHA-256 ${(await sha256File(opened.checkpoint)).slice(0, 12)}…, the job names ffffffffffff…`,
        ),
      );
      // Refused at once, not retried: another attempt would see the same file.
      expect(failed?.attemptsMade).toBe(1);
      expect(readdirSync(extractPartsDir(out))).toEqual([]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
