import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProgressCallback } from '@cellshape/core';
import { type ConvertDirectoryOptions, convertDirectory } from '@cellshape/helper';
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
  /** Absolute input folder (shared storage). */
  input: string;
  /** Absolute output folder (shared storage). */
  output: string;
  /** The chunk's files, relative to `input` with `/` separators. */
  files: string[];
  settings: ConvertJobSettings;
}

/** What a worker reports for a convert chunk. */
export interface ConvertChunkResult {
  /** Files converted (relative to the input folder). */
  converted: string[];
  /** Files already finished (a retried job: nothing is written twice). */
  skipped: number;
  /** Files that could not be converted, with the reason; the rest of the chunk went on. */
  failed: { file: string; error: string }[];
}

const FN = 'cellshape worker (convert)';

/** The folders `convertDirectory` writes each file's outputs into (the manifest is written at the end, by the client). */
const OUTPUT_FOLDERS = ['meshes', 'points', 'records'] as const;

/**
 * Converts one chunk on a worker. The chunk's files are seen through a private folder of
 * symbolic links with the same relative paths, and the output folder through links to its
 * `meshes/`, `points/` and `records/`, so `convertDirectory` names, fingerprints and records
 * them exactly as a local run over the whole folder does: finished files are skipped, every
 * output is written atomically, a bad file is reported and the rest go on. Its `manifest.csv`
 * stays in the private folder: the client writes the real one once, at the end.
 */
export async function runConvertChunk(
  data: ConvertJobData,
  onProgress: ProgressCallback,
): Promise<ConvertChunkResult> {
  requireShared(FN, [data.input, data.output]);
  const view = mkdtempSync(join(tmpdir(), 'cellshape-chunk-'));
  try {
    mkdirSync(join(view, 'out'));
    for (const file of data.files) {
      const link = join(view, 'in', ...file.split('/'));
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(data.input, ...file.split('/')), link);
    }
    for (const folder of OUTPUT_FOLDERS) {
      mkdirSync(join(data.output, folder), { recursive: true });
      symlinkSync(join(data.output, folder), join(view, 'out', folder));
    }
    const result = await convertDirectory(join(view, 'in'), join(view, 'out'), {
      ...data.settings,
      workers: 0,
      overwrite: false,
      onProgress,
    });
    return {
      converted: data.files.filter((_, i) => result.files[i]?.status === 'converted'),
      skipped: result.skipped,
      failed: result.files.flatMap((f, i) =>
        f.status === 'failed' ? [{ file: data.files[i]!, error: f.error ?? 'unknown error' }] : [],
      ),
    };
  } finally {
    rmSync(view, { recursive: true, force: true });
  }
}

/** The `convert` queue's jobs. */
export const convertKind: JobKind = {
  name: 'convert',
  run: (data, onProgress) => runConvertChunk(data as ConvertJobData, onProgress),
};
