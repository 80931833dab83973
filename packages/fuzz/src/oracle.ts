import { isCellshapeError } from '@cellshape/core';
import type { FailureKind } from './case-result.js';
import type { FuzzTarget } from './targets/index.js';

/**
 * The oracle of one case (rules 1, 4 and 6 of issue 17; time and memory are the runner's):
 * only our typed errors escape, their messages start with the function's name, and an
 * accepted result keeps the reader's promises (finite floats, consistent shapes, plain data).
 */

export function firstLine(error: unknown): string {
  const e = error as { name?: string; message?: string; stack?: string };
  const at = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '));
  return `${e.name ?? typeof error}: ${String(e.message ?? error).slice(0, 300)}${at ? ` (${at.trim()})` : ''}`;
}

/** The oracle's verdict on one case (a failure says which kind and what happened). */
export interface Verdict {
  outcome: 'accepted' | 'rejected' | 'failure';
  kind?: FailureKind;
  detail?: string;
}

export async function runCase(target: FuzzTarget, bytes: Uint8Array): Promise<Verdict> {
  let result: unknown;
  try {
    result = await target.run(bytes);
  } catch (error) {
    if (!isCellshapeError(error))
      return { outcome: 'failure', kind: 'untyped-error', detail: firstLine(error) };
    if (!target.fns.some((fn) => error.message.startsWith(`${fn}:`)))
      return { outcome: 'failure', kind: 'unnamed-error', detail: firstLine(error) };
    return { outcome: 'rejected' };
  }
  try {
    const problem = target.check(result);
    if (problem) return { outcome: 'failure', kind: 'bad-result', detail: problem };
  } finally {
    target.dispose?.(result);
  }
  return { outcome: 'accepted' };
}
