import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../cli/io.js';
import { run } from '../cli/run.js';
import { tempDir } from '../test-utils/fixtures.js';
import type { ConvertJobData } from './convert-chunk.js';
import { convertDistributed } from './convert-distributed.js';
import { cellshapeVersion, envelope, JOB_SCHEMA, QUEUE_PREFIX } from './job-schema.js';
import {
  type CellshapeProcess,
  freePort,
  redisAvailable,
  spawnCellshape,
  startTestRedis,
  type TestRedis,
  waitForOutput,
  writeTestMasks,
} from './test-redis.js';

describe.skipIf(!redisAvailable())('cellshape worker on bad jobs and bad connections', () => {
  const dir = tempDir('worker');
  const masks = join(dir, 'masks');
  let redis: TestRedis;
  let worker: CellshapeProcess;
  let connection: Redis;
  let queue: Queue;

  /** A convert job of the two masks into `out`, with `edit` applied to its data. */
  function convertJob(out: string, edit: (data: ConvertJobData) => ConvertJobData): ConvertJobData {
    return edit({
      ...envelope(0, 1),
      kind: 'convert',
      plan: {
        inputRoot: masks,
        outputRoot: out,
        files: ['field0000.tif', 'field0001.tif'],
        clashes: {},
      },
      settings: { numPoints: 16 },
    });
  }

  /** Adds a job and resolves with its failure reason once it failed. */
  async function failureOf(data: ConvertJobData): Promise<{ reason: string; attempts: number }> {
    const job = await queue.add('convert', data, { attempts: 3 });
    for (let i = 0; i < 1200; i++) {
      if ((await job.getState()) === 'failed') {
        const failed = (await queue.getJob(job.id!))!;
        return { reason: failed.failedReason, attempts: failed.attemptsMade };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`job ${job.id} did not fail; worker output:\n${worker.output()}`);
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    worker = spawnCellshape(['worker', '--redis', redis.url, '--queues', 'convert']);
    mkdirSync(masks, { recursive: true });
    await writeTestMasks(masks, 2);
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue('convert', { connection, prefix: QUEUE_PREFIX });
    await waitForOutput(worker, (o) => o.includes(' ready: '));
  });

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await queue?.close();
    connection?.disconnect();
    await redis?.dispose();
  });

  it('refuses a job of another cellshape version, at once and without writing anything', async () => {
    const out = join(dir, 'other-version');
    mkdirSync(out);
    const { reason, attempts } = await failureOf(
      convertJob(out, (d) => ({ ...d, version: '0.0.1-other' })),
    );
    expect(reason).toMatch(
      new RegExp(
        `^refused by worker .+:${worker.child.pid}: the job was made by cellshape 0\\.0\\.1-other, this worker is cellshape ${cellshapeVersion().replace(/\./g, '\\.')}`,
      ),
    );
    expect(attempts).toBe(1);
    expect(readdirSync(out)).toEqual([]);
    expect(worker.output()).toMatch(/refused convert chunk 1\/1/);
  });

  it('refuses a job of another job schema', async () => {
    const out = join(dir, 'other-schema');
    mkdirSync(out);
    const { reason } = await failureOf(convertJob(out, (d) => ({ ...d, schema: 99 })));
    expect(reason).toMatch(
      new RegExp(`the job has job schema 99, this worker reads schema ${JOB_SCHEMA} `),
    );
  });

  it('fails a job whose shared path this worker does not see, naming the path', async () => {
    const missing = join(dir, 'not-mounted', 'masks');
    const out = join(dir, 'missing-input');
    mkdirSync(out);
    const { reason, attempts } = await failureOf(
      convertJob(out, (d) => ({ ...d, plan: { ...d.plan, inputRoot: missing } })),
    );
    expect(reason).toContain(
      `shared path ${missing} does not exist on this worker; every worker must see the shared storage at the same path as the client`,
    );
    expect(attempts).toBe(1);
  });

  it('reports an unreachable Redis as an error within connectFor, not a hang (client and worker)', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(
      convertDistributed(url, masks, join(dir, 'unreachable'), { connectFor: 500 }),
    ).rejects.toThrow(
      new RegExp(`cannot reach Redis at ${url} \\(connect ECONNREFUSED.*tried for 0\\.5 s\\)`),
    );
    const io = captureIo();
    expect(await run(['worker', '--redis', url], io)).toBe(1);
    expect(io.err()).toMatch(
      new RegExp(`^cellshape worker: error: cellshape worker: cannot reach Redis at ${url}`),
    );
    const usage = captureIo();
    expect(await run(['worker', '--redis', 'localhost:6379'], usage)).toBe(2);
    expect(usage.err()).toMatch(
      /'--redis <url>' argument 'localhost:6379' is invalid\. expected a redis:\/\/host\[:port\]\[\/db\] URL/,
    );
  });
});
