import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileSystemError, IncompatibleError, type ProgressCallback } from '@cellshape/core';
import type { BackendName } from '@cellshape/engine';
import type { ExtractJobKey } from '../run/extract-job.js';
import { extractPartsDir } from '../run/extract-job.js';
import { type OpenedExtractJob, openExtractJob } from '../run/extract-run.js';
import type { JobKind } from './job-kinds.js';
import { checkHashedFile, type HashedFile, type JobEnvelope } from './job-schema.js';

/** The `extractRun` options a distributed extract's jobs carry, every path absolute. */
export interface ExtractJobOptions {
  input?: string;
  metadata?: string;
  /** The checkpoint file itself (not `'last'`/`'best'`: every worker must open the same one). */
  checkpoint: string;
  batchSize: number;
  chunkSize: number;
  /** The client's tfjs backend: features are bit-identical only on the same backend. */
  backend: BackendName;
}

/** One chunk of a distributed `extract`: chunk `index` of the run's `ExtractJob`. */
export interface ExtractJobData extends JobEnvelope {
  kind: 'extract';
  /** Absolute run directory (shared storage). */
  run: string;
  /** Absolute path of the CSV; its parts folder (shared storage) gets the chunk's part. */
  output: string;
  options: ExtractJobOptions;
  /** The checkpoint by path and content hash: a worker that sees another file refuses. */
  checkpoint: HashedFile;
  /** The client's job key: a worker whose view differs (ids, sizes) refuses. */
  key: ExtractJobKey;
  /**
   * The input files the client's validation left out (its `OpenedExtractJob.unusable`): the
   * worker leaves them out too, without reading every file again, and then reads only its
   * chunk's files.
   */
  unusable: string[];
  /** Chunk number in the job. */
  index: number;
}

/** What a worker reports for an extract chunk. */
export interface ExtractChunkResult {
  /** False when the part was already written (a retried job): nothing is written twice. */
  written: boolean;
}

const FN = 'cellshape worker (extract)';

/**
 * Throws a clear error naming the first of `paths` this machine cannot see: the shared storage
 * is mounted elsewhere, or not at all.
 */
export function requireShared(fn: string, paths: readonly string[]): void {
  const missing = paths.find((p) => !existsSync(p));
  if (missing !== undefined)
    throw new FileSystemError(
      `${fn}: shared path ${missing} does not exist on this worker; every worker must see the shared storage at the same path as the client`,
      { fn, arg: missing },
    );
}

/** The extraction this worker last opened: the model is loaded and the folder opened once per batch, not per chunk. */
let opened: { key: string; job: OpenedExtractJob } | undefined;

async function openJob(data: ExtractJobData): Promise<OpenedExtractJob> {
  const key = JSON.stringify([data.run, data.output, data.options, data.key, data.unusable]);
  if (opened?.key === key) return opened.job;
  opened?.job.dispose();
  opened = undefined;
  const job = await openExtractJob(data.run, data.output, data.options, {
    validated: data.unusable,
  });
  opened = { key, job };
  return job;
}

/**
 * Runs one extract chunk on a worker: checks the shared paths and the checkpoint's hash, opens
 * the run's extraction as the client did — listing the input, leaving out the files the
 * client found unusable without reading any, and refusing when this worker's view of the
 * cells (their ids) differs — and writes the chunk's part atomically, reading only the chunk's
 * own files. A part already written is kept, so a retried job writes nothing twice.
 */
export async function runExtractChunk(
  data: ExtractJobData,
  onProgress: ProgressCallback,
): Promise<ExtractChunkResult> {
  const { input, metadata } = data.options;
  requireShared(FN, [
    data.run,
    data.checkpoint.path,
    extractPartsDir(data.output),
    dirname(data.output),
    ...(input !== undefined ? [input] : []),
    ...(metadata !== undefined ? [metadata] : []),
  ]);
  await checkHashedFile(FN, 'checkpoint', data.checkpoint);
  const { job } = await openJob(data);
  if (JSON.stringify(job.key) !== JSON.stringify(data.key))
    throw new IncompatibleError(
      `${FN}: this worker sees another extraction than the client (${JSON.stringify(job.key)} ≠ ${JSON.stringify(data.key)}); the input folder differs between machines`,
      { fn: FN, arg: 'input' },
    );
  // The parts folder must be the one the client prepared for this very job.
  job.verify();
  if (job.isDone(data.index)) return { written: false };
  await job.extractChunk(data.index, onProgress);
  return { written: true };
}

/** The `extract` queue's jobs. */
export const extractKind: JobKind = {
  name: 'extract',
  run: (data, onProgress) => runExtractChunk(data as ExtractJobData, onProgress),
};
