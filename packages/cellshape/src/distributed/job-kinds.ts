import type { ProgressCallback } from '@cellshape/core';
import { convertKind } from './convert-chunk.js';
import { extractKind } from './extract-chunk.js';

/**
 * A kind of distributed job: its queue's name and how a worker runs one chunk of it. Kinds
 * register themselves ({@link registerJobKind}); the worker serves every registered kind.
 */
export interface JobKind {
  /** The queue's name, e.g. `'convert'` (Redis keys `cellshape:convert:…`). */
  readonly name: string;
  /**
   * Runs one chunk on this worker and returns a small, JSON-able summary. Writes its outputs on
   * the shared storage atomically and idempotently (a chunk run twice writes nothing twice).
   * Throws a `CellshapeError` for a problem another attempt cannot fix (the job then fails at
   * once with that reason), any other error for one worth retrying.
   */
  run(data: unknown, onProgress: ProgressCallback): Promise<unknown>;
}

/** The job kinds workers serve, by queue name: the built-in `convert` and `extract`, then what users register. */
const KINDS = new Map<string, JobKind>([
  [convertKind.name, convertKind],
  [extractKind.name, extractKind],
]);

/** Registers a job kind (replacing one of the same name). */
export function registerJobKind(kind: JobKind): void {
  KINDS.set(kind.name, kind);
}

/** The registered job kinds, in registration order. */
export function jobKinds(): JobKind[] {
  return [...KINDS.values()];
}
