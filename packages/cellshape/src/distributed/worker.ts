import { hostname } from 'node:os';
import { checkInteger, isCellshapeError, withDefaults } from '@cellshape/core';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisConnectOptions } from './connection.js';
import { type JobKind, jobKinds } from './job-kinds.js';
import { cellshapeVersion, type JobEnvelope, QUEUE_PREFIX, refusal } from './job-schema.js';

/** Options of {@link startWorker}. */
export interface StartWorkerOptions extends RedisConnectOptions {
  /** Jobs run at the same time, per queue. Default 1 (one chunk at a time). */
  concurrency?: number;
  /**
   * Milliseconds a job's lock lasts without renewal: a worker that dies (SIGKILL, power loss)
   * gives its job back to the queue after about this long, to be retried on any worker. The
   * lock is renewed every half of it while the job runs. Default 30 000.
   */
  lockDuration?: number;
  /** Job kinds served (queue names). Default: every registered kind (`convert`, `extract`). */
  queues?: readonly string[];
  /** One line per event (ready, job done, job failed, draining) for the worker's log. */
  onLog?: (line: string) => void;
}

/** Defaults of {@link StartWorkerOptions}. */
export const DEFAULT_START_WORKER_OPTIONS = { concurrency: 1, lockDuration: 30_000 } as const;

/** A running worker. */
export interface RunningWorker {
  /** `host:pid`, as it signs its log lines and refusals. */
  readonly name: string;
  /** Jobs running now. */
  active(): number;
  /**
   * Stops taking jobs and resolves once the running ones are finished (a graceful drain); with
   * `force`, stops at once (the running jobs are retried elsewhere after their lock expires).
   */
  close(force?: boolean): Promise<void>;
  /** Resolves when the connection to Redis is lost for good (longer than `retryFor`). */
  readonly lost: Promise<void>;
}

/** Times a stalled job (its worker died) is given back to the queue before it fails. */
const MAX_STALLED = 3;

function processor(
  kind: JobKind,
  name: string,
  counter: { active: number },
  log: (l: string) => void,
) {
  return async (job: Job): Promise<unknown> => {
    const data = job.data as JobEnvelope;
    const label = `${kind.name} chunk ${data.chunk + 1}/${data.chunks} (job ${job.id})`;
    const why = refusal(job.data);
    if (why !== undefined) {
      log(`refused ${label}: ${why}`);
      throw new UnrecoverableError(`refused by worker ${name}: ${why}`);
    }
    counter.active++;
    const started = Date.now();
    let last = 0;
    try {
      const result = await kind.run(job.data, (event) => {
        // Progress reaches Redis at most every 200 ms: a chunk of small files would flood it.
        if (Date.now() - last < 200 && event.done !== event.total) return;
        last = Date.now();
        job.updateProgress({ done: event.done }).catch(() => {});
      });
      log(`done ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`failed ${label}: ${message}`);
      if (isCellshapeError(error)) throw new UnrecoverableError(`worker ${name}: ${message}`);
      throw error;
    } finally {
      counter.active--;
    }
  };
}

/**
 * Starts a worker of the registered job kinds (convert, extract) on the BullMQ queues in Redis
 * at `url`. Each job is a chunk; a job of another cellshape version or job schema is refused
 * with the reason (never run), a job whose shared paths or checkpoint this machine does not
 * see fails with the reason, other errors are retried.
 *
 * @throws FileSystemError when Redis cannot be reached within `retryFor` milliseconds.
 */
export async function startWorker(
  url: string,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const fn = 'cellshape worker';
  const o = withDefaults(fn, DEFAULT_START_WORKER_OPTIONS, options);
  checkInteger(fn, 'concurrency', o.concurrency, { min: 1, max: 1024 });
  checkInteger(fn, 'lockDuration', o.lockDuration, { min: 100 });
  const kinds = jobKinds().filter((k) => o.queues === undefined || o.queues.includes(k.name));
  const connection: Redis = await connectRedis(fn, url, o);
  const name = `${hostname()}:${process.pid}`;
  const log = o.onLog ?? (() => {});
  const counter = { active: 0 };
  const workers = kinds.map(
    (kind) =>
      new Worker(kind.name, processor(kind, name, counter, log), {
        connection,
        prefix: QUEUE_PREFIX,
        concurrency: o.concurrency,
        lockDuration: o.lockDuration,
        stalledInterval: o.lockDuration,
        maxStalledCount: MAX_STALLED,
        name,
      }),
  );
  for (const worker of workers) worker.on('error', (error) => log(`redis: ${error.message}`));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const lost = new Promise<void>((done) => connection.once('end', () => done()));
  log(
    `worker ${name} ready: cellshape ${cellshapeVersion()}, queues ${kinds.map((k) => k.name).join(', ')}, concurrency ${o.concurrency}, lock ${o.lockDuration} ms`,
  );
  return {
    name,
    active: () => counter.active,
    lost,
    async close(force = false) {
      await Promise.allSettled(workers.map((w) => w.close(force)));
      connection.disconnect();
    },
  };
}
