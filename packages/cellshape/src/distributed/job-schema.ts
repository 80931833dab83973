import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { IncompatibleError } from '@cellshape/core';
import { packageVersion } from '../run/versions.js';

/**
 * The layout of job data this code writes and reads. A job of another layout is refused by the
 * worker (its fields may mean something else); raise it whenever a field changes meaning.
 */
export const JOB_SCHEMA = 2;

/** BullMQ key prefix of every cellshape queue (`cellshape:<kind>:…` in Redis). */
export const QUEUE_PREFIX = 'cellshape';

/** What every job carries besides its kind's own fields. */
export interface JobEnvelope {
  /** {@link JOB_SCHEMA} of the client that made it. */
  schema: number;
  /** The `cellshape` package version of the client: workers of another version refuse the job. */
  version: string;
  /** The chunk's number, from 0, and the number of chunks of the batch. */
  chunk: number;
  chunks: number;
}

/** A file whose content a job depends on, travelling by path and SHA-256 (never through Redis). */
export interface HashedFile {
  /** Absolute path on the shared storage. */
  path: string;
  /** SHA-256 of its content, hex. */
  sha256: string;
}

/** The `cellshape` version of this process (the package's `version`). */
export function cellshapeVersion(): string {
  return packageVersion('cellshape') ?? '0.0.0';
}

/** The envelope of chunk `chunk` of `chunks`, stamped with this process's schema and version. */
export function envelope(chunk: number, chunks: number): JobEnvelope {
  return { schema: JOB_SCHEMA, version: cellshapeVersion(), chunk, chunks };
}

/**
 * Why this worker must not run a job with `data`'s envelope, or undefined when it may: a job
 * of another schema or package version would mix results of two code versions.
 */
export function refusal(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return 'the job carries no data';
  const { schema, version } = data as Partial<JobEnvelope>;
  const mine = cellshapeVersion();
  if (schema !== JOB_SCHEMA)
    return `the job has job schema ${String(schema)}, this worker reads schema ${JOB_SCHEMA} (cellshape ${mine}); run workers of the client's cellshape version`;
  if (version !== mine)
    return `the job was made by cellshape ${String(version)}, this worker is cellshape ${mine}; run workers of the client's version so results are not mixed`;
  return undefined;
}

const hashes = new Map<string, string>();

/**
 * SHA-256 (hex) of a file's content, streamed; remembered per path, size and modification time
 * so a worker hashes a checkpoint once, not once per job.
 */
export async function sha256File(path: string): Promise<string> {
  const stat = statSync(path);
  const key = `${path}|${stat.size}|${stat.mtimeMs}`;
  const known = hashes.get(key);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const hex = hash.digest('hex');
  hashes.set(key, hex);
  return hex;
}

/**
 * Checks that the file at `file.path` is the one the job names (same SHA-256).
 *
 * @throws IncompatibleError naming both hashes when the content differs.
 */
export async function checkHashedFile(fn: string, what: string, file: HashedFile): Promise<void> {
  const actual = await sha256File(file.path);
  if (actual !== file.sha256)
    throw new IncompatibleError(
      `${fn}: the ${what} ${file.path} on this worker has SHA-256 ${actual.slice(0, 12)}…, the job names ${file.sha256.slice(0, 12)}…; every worker must see the same file (shared storage)`,
      { fn, arg: what },
    );
}

/** A stable job id: the kind and a SHA-256 of the chunk's defining data (re-enqueuing dedups). */
export function jobId(kind: string, data: object): string {
  return `${kind}-${createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 32)}`;
}
