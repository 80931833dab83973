import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { convertDirectory } from '@cellshape/helper';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../cli/io.js';
import { run } from '../cli/run.js';
import { tempDir } from '../test-utils/fixtures.js';
import { convertDistributed } from './convert-distributed.js';
import { QUEUE_PREFIX } from './job-schema.js';
import {
  type CellshapeProcess,
  folderContents,
  redisAvailable,
  spawnCellshape,
  startTestRedis,
  type TestRedis,
  waitForOutput,
  writeTestMasks,
} from './test-redis.js';

const SETTINGS = { numPoints: 32, seed: 3 } as const;
/** Short locks: a killed worker's job is retried after about a second. */
const LOCK = '1000';

/** Polls until `predicate` holds (every 10 ms), failing after `timeout` ms. */
async function until(predicate: () => boolean | Promise<boolean>, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Finished input files of an output folder (their records). */
function records(out: string): string[] {
  const dir = join(out, 'records');
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.tif\.json$/.test(f)) : [];
}

describe.skipIf(!redisAvailable())('convert --redis with real worker processes', () => {
  const dir = tempDir('convert-redis');
  const masks = join(dir, 'masks');
  const local = join(dir, 'local');
  let redis: TestRedis;
  let workers: CellshapeProcess[] = [];
  let queue: Queue;
  let connection: Redis;

  const startWorker = () =>
    spawnCellshape(['worker', '--redis', redis.url, '--lock-duration', LOCK]);
  /** The worker process running the only active convert job. */
  async function activeWorker(): Promise<CellshapeProcess> {
    let owner: CellshapeProcess | undefined;
    await until(async () => {
      const [job] = await queue.getActive();
      const pid = Number(job?.processedBy?.split(':').at(-1));
      owner = workers.find((w) => w.child.pid === pid);
      return owner !== undefined;
    });
    return owner!;
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    mkdirSync(masks, { recursive: true });
    await writeTestMasks(masks, 12, { corrupt: true });
    await convertDirectory(masks, local, { ...SETTINGS, workers: 0 });
    workers = [startWorker(), startWorker()];
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {}); // while Redis restarts
    queue = new Queue('convert', { connection, prefix: QUEUE_PREFIX });
    await Promise.all(workers.map((w) => waitForOutput(w, (o) => o.includes(' ready: '))));
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await queue?.close();
    connection?.disconnect();
    await redis?.dispose();
  });

  it('splits, enqueues, follows and assembles: every file equals the local run, the corrupt one reported', async () => {
    const out = join(dir, 'cli');
    const io = captureIo();
    const code = await run(
      [
        '--json',
        'convert',
        masks,
        out,
        '--redis',
        redis.url,
        '--chunk-size',
        '3',
        '--num-points',
        '32',
        '--seed',
        '3',
      ],
      io,
    );
    const result = JSON.parse(io.out()) as {
      converted: number;
      failed: number;
      files: { input: string; status: string; error?: string }[];
    };
    expect(code).toBe(1); // one file failed, as locally
    expect(result.converted).toBe(12);
    expect(result.failed).toBe(1);
    expect(result.files.find((f) => f.status === 'failed')?.input).toBe(join(masks, 'broken.tif'));
    expect(folderContents(out)).toEqual(folderContents(local));
    expect(readFileSync(join(out, 'failures.csv'), 'utf8')).toMatch(/^source,error\nbroken\.tif,/);
  });

  it('loses nothing when a worker is killed with SIGKILL mid-job, and writes nothing twice', async () => {
    const out = join(dir, 'killed');
    const progress: number[] = [];
    // One job of all 13 files: whichever worker takes it is killed after two files.
    const converting = convertDistributed(redis.url, masks, out, {
      ...SETTINGS,
      chunkSize: 13,
      onProgress: (e) => progress.push(e.done),
    });
    const victim = await activeWorker();
    await until(() => records(out).length >= 2);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const before = new Map(records(out).map((f) => [f, statSync(join(out, 'records', f)).ino]));
    const result = await converting;
    expect(result.converted + result.skipped).toBe(12);
    expect(before.size).toBeGreaterThanOrEqual(2);
    // The files finished before the kill were skipped by the retry, not written again.
    for (const [f, ino] of before) expect(statSync(join(out, 'records', f)).ino).toBe(ino);
    expect(folderContents(out)).toEqual(folderContents(local));
    expect(progress.at(-1)).toBe(13);
    workers = workers.filter((w) => w !== victim);
  });

  it('resumes after a Redis restart (append-only file on)', async () => {
    const out = join(dir, 'restarted');
    const converting = convertDistributed(redis.url, masks, out, { ...SETTINGS, chunkSize: 2 });
    await until(() => records(out).length >= 1);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    await redis.start();
    await converting;
    expect(folderContents(out)).toEqual(folderContents(local));
  });

  it('drains on SIGTERM: the running job finishes, then the worker exits 0', async () => {
    const out = join(dir, 'drained');
    const converting = convertDistributed(redis.url, masks, out, { ...SETTINGS, chunkSize: 13 });
    const worker = await activeWorker();
    await until(() => records(out).length >= 1);
    worker.child.kill('SIGTERM');
    await converting;
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toMatch(/draining, 1 job\(s\) running/);
    expect(worker.output()).toMatch(/stopped \(SIGTERM\): \d+ job\(s\) done/);
    expect(folderContents(out)).toEqual(folderContents(local));
  });
});
