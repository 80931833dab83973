import { resolve } from 'node:path';
import { checkInteger, withDefaults } from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import {
  appendClassicalColumns,
  DEFAULT_EXTRACT_RUN_OPTIONS,
  type ExtractRunOptions,
  type ExtractRunResult,
  openExtractJob,
} from '../run/extract-run.js';
import type { ExtractChunkResult, ExtractJobData, ExtractJobOptions } from './extract-chunk.js';
import { envelope } from './job-schema.js';
import { chunkFailures, type QueuedChunk, type RunJobsOptions, runJobs } from './run-jobs.js';

/** Options of {@link extractDistributed}: those of `extractRun` (`chunkSize`: cells per job) and the queue's. */
export interface ExtractDistributedOptions
  extends ExtractRunOptions,
    Omit<RunJobsOptions, 'onProgress'> {}

const FN = 'cellshape extract --redis';

/**
 * `extractRun` spread over `cellshape worker` processes through BullMQ on Redis at `url`: the
 * run's extraction is opened here as `extractRun` opens it (`openExtractJob`), each unfinished
 * chunk becomes a job, workers write the chunks' parts beside `output` (which, like the run
 * and the input, must be on storage every worker sees at the same path), and this process
 * joins them — so the CSV is byte-identical to `extractRun`'s. Workers use the same checkpoint
 * file (checked by SHA-256) and this process's tfjs backend.
 *
 * @throws what `extractRun` throws; FileSystemError when Redis cannot be reached; a
 *   CellshapeError listing the chunks that failed (finished parts are kept for the next try).
 */
export async function extractDistributed(
  url: string,
  runDir: string,
  output: string,
  options: ExtractDistributedOptions = {},
): Promise<ExtractRunResult> {
  const o = withDefaults(FN, DEFAULT_EXTRACT_RUN_OPTIONS, options);
  checkInteger(FN, 'options.chunkSize', o.chunkSize, { min: 1 });
  const backend = await selectBackend(o.backend);
  const run = resolve(runDir);
  const out = resolve(output);
  const opened = await openExtractJob(run, out, { ...o, backend });
  try {
    const { job } = opened;
    await job.prepare();
    const jobOptions: ExtractJobOptions = {
      ...(o.input !== undefined ? { input: resolve(o.input) } : {}),
      ...(o.metadata !== undefined ? { metadata: resolve(o.metadata) } : {}),
      checkpoint: opened.checkpoint,
      batchSize: o.batchSize,
      chunkSize: o.chunkSize,
      backend,
    };
    const todo = job.chunks.filter((c) => !job.isDone(c.index));
    const jobs: QueuedChunk<ExtractJobData>[] = todo.map((chunk, i) => ({
      data: {
        ...envelope(i, todo.length),
        kind: 'extract',
        run,
        output: out,
        options: jobOptions,
        checkpoint: { path: opened.checkpoint, sha256: job.key.checkpoint },
        key: job.key,
        unusable: opened.unusable,
        index: chunk.index,
      },
      units: chunk.end - chunk.start,
    }));
    const started = performance.now();
    const { failures } = await runJobs<ExtractJobData, ExtractChunkResult>(url, 'extract', jobs, o);
    if (failures.length > 0) throw chunkFailures(FN, failures, jobs.length);
    const seconds = (performance.now() - started) / 1000;
    const encoded = jobs.reduce((sum, j) => sum + j.units, 0);
    await job.assemble();
    return {
      output: job.output,
      cells: job.cells,
      clusters: opened.clusters,
      features: job.numFeatures,
      checkpoint: opened.checkpoint,
      resumedChunks: job.chunks.length - todo.length,
      seconds,
      cellsPerSecond: seconds > 0 ? encoded / seconds : 0,
      classical: await appendClassicalColumns(opened),
    };
  } finally {
    opened.dispose();
  }
}
