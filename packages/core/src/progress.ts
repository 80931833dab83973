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
