/**
 * Feature extraction in chunks of cells: each chunk's CSV rows go to their own part file,
 * written atomically, and the parts are joined in order into the final CSV at the end. A run
 * killed at any moment keeps its finished parts, and the next run (or another process: a
 * queue worker given chunk numbers) does only the rest; the final CSV is byte-identical
 * whichever process wrote which part.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type DenseMatrix, hardLabels, softAssignment } from '@cellshape/cluster';
import {
  cellTableCsv,
  IncompatibleError,
  type Metadata,
  type ProgressCallback,
  writeFileAtomic,
} from '@cellshape/core';
import { type Dataset, type DatasetBatch, type Encoder, encodeDataset } from '@cellshape/engine';

/** The clustering head of a run's model: the centres (`K × F`) and the Student's t alpha. */
export interface ExtractHead {
  centres: DenseMatrix;
  alpha: number;
}

/** Cells `[start, end)` of the dataset. */
export interface ExtractChunk {
  index: number;
  start: number;
  end: number;
}

/** The folder of the part files of `output`: `.<name>.parts` beside it. */
export function extractPartsDir(output: string): string {
  return join(dirname(output), `.${basename(output)}.parts`);
}

/** Chunks of `chunkSize` cells (the last one smaller) covering `cells` cells. */
export function extractChunks(cells: number, chunkSize: number): ExtractChunk[] {
  const chunks: ExtractChunk[] = [];
  for (let start = 0, index = 0; start < cells; start += chunkSize, index++)
    chunks.push({ index, start, end: Math.min(cells, start + chunkSize) });
  return chunks;
}

/** SHA-256 of a file's bytes, hex: identifies a checkpoint whatever its path. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The metadata of every cell re-keyed so that each chunk's table gets the columns of the whole
 * table: every row holds every column (in order of first appearance in the whole table), and
 * an `id` column is dropped when it repeats the ids everywhere, else renamed `metadata.id`, as
 * `cellTableCsv` does for the whole table at once.
 */
function metadataColumns(ids: readonly string[], metadata: readonly Metadata[]): string[] {
  const keys = new Set<string>();
  for (const row of metadata) for (const key of Object.keys(row)) keys.add(key);
  const repeatsIds = metadata.every((row, i) => row.id === undefined || String(row.id) === ids[i]);
  return [...keys].flatMap((k) => (k !== 'id' ? [k] : repeatsIds ? [] : ['metadata.id']));
}

function padRow(row: Metadata, columns: readonly string[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of columns) out[c] = (c === 'metadata.id' ? row.id : row[c]) as string | number;
  return out;
}

/**
 * Walks one pass of a dataset's batches (in order, not shuffled) from cell `start` on, so that
 * consecutive chunks each take their batches from where the previous one stopped. A dataset
 * with `batchesFrom` starts there without reading the cells before; for one without, the
 * batches before `start` are read and dropped.
 */
class BatchCursor {
  private iterator: AsyncIterator<DatasetBatch> | undefined;
  position: number;

  constructor(
    private readonly dataset: Dataset,
    private readonly batchSize: number,
    start = 0,
  ) {
    this.position = dataset.batchesFrom ? start : 0;
  }

  async next(): Promise<DatasetBatch | undefined> {
    this.iterator ??= (async function* (d: Dataset, from: number, batchSize: number) {
      const options = { batchSize, shuffle: false, seed: 0, epoch: 0, dropLast: false };
      yield* from > 0 && d.batchesFrom ? d.batchesFrom(from, options) : d.batches(options);
    })(this.dataset, this.position, this.batchSize);
    const step = await this.iterator.next();
    if (step.done) return undefined;
    this.position += step.value.indices.length;
    return step.value;
  }

  /** Ends the pass (the dataset's generator returns). */
  async close(): Promise<void> {
    await this.iterator?.return?.(undefined);
  }

  async skipTo(start: number): Promise<void> {
    if (start < this.position) throw new Error(`BatchCursor: cannot go back to ${start}`);
    while (this.position < start) {
      const batch = await this.next();
      if (!batch) return;
      batch.input.dispose();
    }
  }
}

/** Cells `[start, end)` of a dataset as a dataset of their own, its batches from `cursor`. */
function chunkView(
  ids: readonly string[],
  rows: Metadata[],
  cursor: BatchCursor,
  chunk: ExtractChunk,
): Dataset {
  const { start, end } = chunk;
  return {
    length: end - start,
    ids: ids.slice(start, end),
    metadata: rows,
    async *batches() {
      await cursor.skipTo(start);
      while (cursor.position < end) {
        const batch = await cursor.next();
        if (!batch) return;
        yield { ...batch, indices: batch.indices.map((i) => i - start) };
      }
    },
  };
}

/** What identifies the parts of one extraction: parts of another are never mixed in. */
export interface ExtractJobKey {
  /** SHA-256 of the checkpoint file. */
  checkpoint: string;
  /** Absolute input folder. */
  input: string;
  /** SHA-256 of the cell ids, in order. */
  ids: string;
  /**
   * SHA-256 of the cells' metadata rows, in order: parts written with another metadata table
   * held its values (and its columns, misaligning the CSV) and are never resumed.
   */
  metadata: string;
  batchSize: number;
  chunkSize: number;
}

/** An extraction split into chunks, ready to encode any of them (see the module comment). */
export class ExtractJob {
  readonly chunks: ExtractChunk[];
  readonly partsDir: string;
  private readonly ids: readonly string[];
  /** The cells' metadata rows, or null when they hold no column (nothing is kept per cell). */
  private readonly metadata: readonly Metadata[] | null;
  private readonly columns: string[];
  private cursor: BatchCursor;

  constructor(
    readonly output: string,
    readonly key: ExtractJobKey,
    private readonly model: Encoder,
    private readonly head: ExtractHead,
    private readonly dataset: Dataset,
  ) {
    this.ids = dataset.ids;
    const metadata = dataset.metadata;
    this.columns = metadataColumns(this.ids, metadata);
    this.metadata = this.columns.length > 0 ? metadata : null;
    this.chunks = extractChunks(this.ids.length, key.chunkSize);
    this.partsDir = extractPartsDir(output);
    this.cursor = new BatchCursor(dataset, key.batchSize);
  }

  /** Features per cell F. */
  get numFeatures(): number {
    return this.model.numFeatures;
  }

  /** Cells to extract. */
  get cells(): number {
    return this.ids.length;
  }

  /** The part file of chunk `index`. */
  partPath(index: number): string {
    return join(this.partsDir, `part-${String(index).padStart(6, '0')}.csv`);
  }

  /**
   * Prepares the parts folder: keeps the parts of an earlier run of the same job (same
   * checkpoint bytes, input, ids, metadata, batch and chunk sizes) and removes any other's.
   */
  async prepare(): Promise<void> {
    const keyPath = join(this.partsDir, 'job.json');
    const text = `${JSON.stringify(this.key)}\n`;
    if (existsSync(keyPath) && readFileSync(keyPath, 'utf8') === text) return;
    await rm(this.partsDir, { recursive: true, force: true });
    await writeFileAtomic(keyPath, text);
  }

  /**
   * For a process that works on chunks another process prepared (a queue worker): checks that
   * the parts folder was prepared for this very job, and never removes anything.
   *
   * @throws IncompatibleError naming what differs (e.g. another checkpoint: its SHA-256).
   */
  verify(): void {
    const keyPath = join(this.partsDir, 'job.json');
    const fn = 'ExtractJob.verify';
    if (!existsSync(keyPath))
      throw new IncompatibleError(`${fn}: ${keyPath} is missing; the job was not prepared`, {
        fn,
        arg: 'partsDir',
      });
    const theirs = JSON.parse(readFileSync(keyPath, 'utf8')) as Record<string, unknown>;
    const ours = this.key as unknown as Record<string, unknown>;
    const differ = Object.keys(ours).filter((k) => theirs[k] !== ours[k]);
    if (differ.length > 0)
      throw new IncompatibleError(
        `${fn}: the parts in ${this.partsDir} belong to another job (${differ.map((k) => `${k}: ${String(theirs[k])} there, ${String(ours[k])} here`).join('; ')})`,
        { fn, arg: 'partsDir' },
      );
  }

  /** Whether chunk `index`'s part is written. */
  isDone(index: number): boolean {
    return existsSync(this.partPath(index));
  }

  /**
   * Encodes chunk `index` and writes its rows (no header) to its part file atomically; does
   * nothing when the part exists. A chunk reads only its own cells when the dataset has
   * `batchesFrom` (the cloud family's does); otherwise chunks are fastest in increasing order
   * (one pass over the files), and any other chunk starts a new pass.
   */
  async extractChunk(index: number, onProgress?: ProgressCallback): Promise<void> {
    if (this.isDone(index)) return;
    const chunk = this.chunks[index]!;
    // A new pass from the chunk's start when the dataset can seek and the current pass stands
    // elsewhere, or when the chunk lies behind it; else the current pass goes on to it.
    const at = this.cursor.position;
    if (this.dataset.batchesFrom ? chunk.start !== at : chunk.start < at) {
      await this.cursor.close();
      this.cursor = new BatchCursor(this.dataset, this.key.batchSize, chunk.start);
    }
    const view = chunkView(this.ids, this.rows(chunk), this.cursor, chunk);
    const encoded = await encodeDataset(this.model, view, {
      batchSize: this.key.batchSize,
      ...(onProgress ? { onProgress } : {}),
    });
    const csv = this.table(chunk, encoded.features, encoded.numFeatures);
    await writeFileAtomic(this.partPath(index), csv.slice(csv.indexOf('\n') + 1));
  }

  /** The metadata rows of a chunk's cells. */
  private rows(chunk: ExtractChunk): Metadata[] {
    const { start, end } = chunk;
    return this.metadata?.slice(start, end) ?? Array.from({ length: end - start }, () => ({}));
  }

  /** The CSV of chunk's cells, with a header (`cellTableCsv`, as for the whole table). */
  private table(chunk: ExtractChunk, data: Float32Array, numFeatures: number): string {
    const n = chunk.end - chunk.start;
    const features = { data, shape: [n, numFeatures] as [number, number] };
    const q = softAssignment(features, this.head.centres, { alpha: this.head.alpha });
    return cellTableCsv({
      ids: this.ids.slice(chunk.start, chunk.end),
      metadata: this.rows(chunk).map((r) => padRow(r, this.columns)),
      labels: { column: 'cluster', values: hardLabels(q) },
      q,
      features,
    });
  }

  /** The header line of the final CSV. */
  private header(numFeatures: number): string {
    const k = this.head.centres.shape[0];
    const csv = cellTableCsv({
      ids: ['x'],
      metadata: [padRow({}, this.columns)],
      labels: { column: 'cluster', values: [0] },
      q: { data: new Float64Array(k), shape: [1, k] },
      features: { data: new Float32Array(numFeatures), shape: [1, numFeatures] },
    });
    return csv.slice(0, csv.indexOf('\n') + 1);
  }

  /**
   * Joins the header and every part, in chunk order, into `output` (through a temporary file
   * and a rename) and removes the parts folder. Every chunk must be done.
   */
  async assemble(): Promise<void> {
    const missing = this.chunks.filter((c) => !this.isDone(c.index));
    if (missing.length > 0)
      throw new IncompatibleError(
        `extractRun: ${missing.length} chunk(s) of ${this.output} are not extracted yet (first: cells ${missing[0]!.start}–${missing[0]!.end - 1})`,
        { fn: 'extractRun', arg: 'output' },
      );
    const tmp = join(dirname(this.output), `.${basename(this.output)}.${process.pid}.tmp`);
    await mkdir(dirname(this.output), { recursive: true });
    const handle = await open(tmp, 'w');
    try {
      await handle.write(this.header(this.model.numFeatures));
      for (const chunk of this.chunks)
        for await (const piece of createReadStream(this.partPath(chunk.index)))
          await handle.write(piece as Buffer);
      await handle.close();
      await rename(tmp, this.output);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
    await rm(this.partsDir, { recursive: true, force: true });
  }

  /** Part files present (for reports). */
  async partsWritten(): Promise<number> {
    if (!existsSync(this.partsDir)) return 0;
    return (await readdir(this.partsDir)).filter((f) => f.startsWith('part-')).length;
  }
}
