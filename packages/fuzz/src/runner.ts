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
 *
 * Time is the child's CPU time where Linux's /proc tells it: a long run shares the machine
 * (at `nice 19` beside other work, a 0.1 s case can take 10 s of wall clock), and a hang is
 * work, not waiting. A wall-clock backstop still catches a child that waits forever.
 */

export interface FuzzOptions {
  targets: readonly FuzzTarget[];
  /** Cases per target; or run until `minutes` have passed (round-robin over the targets). */
  casesPerTarget?: number;
  minutes?: number;
  /**
   * Run each target until its cases have used this many minutes of the child's CPU time (the
   * long mode's "30 minutes per reader"; round-robin, the least served target next).
   */
  cpuMinutesPerTarget?: number;
  /** The run seed (case i of target t uses mixSeed(seed, t, i)). Default 1. */
  seed?: number;
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
  /** Wall-clock and CPU time of the target's cases, ms. */
  ms: number;
  cpuMs: number;
  /** The slowest case: its time (ms of CPU where measured, else wall clock) and index. */
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
        pid: number;
        /** The child's CPU time when the case was sent, ms (undefined without /proc). */
        cpuStart: number | undefined;
      }
    | undefined;
  private nextId = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly wallTimeoutMs: number,
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
    const cpuEnd = pending.cpuStart === undefined ? undefined : cpuMsOf(pending.pid);
    const ms = reply.ms || performance.now() - pending.start;
    pending.resolve({
      ...reply,
      id: pending.id,
      ms,
      // A child that has exited has no /proc entry: its wall clock stands in.
      cpuMs: cpuEnd === undefined ? ms : cpuEnd - (pending.cpuStart as number),
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
    const pid = child.pid!;
    return new Promise((resolve) => {
      const start = performance.now();
      const cpuStart = cpuMsOf(pid);
      const wallLimit = cpuStart === undefined ? this.timeoutMs : this.wallTimeoutMs;
      const timer = setTimeout(
        () => this.kill('timeout', `no answer within ${wallLimit} ms of wall-clock time`),
        wallLimit,
      );
      const watch = setInterval(() => {
        const rss = rssMb(pid);
        if (rss !== undefined && rss - this.baselineRss > this.memoryMb * 2)
          this.kill(
            'memory',
            `RSS reached ${rss.toFixed(0)} MB (${(rss - this.baselineRss).toFixed(0)} MB over the child's baseline)`,
          );
        const cpu = cpuStart === undefined ? undefined : cpuMsOf(pid);
        if (cpu !== undefined && cpu - (cpuStart as number) > this.timeoutMs)
          this.kill('timeout', `over ${this.timeoutMs} ms of CPU time`);
      }, 50);
      this.pending = { id, resolve, timer, watch, start, pid, cpuStart };
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

/**
 * The CPU time (user + system, all threads) of a process in ms from Linux's /proc, or undefined
 * elsewhere: fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks of 1/100 s (USER_HZ).
 */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; field 3 starts after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
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
  const cpuMs = reply.cpuMs ?? reply.ms;
  stats.cases++;
  stats.ms += reply.ms;
  stats.cpuMs += cpuMs;
  if (cpuMs > stats.slowestMs) {
    stats.slowestMs = cpuMs;
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
 * The target whose cases have taken the least time so far among those with cases and time
 * left, or −1: each reader gets an equal share of a timed run, not an equal count of cases (a
 * model-building reader is 500× slower per case than a CSV parser).
 */
function leastServed(
  spent: number[],
  next: number[],
  perTarget: number,
  spentLimit: number,
): number {
  let best = -1;
  for (let t = 0; t < spent.length; t++)
    if (next[t]! < perTarget && spent[t]! < spentLimit && (best < 0 || spent[t]! < spent[best]!))
      best = t;
  return best;
}

/** Runs the fuzz cases of `options` and reports per-target counts and every failure. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { targets } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const worker = new Worker(
    timeoutMs,
    options.wallTimeoutMs ?? 12 * timeoutMs,
    options.memoryMb ?? 512,
  );
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
      cpuMs: 0,
      slowestMs: 0,
      slowestCase: -1,
    };
  const start = performance.now();
  const deadline =
    options.minutes === undefined ? Number.POSITIVE_INFINITY : start + options.minutes * 60_000;
  const perTarget = options.casesPerTarget ?? Number.POSITIVE_INFINITY;
  const spentLimit =
    options.cpuMinutesPerTarget === undefined
      ? Number.POSITIVE_INFINITY
      : options.cpuMinutesPerTarget * 60_000;
  const next = targets.map(() => 0);
  const spent = targets.map(() => 0);
  let lastProgress = start;
  try {
    for (;;) {
      const t = leastServed(spent, next, perTarget, spentLimit);
      if (t < 0 || performance.now() >= deadline) break;
      const c = makeCase(targets[t]!, t, seeds[t]!, state.seed, next[t]!++);
      const reply = await worker.run(c.target.name, c.bytes);
      record(state, c, reply);
      spent[t]! += reply.cpuMs ?? reply.ms;
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
