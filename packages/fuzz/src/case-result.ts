/** What the child process reports for one case, and the kinds of failure the oracle knows. */

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

export interface CaseMessage {
  id: number;
  target: string;
  bytes: Uint8Array;
}

export interface CaseReply {
  id: number;
  outcome: 'accepted' | 'rejected' | 'failure';
  kind?: FailureKind;
  detail?: string;
  ms: number;
  /** CPU time of the child during the case, ms (filled in by the parent where /proc tells it). */
  cpuMs?: number;
  /** Growth of the child's peak RSS during the case, MB. */
  peakGrowthMb: number;
}
