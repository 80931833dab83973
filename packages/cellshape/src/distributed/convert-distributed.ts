import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  checkInteger,
  FileSystemError,
  invalidArgument,
  type ProgressCallback,
  withDefaults,
} from '@cellshape/core';
import { type ConvertResult, convertDirectory } from '@cellshape/helper';
import type { ConvertChunkResult, ConvertJobData, ConvertJobSettings } from './convert-chunk.js';
import { envelope } from './job-schema.js';
import { chunkFailures, type QueuedChunk, type RunJobsOptions, runJobs } from './run-jobs.js';

/** Options of {@link convertDistributed}: the conversion's settings, the chunking and the queue's. */
export interface ConvertDistributedOptions
  extends ConvertJobSettings,
    Omit<RunJobsOptions, 'onProgress'> {
  /** Input files per job. Default 16. */
  chunkSize?: number;
  /** Progress of the workers' conversion (phase `'convert'`, files), then of the assembly. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ConvertDistributedOptions}. */
export const DEFAULT_CONVERT_DISTRIBUTED_OPTIONS = { chunkSize: 16 } as const;

const FN = 'cellshape convert --redis';
const INPUT = /\.(tiff?|npy)$/i;

/**
 * The input files under `root` (relative, `/` separators, sorted as `convertDirectory` sorts
 * them), one per output name (of `a.tif` and `a.npy` in one folder only the first: the other's
 * outputs would overwrite its own; the final pass reports it). Hidden entries and the output
 * folder are left out.
 */
function listInputs(root: string, skip: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.startsWith('.') || path === skip) continue;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isFile() && INPUT.test(name))
        found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  const owners = new Set<string>();
  return found.sort().filter((rel) => {
    const key = rel.replace(INPUT, '').toLowerCase();
    if (owners.has(key)) return false;
    owners.add(key);
    return true;
  });
}

/** The chunks of a conversion: `chunkSize` files each, in input order. */
function convertChunks(
  inputRoot: string,
  output: string,
  files: readonly string[],
  settings: ConvertJobSettings,
  chunkSize: number,
): QueuedChunk<ConvertJobData>[] {
  const chunks = Math.ceil(files.length / chunkSize);
  return Array.from({ length: chunks }, (_, c) => {
    const part = files.slice(c * chunkSize, (c + 1) * chunkSize);
    const data: ConvertJobData = {
      ...envelope(c, chunks),
      kind: 'convert',
      input: inputRoot,
      output,
      files: part,
      settings,
    };
    return { data, units: part.length };
  });
}

/**
 * `convertDirectory` spread over `cellshape worker` processes through BullMQ on Redis at `url`:
 * the input files are split into chunks of `chunkSize`, workers convert them straight into
 * `output` (which, like `input`, must be on storage every worker sees at the same path), then
 * this process runs `convertDirectory` once more, which finds every file finished and writes
 * the manifest — so the outputs are byte-identical to a local run's. Files the workers could
 * not convert are tried once more there and reported as failed, as locally.
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
  const { chunkSize, retryFor, attempts, pollInterval, onProgress, ...settings } = o;
  const inputPath = resolve(input);
  const out = resolve(output);
  const stat = statSync(inputPath, { throwIfNoEntry: false });
  if (!stat?.isDirectory() && !(stat?.isFile() && INPUT.test(inputPath)))
    throw new FileSystemError(
      `${FN}: input ${JSON.stringify(input)} is neither a folder nor a .tif, .tiff or .npy file`,
      { fn: FN, arg: input },
    );
  if (out === inputPath)
    throw invalidArgument(FN, 'output', 'a folder other than the input', output);
  const inputRoot = stat.isDirectory() ? inputPath : dirname(inputPath);
  const files = stat.isDirectory() ? listInputs(inputRoot, out) : [basename(inputPath)];
  mkdirSync(out, { recursive: true });
  const jobs = convertChunks(inputRoot, out, files, settings, chunkSize);
  const { results, failures } = await runJobs<ConvertJobData, ConvertChunkResult>(
    url,
    'convert',
    jobs,
    {
      ...(retryFor !== undefined ? { retryFor } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(pollInterval !== undefined ? { pollInterval } : {}),
      ...(onProgress ? { onProgress } : {}),
    },
  );
  if (failures.length > 0) throw chunkFailures(FN, failures, jobs.length);
  const assembled = await convertDirectory(input, out, {
    ...settings,
    workers: 0,
    overwrite: false,
  });
  // The final pass found the workers' files finished: they were converted in this run.
  const converted = new Set(
    results.flatMap((r) => r?.converted ?? []).map((rel) => join(inputRoot, ...rel.split('/'))),
  );
  const filesOut = assembled.files.map((f) =>
    f.status === 'skipped' && converted.has(f.input) ? { ...f, status: 'converted' as const } : f,
  );
  const count = (status: string): number => filesOut.filter((f) => f.status === status).length;
  return {
    ...assembled,
    files: filesOut,
    converted: count('converted'),
    skipped: count('skipped'),
  };
}
