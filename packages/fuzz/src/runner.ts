import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BatchProgress, FailureKind } from './case-result.js';
import { type Case, makeCase, seedsOf } from './cases.js';
import type { FuzzTarget } from './targets/index.js';
import { type BatchEnd, type CaseBudget, CaseWorker, PACKAGE_DIR } from './worker.js';

/**
 * The parent side of a fuzz run: hands out batches of case indices to child processes (which
 * make the cases from the run seed themselves), tallies their reports, finds the case that hung
 * or blew the memory in a killed batch, and saves every failing input with what reproduces it.
 */

export interface FuzzOptions {
  targets: readonly FuzzTarget[];
  /** Cases per target; or run until `minutes` have passed (round-robin over the targets). */
  casesPerTarget?: number;
  minutes?: number;
  /**
   * Run each target until its cases have used this many minutes of CPU time (the long mode's
   * "30 minutes per reader"; the least served target next).
   */
  cpuMinutesPerTarget?: number;
  /** The run seed (case i of target t uses mixSeed(seed, t, i)). Default 1. */
  seed?: number;
  /** Child processes running cases side by side (one per core pays). Default 1. */
  workers?: number;
  /** Per-case time budget, ms of the child's CPU time (wall clock where /proc is missing). Default 5000. */
  timeoutMs?: number;
  /** Per-case wall-clock backstop, ms. Default 12 × `timeoutMs`. */
  wallTimeoutMs?: number;
  /** Per-case memory budget (peak RSS growth), MB. Default 512. */
  memoryMb?: number;
  /** Where failing inputs go. Default `packages/fuzz/failures`. */
  failuresDir?: string;
  /** At most this many saved inputs per (target, kind, first words of the message). Default 3. */
  savePerCause?: number;
  onProgress?: (report: FuzzReport) => void;
}

export interface FuzzFailure {
  target: string;
  kind: FailureKind;
  detail: string;
  mutators: string[];
  seed: number;
  caseIndex: number;
  /** The saved input, or undefined when the cause already has `savePerCause` inputs saved. */
  file: string | undefined;
}

export interface TargetStats {
  cases: number;
  accepted: number;
  rejected: number;
  failures: number;
  /** Wall-clock and CPU time of the target's cases, ms (each case timed in its child). */
  ms: number;
  cpuMs: number;
  /** The slowest case: its CPU time (ms) and index. */
  slowestMs: number;
  slowestCase: number;
}

export interface FuzzReport {
  stats: Record<string, TargetStats>;
  failures: FuzzFailure[];
  elapsedMs: number;
}

export { PACKAGE_DIR };

/** A batch aims at this much CPU time: long enough that the parent is idle, short enough to stop on time. */
const BATCH_CPU_MS = 500;
const MAX_BATCH = 20_000;

/** Where a run keeps its counts, its budget and its saved inputs while it goes. */
interface RunState {
  targets: readonly FuzzTarget[];
  seeds: Uint8Array[][];
  report: FuzzReport;
  saved: Map<string, number>;
  seed: number;
  failuresDir: string;
  savePerCause: number;
  /** Per target: the next new case index, CPU used and CPU promised to batches in flight. */
  next: number[];
  spent: number[];
  reserved: number[];
  perTarget: number;
  spentLimit: number;
  deadline: number;
}

/** The cause of a failure, for saving at most a few inputs per cause. */
function causeOf(target: string, kind: FailureKind, detail: string): string {
  return `${target}|${kind}|${detail.replace(/\d+/g, 'N').slice(0, 80)}`;
}

function save(dir: string, c: Case, seed: number, kind: FailureKind, detail: string): string {
  const base = join(dir, c.target.name, `${kind}-seed${seed}-case${c.caseIndex}`);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.bin`, c.bytes);
  // Plain text beside the input (not JSON, which the repository's formatter would check).
  const about = [
    `target: ${c.target.name}`,
    `kind: ${kind}`,
    `detail: ${detail}`,
    `seed: ${seed}`,
    `case: ${c.caseIndex}`,
    `mutators: ${c.mutators.join(', ')}`,
    `reproduce: pnpm fuzz --reproduce ${base}.bin --reader ${c.target.name}`,
  ];
  writeFileSync(`${base}.txt`, `${about.join('\n')}\n`);
  return `${base}.bin`;
}

/** Lists a failure of case `caseIndex` of target `t` (remade from the seed to save its input). */
function recordFailure(
  state: RunState,
  t: number,
  caseIndex: number,
  kind: FailureKind,
  detail: string,
): void {
  const c = makeCase(state.targets[t]!, t, state.seeds[t]!, state.seed, caseIndex);
  const cause = causeOf(c.target.name, kind, detail);
  const count = state.saved.get(cause) ?? 0;
  state.saved.set(cause, count + 1);
  const file =
    count < state.savePerCause ? save(state.failuresDir, c, state.seed, kind, detail) : undefined;
  state.report.failures.push({
    target: c.target.name,
    kind,
    detail,
    mutators: c.mutators,
    seed: state.seed,
    caseIndex,
    file,
  });
}

/** Adds a child's report of finished cases to the target's counts. */
function recordProgress(state: RunState, t: number, p: BatchProgress): void {
  const stats = state.report.stats[state.targets[t]!.name]!;
  stats.cases += p.cases;
  stats.accepted += p.accepted;
  stats.rejected += p.rejected;
  stats.failures += p.failures.length;
  stats.ms += p.ms;
  stats.cpuMs += p.cpuMs;
  state.spent[t]! += p.cpuMs;
  if (p.slowestMs > stats.slowestMs) {
    stats.slowestMs = p.slowestMs;
    stats.slowestCase = p.slowestCase;
  }
  for (const f of p.failures) recordFailure(state, t, f.caseIndex, f.kind, f.detail);
}

/** Counts a case the watchdog killed (or whose child died) as a failure. */
function recordKilled(
  state: RunState,
  t: number,
  caseIndex: number,
  end: Extract<BatchEnd, { ended: 'killed' }>,
  detail = end.detail,
): void {
  const stats = state.report.stats[state.targets[t]!.name]!;
  stats.cases++;
  stats.failures++;
  stats.cpuMs += end.cpuMs;
  state.spent[t]! += end.cpuMs;
  if (end.cpuMs > stats.slowestMs) {
    stats.slowestMs = end.cpuMs;
    stats.slowestCase = caseIndex;
  }
  recordFailure(state, t, caseIndex, end.kind, detail);
}

/**
 * The target whose cases have taken the least CPU time (used and promised) among those with
 * cases and time left, or −1: each reader gets an equal share of a timed run, not an equal
 * count of cases (a model-building reader is 500× slower per case than a CSV parser).
 */
function leastServed(state: RunState): number {
  const { spent, reserved, next } = state;
  let best = -1;
  for (let t = 0; t < spent.length; t++) {
    const used = spent[t]! + reserved[t]!;
    if (next[t]! < state.perTarget && used < state.spentLimit) {
      if (best < 0 || used < spent[best]! + reserved[best]!) best = t;
    }
  }
  return best;
}

/** How many new cases target `t`'s next batch takes: ~BATCH_CPU_MS of work, one case at first. */
function batchSize(state: RunState, t: number): { count: number; estimateMs: number } {
  const stats = state.report.stats[state.targets[t]!.name]!;
  if (stats.cases === 0) return { count: 1, estimateMs: 0 };
  const perCase = Math.max(stats.cpuMs / stats.cases, 0.001);
  const left = state.spentLimit - state.spent[t]! - state.reserved[t]!;
  const count = Math.max(
    1,
    Math.min(
      Math.floor(BATCH_CPU_MS / perCase),
      MAX_BATCH,
      state.perTarget - state.next[t]!,
      Number.isFinite(left) ? Math.ceil(left / perCase) : MAX_BATCH,
    ),
  );
  return { count, estimateMs: count * perCase };
}

/**
 * Runs cases `from` … `from + count − 1` of target `t`. When the child is killed (or dies), the
 * case that did it comes after the last one it reported: those cases are rerun one at a time
 * until one is killed again, and the rest of the batch goes on as a batch.
 */
async function runRange(
  state: RunState,
  worker: CaseWorker,
  t: number,
  from: number,
  count: number,
): Promise<void> {
  const batch = { target: state.targets[t]!.name, targetIndex: t, seed: state.seed };
  const progress = (p: BatchProgress) => recordProgress(state, t, p);
  const end = await worker.runBatch({ ...batch, from, count }, progress);
  if (end.ended === 'done') return;
  const first = end.through + 1;
  if (count === 1) return recordKilled(state, t, first, end);
  const last = from + count;
  let i = first;
  for (; i < last; i++) {
    const alone = await worker.runBatch({ ...batch, from: i, count: 1 }, progress);
    if (alone.ended === 'killed') {
      recordKilled(state, t, i, alone);
      break;
    }
  }
  if (i === last) {
    // The child died of what several cases left behind: a failure, though not of one case.
    state.report.stats[batch.target]!.failures++;
    const detail = `${end.detail} (in a batch; none of cases ${first}–${last - 1} did it alone)`;
    recordFailure(state, t, first, end.kind, detail);
  }
  if (i + 1 < last) await runRange(state, worker, t, i + 1, last - i - 1);
}

/** One worker's share of the run: batches of the least served target until none is left. */
async function lane(state: RunState, worker: CaseWorker, onBatch: () => void): Promise<void> {
  for (;;) {
    const t = leastServed(state);
    if (t < 0 || performance.now() >= state.deadline) return;
    const { count, estimateMs } = batchSize(state, t);
    const from = state.next[t]!;
    state.next[t]! += count;
    state.reserved[t]! += estimateMs;
    try {
      await runRange(state, worker, t, from, count);
    } finally {
      state.reserved[t]! -= estimateMs;
    }
    onBatch();
  }
}

function emptyStats(): TargetStats {
  return {
    cases: 0,
    accepted: 0,
    rejected: 0,
    failures: 0,
    ms: 0,
    cpuMs: 0,
    slowestMs: 0,
    slowestCase: -1,
  };
}

/** Runs the fuzz cases of `options` and reports per-target counts and every failure. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { targets } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const budget: CaseBudget = {
    timeoutMs,
    wallTimeoutMs: options.wallTimeoutMs ?? 12 * timeoutMs,
    memoryMb: options.memoryMb ?? 512,
  };
  const start = performance.now();
  const state: RunState = {
    targets,
    seeds: await Promise.all(targets.map(seedsOf)),
    report: {
      stats: Object.fromEntries(targets.map((t) => [t.name, emptyStats()])),
      failures: [],
      elapsedMs: 0,
    },
    saved: new Map(),
    seed: options.seed ?? 1,
    failuresDir: options.failuresDir ?? join(PACKAGE_DIR, 'failures'),
    savePerCause: options.savePerCause ?? 3,
    next: targets.map(() => 0),
    spent: targets.map(() => 0),
    reserved: targets.map(() => 0),
    perTarget: options.casesPerTarget ?? Number.POSITIVE_INFINITY,
    spentLimit: (options.cpuMinutesPerTarget ?? Number.POSITIVE_INFINITY) * 60_000,
    deadline:
      options.minutes === undefined ? Number.POSITIVE_INFINITY : start + options.minutes * 60_000,
  };
  let lastProgress = start;
  const onBatch = () => {
    if (!options.onProgress || performance.now() - lastProgress < 10_000) return;
    lastProgress = performance.now();
    state.report.elapsedMs = lastProgress - start;
    options.onProgress(state.report);
  };
  const workers = Array.from({ length: options.workers ?? 1 }, () => new CaseWorker(budget));
  try {
    await Promise.all(workers.map((w) => lane(state, w, onBatch)));
  } finally {
    for (const w of workers) w.stop();
  }
  state.report.elapsedMs = performance.now() - start;
  return state.report;
}
