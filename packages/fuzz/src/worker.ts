import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchMessage, BatchProgress, FailureKind } from './case-result.js';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(PACKAGE_DIR, '../..');
const WATCH_EVERY_MS = 50;

/** The per-case budgets the watchdog enforces. */
export interface CaseBudget {
  /** ms of the child's CPU time without a finished case (wall clock where /proc is missing). */
  timeoutMs: number;
  /** ms of wall-clock time without a finished case: the backstop for a child that waits. */
  wallTimeoutMs: number;
  /** MB of peak RSS growth per case; the watchdog kills the child at twice this over its baseline. */
  memoryMb: number;
}

/** How a batch ended: all its cases done, or the child killed (or dead) after case `through`. */
export type BatchEnd =
  | { ended: 'done' }
  | { ended: 'killed'; through: number; kind: FailureKind; detail: string; cpuMs: number };

interface Running {
  onProgress: (progress: BatchProgress) => void;
  finish: (end: BatchEnd) => void;
  pid: number;
  /** The last finished case, and the child's CPU (ms, /proc) and wall clock at its report. */
  through: number;
  cpuAtReport: number | undefined;
  wallAtReport: number;
}

/**
 * One child process that runs batches of cases, and its watchdog: the child is killed when it
 * spends `timeoutMs` of CPU time (or `wallTimeoutMs` of wall clock) without finishing a case,
 * or when its RSS grows past twice the memory budget; a new child starts for the next batch.
 *
 * Time is the child's CPU time where Linux's /proc tells it: a long run shares the machine (at
 * `nice 19` beside other work, a 0.1 s case can take 10 s of wall clock), and a hang is work,
 * not waiting.
 */
export class CaseWorker {
  private child: ChildProcess | undefined;
  private baselineRss = 0;
  private stderrTail = '';
  private running: Running | undefined;
  private nextId = 0;

  constructor(private readonly budget: CaseBudget) {}

  /** Runs cases `from` … `from + count − 1`, reporting each group of finished cases. */
  async runBatch(
    batch: Omit<BatchMessage, 'id'>,
    onProgress: (progress: BatchProgress) => void,
  ): Promise<BatchEnd> {
    const child = this.child ?? (await this.start());
    const pid = child.pid as number;
    const id = this.nextId++;
    const end = new Promise<BatchEnd>((finish) => {
      this.running = {
        onProgress: (p) => p.id === id && onProgress(p),
        finish,
        pid,
        through: batch.from - 1,
        cpuAtReport: cpuMsOf(pid),
        wallAtReport: performance.now(),
      };
    });
    const watch = setInterval(() => this.watch(), WATCH_EVERY_MS);
    child.send({ ...batch, id } satisfies BatchMessage);
    try {
      return await end;
    } finally {
      clearInterval(watch);
      this.running = undefined;
      this.restartIfGrown(pid);
    }
  }

  /**
   * A fresh child for the next batch once this one's resident set has grown by the memory
   * budget: what the cases it made left behind (the allocator keeps freed megabytes) must not
   * reach the watchdog's limit and be blamed on a case.
   */
  private restartIfGrown(pid: number): void {
    const rss = rssMb(pid);
    if (
      this.child?.pid === pid &&
      rss !== undefined &&
      rss - this.baselineRss > this.budget.memoryMb
    )
      this.stop();
  }

  stop(): void {
    this.child?.removeAllListeners('exit');
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private async start(): Promise<ChildProcess> {
    const child = fork(join(PACKAGE_DIR, 'src/child.ts'), [], {
      cwd: ROOT,
      execArgv: [
        '--conditions=@cellshape/source',
        '--import',
        'tsx',
        '--max-old-space-size=2048',
        '--expose-gc',
      ],
      serialization: 'advanced',
      env: { ...process.env, CELLSHAPE_FUZZ_MEMORY_MB: String(this.budget.memoryMb) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    await new Promise<void>((ready, fail) => {
      child.once('message', () => ready());
      child.once('exit', (code) =>
        fail(new Error(`fuzz child exited during start-up (code ${code}): ${this.stderrTail}`)),
      );
    });
    this.baselineRss = rssMb(child.pid as number) ?? 0;
    child.on('message', (progress: BatchProgress) => this.report(progress));
    child.on('exit', (code, signal) => {
      const last = this.stderrTail.trim().split('\n').pop();
      this.child = undefined;
      this.end(
        'crash',
        `the child exited (code ${code}, signal ${signal})${last ? `: ${last}` : ''}`,
      );
    });
    this.child = child;
    return child;
  }

  private report(progress: BatchProgress): void {
    const running = this.running;
    if (!running) return;
    running.through = Math.max(running.through, progress.through);
    running.cpuAtReport = cpuMsOf(running.pid);
    running.wallAtReport = performance.now();
    running.onProgress(progress);
    if (progress.done) running.finish({ ended: 'done' });
  }

  private watch(): void {
    const over = this.running && this.overBudget(this.running);
    if (over) this.kill(over.kind, over.detail);
  }

  /** What the running batch's current case has gone over, if anything. */
  private overBudget(running: Running): { kind: FailureKind; detail: string } | undefined {
    const { timeoutMs, wallTimeoutMs, memoryMb } = this.budget;
    const rss = rssMb(running.pid);
    if (rss !== undefined && rss - this.baselineRss > memoryMb * 2)
      return {
        kind: 'memory',
        detail: `RSS reached ${rss.toFixed(0)} MB (${(rss - this.baselineRss).toFixed(0)} MB over the child's baseline)`,
      };
    const wall = performance.now() - running.wallAtReport;
    if (running.cpuAtReport === undefined)
      return wall > timeoutMs
        ? { kind: 'timeout', detail: `no answer within ${timeoutMs} ms` }
        : undefined;
    const cpu = (cpuMsOf(running.pid) ?? running.cpuAtReport) - running.cpuAtReport;
    if (cpu > timeoutMs) return { kind: 'timeout', detail: `over ${timeoutMs} ms of CPU time` };
    if (wall > wallTimeoutMs)
      return { kind: 'timeout', detail: `no answer within ${wallTimeoutMs} ms of wall-clock time` };
    return undefined;
  }

  private kill(kind: FailureKind, detail: string): void {
    const child = this.child;
    this.child = undefined;
    child?.removeAllListeners('exit');
    child?.kill('SIGKILL');
    this.end(kind, detail);
  }

  /** Ends the running batch with the case after the last reported one blamed. */
  private end(kind: FailureKind, detail: string): void {
    const running = this.running;
    if (!running) return;
    const cpuNow = cpuMsOf(running.pid);
    const cpuMs =
      cpuNow === undefined || running.cpuAtReport === undefined
        ? performance.now() - running.wallAtReport
        : cpuNow - running.cpuAtReport;
    running.finish({ ended: 'killed', through: running.through, kind, detail, cpuMs });
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
