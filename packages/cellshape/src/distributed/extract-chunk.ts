import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { PointCloudDataset } from '@cellshape/cloud';
import {
  FileSystemError,
  type ProgressCallback,
  UnsupportedError,
  writeFileAtomic,
} from '@cellshape/core';
import {
  type BackendName,
  type Dataset,
  type DatasetBatch,
  type Encoder,
  encodeDataset,
  selectBackend,
} from '@cellshape/engine';
import { tensor3d } from '@tensorflow/tfjs-core';
import { loadRunModel } from '../run/extract-run.js';
import type { RunDataset } from '../run/model-plugin.js';
import { type RunConfig, readJson, runPaths } from '../run/run-directory.js';
import type { JobKind } from './job-kinds.js';
import { checkHashedFile, type HashedFile, type JobEnvelope } from './job-schema.js';

/** One chunk of a distributed `extract`: cells `[start, end)` of the run's dataset. */
export interface ExtractJobData extends JobEnvelope {
  kind: 'extract';
  /** Absolute run directory (shared storage). */
  run: string;
  /** Absolute input folder (shared storage). */
  input: string;
  /** Absolute metadata CSV, or null. */
  metadata: string | null;
  /** The clustered checkpoint, by path and content hash. */
  checkpoint: HashedFile;
  /** tfjs backend of the client: features are bit-identical only on the same backend. */
  backend: BackendName;
  batchSize: number;
  start: number;
  end: number;
  /** SHA-256 of the chunk's cell ids joined by newlines: the worker's dataset must agree. */
  ids: string;
  /** Absolute path of the part file: `(end − start) × F` float32, little-endian, row-major. */
  part: string;
}

/** What a worker reports for an extract chunk. */
export interface ExtractChunkResult {
  cells: number;
  /** False when the part was already written (a retried job): nothing is written twice. */
  written: boolean;
}

const FN = 'cellshape worker (extract)';

/** Hash of a list of ids (see {@link ExtractJobData.ids}). */
export function idsHash(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex');
}

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

interface LoadedRun {
  key: string;
  model: Encoder;
  dataset: RunDataset;
}

/** The run last used by this worker: loading a model and opening a folder once per batch, not per chunk. */
let loaded: LoadedRun | undefined;

async function loadRun(data: ExtractJobData): Promise<LoadedRun> {
  const key = JSON.stringify([data.checkpoint, data.input, data.metadata, data.run, data.backend]);
  if (loaded?.key === key) return loaded;
  loaded?.model.dispose();
  loaded = undefined;
  await selectBackend(data.backend);
  const config = await readJson<RunConfig>(FN, runPaths(data.run).config);
  const { plugin, settings, model } = await loadRunModel(data.run, config, data.checkpoint.path);
  const dataset = await plugin.openDataset(data.input, {
    ...(data.metadata ? { metadata: data.metadata } : {}),
    idColumn: config.inputs.idColumn,
    seed: config.seed,
    settings,
  });
  loaded = { key, model, dataset };
  return loaded;
}

/**
 * Cells `[start, end)` of a dataset as a dataset of their own, each cell read (and resampled)
 * exactly as in the whole dataset, so its features equal those of a local run.
 */
function rangeDataset(dataset: RunDataset, start: number, end: number): Dataset {
  const inner = (dataset as { dataset?: unknown }).dataset;
  if (!(inner instanceof PointCloudDataset))
    throw new UnsupportedError(
      `${FN}: distributed extract reads single cells of point-cloud datasets; run this model family's extract locally`,
      { fn: FN, arg: 'run' },
    );
  return {
    length: end - start,
    ids: dataset.ids.slice(start, end),
    metadata: dataset.metadata.slice(start, end),
    async *batches({ batchSize }) {
      for (let from = start; from < end; from += batchSize) {
        const indices = Array.from({ length: Math.min(batchSize, end - from) }, (_, i) => from + i);
        const items = await Promise.all(indices.map((i) => inner.get(i)));
        const n = items[0]!.numPoints;
        const points = new Float32Array(items.length * n * 3);
        for (const [b, item] of items.entries()) points.set(item.points, b * n * 3);
        const batch: DatasetBatch = {
          ids: items.map((item) => item.id),
          indices: indices.map((i) => i - start),
          input: tensor3d(points, [items.length, n, 3]),
        };
        yield batch;
      }
    },
  };
}

/**
 * Runs one extract chunk on a worker: checks the shared paths and the checkpoint's hash,
 * encodes the chunk's cells and writes their features to the part file atomically (a part
 * already written is kept: a retried job writes nothing twice).
 */
export async function runExtractChunk(
  data: ExtractJobData,
  onProgress: ProgressCallback,
): Promise<ExtractChunkResult> {
  requireShared(FN, [
    data.run,
    data.input,
    data.checkpoint.path,
    dirname(data.part),
    ...(data.metadata ? [data.metadata] : []),
  ]);
  const cells = data.end - data.start;
  if (existsSync(data.part)) return { cells, written: false };
  await checkHashedFile(FN, 'checkpoint', data.checkpoint);
  const { model, dataset } = await loadRun(data);
  if (data.end > dataset.length || idsHash(dataset.ids.slice(data.start, data.end)) !== data.ids)
    throw new FileSystemError(
      `${FN}: the cells ${data.start}–${data.end - 1} of ${data.input} on this worker are not those the client listed; the folder differs between machines`,
      { fn: FN, arg: 'input' },
    );
  const { features } = await encodeDataset(model, rangeDataset(dataset, data.start, data.end), {
    batchSize: data.batchSize,
    onProgress,
  });
  await writeFileAtomic(
    data.part,
    new Uint8Array(features.buffer, features.byteOffset, features.byteLength),
  );
  return { cells, written: true };
}

/** The `extract` queue's jobs. */
export const extractKind: JobKind = {
  name: 'extract',
  run: (data, onProgress) => runExtractChunk(data as ExtractJobData, onProgress),
};
