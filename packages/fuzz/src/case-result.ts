/** The messages between the fuzz runner and its child processes, and the kinds of failure. */

export type FailureKind =
  /** An error that is not one of ours (TypeError, RangeError, stack overflow, …). */
  | 'untyped-error'
  /** One of our errors whose message does not start with the function's name. */
  | 'unnamed-error'
  /** Accepted, but the result breaks a promise (non-finite floats, shapes, prototypes). */
  | 'bad-result'
  /** A changed byte of a stored zip member was accepted (CRC-32 not checked). */
  | 'crc-accepted'
  /** Built-in prototypes gained properties. */
  | 'prototype-pollution'
  /** Over the time budget (the child was killed). */
  | 'timeout'
  /** Over the memory budget (peak RSS growth, or killed by the watchdog). */
  | 'memory'
  /** The child process died (out of memory, native crash). */
  | 'crash';

/** Run cases `from` … `from + count − 1` of a target (the child makes them from the seed). */
export interface BatchMessage {
  id: number;
  target: string;
  targetIndex: number;
  seed: number;
  from: number;
  count: number;
}

/** A failing case as the child saw it. */
export interface CaseFailure {
  caseIndex: number;
  kind: FailureKind;
  detail: string;
  /** The case's CPU time, ms. */
  cpuMs: number;
}

/**
 * The child's account of the cases it finished since its last message: sent every ~25 ms of
 * work and at the end of a batch, so that when a case hangs the parent knows every case before
 * it (and the hung one is among the few after `through`).
 */
export interface BatchProgress {
  id: number;
  /** The cases `through` and all before it in this batch are done. */
  through: number;
  done: boolean;
  cases: number;
  accepted: number;
  rejected: number;
  /** Wall-clock and CPU time of these cases, ms (the child's own clock, around making and judging each). */
  ms: number;
  cpuMs: number;
  slowestMs: number;
  slowestCase: number;
  failures: CaseFailure[];
}
