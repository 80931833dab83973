import {
  CellshapeError,
  FileSystemError,
  type ProgressCallback,
  reportProgress,
} from '@cellshape/core';
import { formatDuration } from '@cellshape/helper';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { connectRedis, type RedisConnectOptions } from './connection.js';
import { type JobEnvelope, jobId, QUEUE_PREFIX } from './job-schema.js';

/** One chunk to enqueue: its job data and how many units (files, cells) it holds. */
export interface QueuedChunk<D extends JobEnvelope> {
  data: D;
  units: number;
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions extends RedisConnectOptions {
  /** Times a job is tried when it throws an error worth retrying. Default 3. */
  attempts?: number;
  /**
   * Milliseconds between two sweeps over every open job's state and the workers connected
   * (the queue events tell of each job's progress and end in between). Default 2000.
   */
  pollInterval?: number;
  /** Progress over all chunks, in units, with the ETA in the message. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link RunJobsOptions}. */
export const DEFAULT_RUN_JOBS_OPTIONS = { attempts: 3, pollInterval: 2000 } as const;

/** Progress a worker reports on a job: units of the chunk done. */
export interface ChunkProgress {
  done: number;
}

/** A failed chunk: its number and the worker's reason. */
export interface ChunkFailure {
  chunk: number;
  reason: string;
}

/** What {@link runJobs} returns: each chunk's result (undefined when it failed) and the failures. */
export interface RunJobsResult<R> {
  results: (R | undefined)[];
  failures: ChunkFailure[];
}

/** Finished jobs are kept a day (for monitoring: `failedReason`, timings). */
const KEEP = { age: 24 * 3600 };

/** The state of one enqueued chunk as the client follows it. */
interface Tracked<R> {
  id: string;
  units: number;
  done: number;
  result?: R;
  failure?: string;
}

/**
 * Adds the chunks' jobs. Ids derive from the chunks' data, so a job still waiting or running
 * from an earlier run of the same command is joined, not added twice; a finished one (whose
 * outputs may since have been removed) is replaced by a fresh job, which skips what exists.
 */
async function enqueue<D extends JobEnvelope>(
  queue: Queue,
  kind: string,
  chunks: readonly QueuedChunk<D>[],
  attempts: number,
): Promise<string[]> {
  const ids = chunks.map((c) => jobId(kind, c.data));
  for (const id of ids) {
    const job = await queue.getJob(id);
    const state = job === undefined ? undefined : await job.getState();
    if (state === 'completed' || state === 'failed') await job!.remove();
  }
  await queue.addBulk(
    chunks.map((c, i) => ({
      name: kind,
      data: c.data,
      opts: {
        jobId: ids[i]!,
        attempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: KEEP,
        removeOnFail: KEEP,
      },
    })),
  );
  return ids;
}

/** Reads a job's state into `t`; true when it is finished (completed or failed). */
async function reconcile<R>(queue: Queue, t: Tracked<R>): Promise<boolean> {
  // The state first: a job read before it completes has no return value yet.
  const state = await queue.getJobState(t.id);
  const job: Job | undefined = await queue.getJob(t.id);
  if (job === undefined || state === 'unknown') {
    t.failure = 'the job disappeared from Redis (removed by hand, or Redis lost its data)';
    return true;
  }
  if (state === 'completed') {
    t.result = job.returnvalue as R;
    t.done = t.units;
    return true;
  }
  if (state === 'failed') {
    t.failure = job.failedReason || 'failed without a reason';
    return true;
  }
  const progress = job.progress as Partial<ChunkProgress> | number;
  if (typeof progress === 'object' && typeof progress.done === 'number') t.done = progress.done;
  return false;
}

/**
 * Enqueues one BullMQ job per chunk on queue `kind` and follows them to the end through the
 * queue's events (progress, completed, failed) and a periodic look at their states (which also
 * carries the client over a Redis restart), reporting progress with an ETA. Job ids are derived
 * from the chunks' data, so running the same command again joins the jobs still queued instead
 * of adding them twice.
 *
 * @throws FileSystemError when Redis cannot be reached (or is lost for longer than `retryFor`).
 */
export async function runJobs<D extends JobEnvelope, R>(
  url: string,
  kind: string,
  chunks: readonly QueuedChunk<D>[],
  options: RunJobsOptions = {},
): Promise<RunJobsResult<R>> {
  const fn = `cellshape ${kind} --redis`;
  const attempts = options.attempts ?? DEFAULT_RUN_JOBS_OPTIONS.attempts;
  const pollInterval = options.pollInterval ?? DEFAULT_RUN_JOBS_OPTIONS.pollInterval;
  const connection = await connectRedis(fn, url, options);
  const lost = new Promise<never>((_, fail) =>
    connection.once('end', () =>
      fail(
        new FileSystemError(`${fn}: lost the connection to Redis at ${url}`, { fn, arg: 'redis' }),
      ),
    ),
  );
  lost.catch(() => {});
  const queue = new Queue(kind, { connection, prefix: QUEUE_PREFIX });
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(kind, { connection: eventsConnection, prefix: QUEUE_PREFIX });
  // Connection errors while Redis restarts are retried (bounded by `retryFor`); a lost
  // connection ends the run through `lost`.
  eventsConnection.on('error', () => {});
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await Promise.race([events.waitUntilReady(), lost]);
    const ids = await Promise.race([enqueue(queue, kind, chunks, attempts), lost]);
    const tracked: Tracked<R>[] = ids.map((id, i) => ({ id, units: chunks[i]!.units, done: 0 }));
    await Promise.race([
      follow(queue, events, tracked, kind, pollInterval, options.onProgress),
      lost,
    ]);
    return {
      results: tracked.map((t) => t.result),
      failures: tracked.flatMap((t, chunk) =>
        t.failure === undefined ? [] : [{ chunk, reason: t.failure }],
      ),
    };
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
    eventsConnection.disconnect();
    connection.disconnect();
  }
}

/**
 * Follows the tracked jobs until each is completed or failed. The queue's events say which job
 * to look at (a progress event carries its count; a completed or failed one has that job read
 * back), so the client's and Redis's work grows with the number of chunks, not with chunks ×
 * events; every `pollInterval` a sweep reads every open job's state, which catches events lost
 * while Redis restarted and counts the workers connected.
 */
async function follow<R>(
  queue: Queue,
  events: QueueEvents,
  tracked: Tracked<R>[],
  kind: string,
  pollInterval: number,
  onProgress: ProgressCallback | undefined,
): Promise<void> {
  const byId = new Map(tracked.map((t) => [t.id, t]));
  const open = new Set(tracked);
  const total = tracked.reduce((sum, t) => sum + t.units, 0);
  const started = Date.now();
  const startDone = tracked.reduce((sum, t) => sum + t.done, 0);
  let workers = 1;
  const report = (): void => {
    const done = tracked.reduce((sum, t) => sum + t.done, 0);
    const rate = (done - startDone) / ((Date.now() - started) / 1000);
    const eta = rate > 0 && done < total ? `, ETA ${formatDuration((total - done) / rate)}` : '';
    const idle = workers === 0 ? ', waiting for a worker (start `cellshape worker`)' : '';
    reportProgress(onProgress, {
      phase: kind,
      done,
      total,
      message: `${done}/${total} (${tracked.length - open.size}/${tracked.length} chunks${eta})${idle}`,
    });
  };
  /** Jobs an event says have finished, to read back before the next sweep. */
  const finished = new Set<Tracked<R>>();
  let wake: (() => void) | undefined;
  const onProgressEvent = ({ jobId, data }: { jobId: string; data?: unknown }): void => {
    const t = byId.get(jobId);
    const done = (data as Partial<ChunkProgress> | undefined)?.done;
    if (t === undefined || typeof done !== 'number') return;
    t.done = done;
    report();
  };
  const onFinished = ({ jobId }: { jobId: string }): void => {
    const t = byId.get(jobId);
    if (t === undefined || !open.has(t)) return;
    finished.add(t);
    wake?.();
  };
  events.on('progress', onProgressEvent);
  events.on('completed', onFinished);
  events.on('failed', onFinished);
  try {
    let sweepAt = 0;
    while (open.size > 0) {
      const sweep = Date.now() >= sweepAt;
      const look = sweep ? [...open] : [...finished].filter((t) => open.has(t));
      finished.clear();
      for (const t of look) if (await reconcile(queue, t)) open.delete(t);
      if (sweep) {
        workers = await queue.getWorkersCount().catch(() => 1);
        sweepAt = Date.now() + pollInterval;
      }
      report();
      if (open.size === 0) break;
      if (finished.size > 0) continue;
      await new Promise<void>((resume) => {
        wake = resume;
        setTimeout(resume, Math.max(0, sweepAt - Date.now()));
      });
      wake = undefined;
    }
  } finally {
    events.off('progress', onProgressEvent);
    events.off('completed', onFinished);
    events.off('failed', onFinished);
  }
}

/** The error a distributed command throws when chunks failed: each chunk and its reason. */
export function chunkFailures(
  fn: string,
  failures: readonly ChunkFailure[],
  chunks: number,
): CellshapeError {
  const lines = failures.map((f) => `chunk ${f.chunk + 1}/${chunks}: ${f.reason}`);
  return new CellshapeError(
    'IO',
    `${fn}: ${failures.length} of ${chunks} chunk(s) failed (the others are kept; fix the cause and run the same command again): ${lines.join('; ')}`,
    { fn },
  );
}
