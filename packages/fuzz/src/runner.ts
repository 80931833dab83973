import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixSeed, Rng } from '@cellshape/core';
import type { CaseReply, FailureKind } from './case-result.js';
import { GENERIC_MUTATORS, mutateWith } from './mutate.js';
import type { FuzzTarget } from './targets/index.js';

/**
 * The parent side of a fuzz run: makes each case from (run seed, target, case index), sends it
 * to a child process, enforces the time budget (kills the child on a hang) and the memory
 * budget (samples the child's RSS; the child also reports its peak growth), and saves every
 * failing input with what reproduces it.
 */

export interface FuzzOptions {
  targets: readonly FuzzTarget[];
  /** Cases per target; or run until `minutes` have passed (round-robin over the targets). */
  casesPerTarget?: number;
  minutes?: number;
  /** The run seed (case i of target t uses mixSeed(seed, t, i)). Default 1. */
  seed?: number;
  /** Per-case time budget, ms. Default 5000. */
  timeoutMs?: number;
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
  ms: number;
  /** The slowest case: its time (ms) and index. */
  slowestMs: number;
  slowestCase: number;
}

export interface FuzzReport {
  stats: Record<string, TargetStats>;
  failures: FuzzFailure[];
  elapsedMs: number;
}

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(PACKAGE_DIR, '../..');

interface Case {
  target: FuzzTarget;
  targetIndex: number;
  caseIndex: number;
  bytes: Uint8Array;
  mutators: string[];
  mustReject: boolean;
}

/** Case `caseIndex` of a target: reproducible from the run seed alone. */
export function makeCase(
  target: FuzzTarget,
  targetIndex: number,
  seeds: readonly Uint8Array[],
  seed: number,
  caseIndex: number,
): Case {
  const rng = new Rng(mixSeed(seed, targetIndex, caseIndex));
  const source = seeds[rng.int(seeds.length)]!;
  // Format-aware mutators twice as likely as the generic ones.
  const mutators = target.ownMutatorsOnly
    ? target.mutators
    : [...target.mutators, ...target.mutators, ...GENERIC_MUTATORS];
  const { bytes, names, mustReject } = mutateWith(source, rng, mutators);
  return { target, targetIndex, caseIndex, bytes, mutators: names, mustReject };
}

/** One child process running cases; restarted after a kill or a crash. */
class Worker {
  private child: ChildProcess | undefined;
  private baselineRss = 0;
  private pending:
    | {
        id: number;
        resolve: (reply: CaseReply) => void;
        timer: NodeJS.Timeout;
        watch: NodeJS.Timeout;
        start: number;
      }
    | undefined;
  private nextId = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly memoryMb: number,
  ) {}

  private async start(): Promise<ChildProcess> {
    const child = fork(join(PACKAGE_DIR, 'src/child.ts'), [], {
      cwd: ROOT,
      execArgv: ['--conditions=@cellshape/source', '--import', 'tsx', '--max-old-space-size=2048'],
      serialization: 'advanced',
      env: { ...process.env, CELLSHAPE_FUZZ_MEMORY_MB: String(this.memoryMb) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.resume();
    await new Promise<void>((ready, fail) => {
      child.once('message', () => ready());
      child.once('exit', (code) =>
        fail(new Error(`fuzz child exited during start-up (code ${code})`)),
      );
    });
    this.baselineRss = rssMb(child.pid!) ?? 0;
    child.on('message', (reply: CaseReply) => this.settle(reply));
    child.on('exit', (code, signal) =>
      this.settle({
        id: -1,
        outcome: 'failure',
        kind: 'crash',
        detail: `the child exited (code ${code}, signal ${signal})`,
        ms: 0,
        peakGrowthMb: 0,
      }),
    );
    this.child = child;
    return child;
  }

  private settle(reply: CaseReply): void {
    const pending = this.pending;
    if (!pending || (reply.id !== pending.id && reply.id !== -1)) return;
    clearTimeout(pending.timer);
    clearInterval(pending.watch);
    this.pending = undefined;
    if (reply.id === -1) this.child = undefined;
    pending.resolve({
      ...reply,
      id: pending.id,
      ms: reply.ms || performance.now() - pending.start,
    });
  }

  private kill(kind: FailureKind, detail: string): void {
    const child = this.child;
    const pending = this.pending;
    this.child = undefined;
    if (pending)
      this.settle({
        id: pending.id,
        outcome: 'failure',
        kind,
        detail,
        ms: performance.now() - pending.start,
        peakGrowthMb: 0,
      });
    child?.removeAllListeners('exit');
    child?.kill('SIGKILL');
  }

  async run(target: string, bytes: Uint8Array): Promise<CaseReply> {
    const child = this.child ?? (await this.start());
    const id = this.nextId++;
    return new Promise((resolve) => {
      const start = performance.now();
      const timer = setTimeout(
        () => this.kill('timeout', `no answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
      const watch = setInterval(() => {
        const rss = rssMb(child.pid!);
        if (rss !== undefined && rss - this.baselineRss > this.memoryMb * 2)
          this.kill(
            'memory',
            `RSS reached ${rss.toFixed(0)} MB (${(rss - this.baselineRss).toFixed(0)} MB over the child's baseline)`,
          );
      }, 50);
      this.pending = { id, resolve, timer, watch, start };
      child.send({ id, target, bytes });
    });
  }

  stop(): void {
    this.child?.removeAllListeners('exit');
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

/** The resident set of a process in MB (Linux /proc), or undefined elsewhere. */
function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The cause of a failure, for saving at most a few inputs per cause. */
function causeOf(target: string, kind: FailureKind, detail: string): string {
  return `${target}|${kind}|${detail.replace(/\d+/g, 'N').slice(0, 80)}`;
}

function save(dir: string, c: Case, seed: number, reply: CaseReply): string {
  const base = join(dir, c.target.name, `${reply.kind}-seed${seed}-case${c.caseIndex}`);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.bin`, c.bytes);
  // Plain text beside the input (not JSON, which the repository's formatter would check).
  const about = [
    `target: ${c.target.name}`,
    `kind: ${reply.kind}`,
    `detail: ${reply.detail}`,
    `seed: ${seed}`,
    `case: ${c.caseIndex}`,
    `mutators: ${c.mutators.join(', ')}`,
    `reproduce: pnpm fuzz --reproduce ${base}.bin --reader ${c.target.name}`,
  ];
  writeFileSync(`${base}.txt`, `${about.join('\n')}\n`);
  return `${base}.bin`;
}

/** Where a run keeps its counts and saved inputs while it goes. */
interface RunState {
  report: FuzzReport;
  saved: Map<string, number>;
  seed: number;
  failuresDir: string;
  savePerCause: number;
}

/** Adds one case's reply to the report (and saves its input when it failed, `savePerCause` per cause). */
function record(state: RunState, c: Case, reply: CaseReply): void {
  if (c.mustReject && reply.outcome === 'accepted')
    Object.assign(reply, {
      outcome: 'failure',
      kind: 'crc-accepted',
      detail: `accepted after ${c.mutators.join(', ')}`,
    });
  const stats = state.report.stats[c.target.name]!;
  stats.cases++;
  stats.ms += reply.ms;
  if (reply.ms > stats.slowestMs) {
    stats.slowestMs = reply.ms;
    stats.slowestCase = c.caseIndex;
  }
  if (reply.outcome === 'accepted') stats.accepted++;
  else if (reply.outcome === 'rejected') stats.rejected++;
  else {
    stats.failures++;
    const kind = reply.kind ?? 'crash';
    const detail = reply.detail ?? '';
    const cause = causeOf(c.target.name, kind, detail);
    const count = state.saved.get(cause) ?? 0;
    state.saved.set(cause, count + 1);
    const file =
      count < state.savePerCause ? save(state.failuresDir, c, state.seed, reply) : undefined;
    state.report.failures.push({
      target: c.target.name,
      kind,
      detail,
      mutators: c.mutators,
      seed: state.seed,
      caseIndex: c.caseIndex,
      file,
    });
  }
}

/**
 * The target whose cases have taken the least time so far among those with cases left, or −1:
 * each reader gets an equal share of a timed run, not an equal count of cases (a model-building
 * reader is 500× slower per case than a CSV parser).
 */
function leastServed(spent: number[], next: number[], perTarget: number): number {
  let best = -1;
  for (let t = 0; t < spent.length; t++)
    if (next[t]! < perTarget && (best < 0 || spent[t]! < spent[best]!)) best = t;
  return best;
}

/** Runs the fuzz cases of `options` and reports per-target counts and every failure. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { targets } = options;
  const worker = new Worker(options.timeoutMs ?? 5000, options.memoryMb ?? 512);
  const seeds = await Promise.all(targets.map((t) => t.seeds()));
  const state: RunState = {
    report: { stats: {}, failures: [], elapsedMs: 0 },
    saved: new Map(),
    seed: options.seed ?? 1,
    failuresDir: options.failuresDir ?? join(PACKAGE_DIR, 'failures'),
    savePerCause: options.savePerCause ?? 3,
  };
  for (const t of targets)
    state.report.stats[t.name] = {
      cases: 0,
      accepted: 0,
      rejected: 0,
      failures: 0,
      ms: 0,
      slowestMs: 0,
      slowestCase: -1,
    };
  const start = performance.now();
  const deadline =
    options.minutes === undefined ? Number.POSITIVE_INFINITY : start + options.minutes * 60_000;
  const perTarget = options.casesPerTarget ?? Number.POSITIVE_INFINITY;
  const next = targets.map(() => 0);
  const spent = targets.map(() => 0);
  let lastProgress = start;
  try {
    for (;;) {
      const t = leastServed(spent, next, perTarget);
      if (t < 0 || performance.now() >= deadline) break;
      const c = makeCase(targets[t]!, t, seeds[t]!, state.seed, next[t]!++);
      const caseStart = performance.now();
      record(state, c, await worker.run(c.target.name, c.bytes));
      spent[t]! += performance.now() - caseStart;
      if (options.onProgress && performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        state.report.elapsedMs = lastProgress - start;
        options.onProgress(state.report);
      }
    }
  } finally {
    worker.stop();
  }
  state.report.elapsedMs = performance.now() - start;
  return state.report;
}
