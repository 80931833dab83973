import { mkdirSync } from 'node:fs';
import { checkInteger, type ProgressCallback, withDefaults } from '@cellshape/core';
import {
  type ConvertPlan,
  type ConvertResult,
  planConversion,
  removeTemporaryFiles,
  writeConvertManifest,
} from '@cellshape/helper';
import type { ConvertChunkResult, ConvertJobData, ConvertJobSettings } from './convert-chunk.js';
import { envelope } from './job-schema.js';
import { chunkFailures, type QueuedChunk, type RunJobsOptions, runJobs } from './run-jobs.js';

/** Options of {@link convertDistributed}: the conversion's settings, the chunking and the queue's. */
export interface ConvertDistributedOptions
  extends ConvertJobSettings,
    Omit<RunJobsOptions, 'onProgress'> {
  /** Input files per job. Default 16. */
  chunkSize?: number;
  /** Progress of the conversion, in files (phase `'convert'`), with the ETA. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ConvertDistributedOptions}. */
export const DEFAULT_CONVERT_DISTRIBUTED_OPTIONS = { chunkSize: 16 } as const;

const FN = 'cellshape convert --redis';

/** The chunks of a plan: `chunkSize` files each, in plan order, each with its own clashes. */
function convertChunks(
  plan: ConvertPlan,
  settings: ConvertJobSettings,
  chunkSize: number,
): QueuedChunk<ConvertJobData>[] {
  const chunks = Math.ceil(plan.files.length / chunkSize);
  return Array.from({ length: chunks }, (_, c) => {
    const files = plan.files.slice(c * chunkSize, (c + 1) * chunkSize);
    const clashes = Object.fromEntries(
      files.flatMap((f) => (plan.clashes[f] === undefined ? [] : [[f, plan.clashes[f]!]])),
    );
    const data: ConvertJobData = {
      ...envelope(c, chunks),
      kind: 'convert',
      plan: { ...plan, files, clashes },
      settings,
    };
    return { data, units: files.length };
  });
}

/**
 * `convertDirectory` spread over `cellshape worker` processes through BullMQ on Redis at `url`,
 * in its three stages: this process plans (lists the files), workers convert chunks of
 * `chunkSize` files straight into `output` (which, like `input`, must be on storage every
 * worker sees at the same path), and this process writes the manifest and `failures.csv` from
 * the records — so every output is byte-identical to a local run's. A file a worker could not
 * convert is reported with its reason, as locally.
 *
 * @throws FileSystemError when the input is missing or Redis cannot be reached; a
 *   CellshapeError listing the chunks that failed (refused by a worker of another version, a
 *   worker without the shared storage); finished files are kept for the next try.
 */
export async function convertDistributed(
  url: string,
  input: string,
  output: string,
  options: ConvertDistributedOptions = {},
): Promise<ConvertResult> {
  const o = withDefaults(FN, DEFAULT_CONVERT_DISTRIBUTED_OPTIONS, options);
  checkInteger(FN, 'options.chunkSize', o.chunkSize, { min: 1 });
  const { chunkSize, connectFor, retryFor, attempts, pollInterval, onProgress, ...settings } = o;
  const plan = planConversion(input, output);
  mkdirSync(plan.outputRoot, { recursive: true });
  const jobs = convertChunks(plan, settings, chunkSize);
  const { results, failures } = await runJobs<ConvertJobData, ConvertChunkResult>(
    url,
    'convert',
    jobs,
    {
      ...(connectFor !== undefined ? { connectFor } : {}),
      ...(retryFor !== undefined ? { retryFor } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(pollInterval !== undefined ? { pollInterval } : {}),
      ...(onProgress ? { onProgress } : {}),
    },
  );
  if (failures.length > 0) throw chunkFailures(FN, failures, jobs.length);
  // Every job is finished: what is left under a temporary name belongs to a killed attempt.
  await removeTemporaryFiles(plan.outputRoot);
  const written = await writeConvertManifest(plan, settings);
  const files = results.flatMap((r) => r ?? []);
  const count = (status: string): number => files.filter((f) => f.status === status).length;
  return {
    files,
    converted: count('converted'),
    skipped: count('skipped'),
    failed: count('failed'),
    manifest: written.manifest,
    failures: written.failures,
    objects: written.objects,
    filesWithoutSpacing: written.filesWithoutSpacing,
  };
}
