import { invalidArgument } from './errors.js';

/** What a long operation reports as it goes. */
export interface ProgressEvent {
  /** What is being done, e.g. `'convert'`, `'epoch'`, `'batch'`. */
  phase: string;
  /** Units finished so far (files, batches, steps). */
  done: number;
  /** Units in all, when known. */
  total?: number;
  /** A short human-readable detail, e.g. the file just finished or the current loss. */
  message?: string;
  /** Numbers worth plotting or logging (loss, learning rate, ...). */
  metrics?: Record<string, number>;
}

/** Called by every long operation; must be cheap and must not throw. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** Calls `onProgress` and swallows its errors, so a faulty callback cannot break a batch. */
export function reportProgress(
  onProgress: ProgressCallback | undefined,
  event: ProgressEvent,
): void {
  if (!onProgress) return;
  try {
    onProgress(event);
  } catch {
    // A progress display must never abort the work it reports on.
  }
}

/**
 * A reporter for a loop of `total` units too fine-grained to report each one: the returned
 * `tick(done)` calls `onProgress` with `{ phase, done, total }` at most about `steps` times
 * (default every 1 %) and always when `done` reaches `total`. A no-op without a callback.
 */
export function progressReporter(
  onProgress: ProgressCallback | undefined,
  phase: string,
  total: number,
  steps = 100,
): (done: number) => void {
  if (onProgress === undefined) return () => {};
  const every = Math.max(1, Math.floor(total / steps));
  let last = 0;
  return (done) => {
    if (done < total && done - last < every) return;
    last = done;
    reportProgress(onProgress, { phase, done, total });
  };
}

/** `value` when it is a progress callback or undefined; else an argument error of `fn`. */
export function checkProgressCallback(
  fn: string,
  value: unknown,
  arg = 'options.onProgress',
): ProgressCallback | undefined {
  if (value === undefined || typeof value === 'function')
    return value as ProgressCallback | undefined;
  throw invalidArgument(fn, arg, 'a function', value);
}
