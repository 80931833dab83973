import type { ProgressCallback } from '@cellshape/core';
import {
  type ConvertDirectoryOptions,
  type ConvertFileResult,
  type ConvertPlan,
  convertFiles,
} from '@cellshape/helper';
import { requireShared } from './extract-chunk.js';
import type { JobKind } from './job-kinds.js';
import type { JobEnvelope } from './job-schema.js';

/** The conversion settings a convert job carries (those of `convertDirectory` that shape outputs). */
export type ConvertJobSettings = Omit<
  ConvertDirectoryOptions,
  'workers' | 'overwrite' | 'onProgress'
>;

/** One chunk of a distributed `convert`: some input files of a folder. */
export interface ConvertJobData extends JobEnvelope {
  kind: 'convert';
  /**
   * The client's plan (absolute input and output folders on the shared storage), cut down to
   * the chunk's files and their name clashes.
   */
  plan: ConvertPlan;
  settings: ConvertJobSettings;
}

/** What a worker reports for a convert chunk: `convertFiles`' result per file. */
export type ConvertChunkResult = ConvertFileResult[];

const FN = 'cellshape worker (convert)';

/**
 * Converts one chunk on a worker with `convertFiles` (in this process's thread: one worker,
 * one core): each file's outputs are written atomically with its record last, a finished file
 * is skipped (a retried job writes nothing twice), a bad file gets a failure record with the
 * reason and the rest of the chunk goes on.
 */
export async function runConvertChunk(
  data: ConvertJobData,
  onProgress: ProgressCallback,
): Promise<ConvertChunkResult> {
  requireShared(FN, [data.plan.inputRoot, data.plan.outputRoot]);
  return convertFiles(data.plan, data.plan.files, {
    ...data.settings,
    workers: 0,
    overwrite: false,
    onProgress,
  });
}

/** The `convert` queue's jobs. */
export const convertKind: JobKind = {
  name: 'convert',
  run: (data, onProgress) => runConvertChunk(data as ConvertJobData, onProgress),
};
