import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hardLabels, softAssignment } from '@cellshape/cluster';
import {
  cellTableCsv,
  checkInteger,
  checkString,
  FileSystemError,
  withDefaults,
  writeFileAtomic,
} from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import {
  checkpointPath,
  DEFAULT_EXTRACT_RUN_OPTIONS,
  type ExtractRunOptions,
  type ExtractRunResult,
  loadRunModel,
} from '../run/extract-run.js';
import { type RunConfig, readJson, runPaths } from '../run/run-directory.js';
import type { ExtractChunkResult, ExtractJobData } from './extract-chunk.js';
import { idsHash } from './extract-chunk.js';
import { envelope, hashedFile } from './job-schema.js';
import { chunkFailures, type QueuedChunk, type RunJobsOptions, runJobs } from './run-jobs.js';

/** Options of {@link extractDistributed}: those of `extractRun`, the chunking and the queue's. */
export interface ExtractDistributedOptions
  extends ExtractRunOptions,
    Omit<RunJobsOptions, 'onProgress'> {
  /** Cells per job. Default 256. */
  chunkSize?: number;
}

/** Defaults of {@link ExtractDistributedOptions}. */
export const DEFAULT_EXTRACT_DISTRIBUTED_OPTIONS = {
  ...DEFAULT_EXTRACT_RUN_OPTIONS,
  chunkSize: 256,
} as const;

const FN = 'cellshape extract --redis';

/** Reads the chunks' part files (cells × F float32 each) into one `n × F` feature matrix. */
async function readParts(
  jobs: readonly QueuedChunk<ExtractJobData>[],
  n: number,
  f: number,
): Promise<Float32Array> {
  const features = new Float32Array(n * f);
  for (const { data } of jobs) {
    const bytes = await readFile(data.part);
    const expected = (data.end - data.start) * f * 4;
    if (bytes.byteLength !== expected)
      throw new FileSystemError(
        `${FN}: part ${data.part} holds ${bytes.byteLength} bytes, expected ${expected}`,
        { fn: FN, arg: data.part },
      );
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    features.set(new Float32Array(copy.buffer), data.start * f);
  }
  return features;
}

/**
 * `extractRun` spread over `cellshape worker` processes through BullMQ on Redis at `url`: the
 * cells are split into chunks of `chunkSize`, each chunk's features are computed by a worker
 * (same checkpoint, checked by SHA-256; same tfjs backend as this process) and written to a
 * part file next to `output` (`<output>.parts/`, which must be on storage every worker sees),
 * then this process assembles the CSV — byte-identical to `extractRun`'s — and removes the parts.
 *
 * @throws what `extractRun` throws; FileSystemError when Redis cannot be reached; a
 *   CellshapeError listing the chunks that failed (the finished ones are kept for the next try).
 */
export async function extractDistributed(
  url: string,
  runDir: string,
  output: string,
  options: ExtractDistributedOptions = {},
): Promise<ExtractRunResult> {
  checkString(FN, 'output', output);
  const o = withDefaults(FN, DEFAULT_EXTRACT_DISTRIBUTED_OPTIONS, options);
  checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
  checkInteger(FN, 'options.chunkSize', o.chunkSize, { min: 1 });
  const run = resolve(runDir);
  const paths = runPaths(run);
  const config = await readJson<RunConfig>(FN, paths.config);
  const checkpoint = await hashedFile(checkpointPath(paths, o.checkpoint));
  const backend = await selectBackend(o.backend);
  const { plugin, settings, model, clustered } = await loadRunModel(run, config, checkpoint.path);
  const numFeatures = model.numFeatures;
  model.dispose();
  const input = o.input === undefined ? config.inputs.points : resolve(o.input);
  const metadata =
    o.metadata !== undefined
      ? resolve(o.metadata)
      : o.input === undefined
        ? config.inputs.metadata
        : null;
  const dataset = await plugin.openDataset(input, {
    ...(metadata ? { metadata } : {}),
    idColumn: config.inputs.idColumn,
    seed: config.seed,
    settings,
  });
  const out = resolve(output);
  const batch = createHash('sha256')
    .update(JSON.stringify([checkpoint, input, metadata, backend]))
    .digest('hex')
    .slice(0, 16);
  const partsDir = join(`${out}.parts`, batch);
  const n = dataset.length;
  const chunks = Math.ceil(n / o.chunkSize);
  const jobs: QueuedChunk<ExtractJobData>[] = Array.from({ length: chunks }, (_, c) => {
    const start = c * o.chunkSize;
    const end = Math.min(n, start + o.chunkSize);
    const data: ExtractJobData = {
      ...envelope(c, chunks),
      kind: 'extract',
      run,
      input,
      metadata,
      checkpoint,
      backend,
      batchSize: o.batchSize,
      start,
      end,
      ids: idsHash(dataset.ids.slice(start, end)),
      part: join(partsDir, `cells-${start}-${end}.f32`),
    };
    return { data, units: end - start };
  });
  await writeFileAtomic(
    join(partsDir, 'README'),
    'Feature parts of a distributed `cellshape extract`, removed once the CSV is assembled.\n',
  );
  const { failures } = await runJobs<ExtractJobData, ExtractChunkResult>(url, 'extract', jobs, {
    ...o,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  if (failures.length > 0) throw chunkFailures(FN, failures, chunks);
  const features = {
    data: await readParts(jobs, n, numFeatures),
    shape: [n, numFeatures] as [number, number],
  };
  const q = softAssignment(features, clustered.centres, { alpha: clustered.alpha });
  const table = cellTableCsv({
    ids: [...dataset.ids],
    metadata: [...dataset.metadata],
    labels: { column: 'cluster', values: hardLabels(q) },
    q,
    features,
  });
  await writeFileAtomic(out, table);
  await rm(`${out}.parts`, { recursive: true, force: true });
  return {
    output: out,
    cells: n,
    clusters: clustered.centres.shape[0],
    features: numFeatures,
    checkpoint: checkpoint.path,
  };
}
