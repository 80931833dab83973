import type { BatchMessage, BatchProgress } from './case-result.js';
import { type Case, makeCase, seedsOf } from './cases.js';
import { prototypeFingerprint } from './checks.js';
import { firstLine, runCase, type Verdict } from './oracle.js';
import { targetNamed } from './targets/index.js';

/**
 * The child process that runs cases: batches of consecutive cases it makes itself from the
 * run seed (so no case's bytes cross the IPC pipe), each checked by the oracle (typed errors
 * naming the function, result promises, peak memory, prototypes, zip CRCs). It reports what it
 * finished every ~25 ms; the parent owns the clock and kills this process on a hang or a
 * runaway allocation.
 */

const memoryMb = Number(process.env.CELLSHAPE_FUZZ_MEMORY_MB ?? 512);
const REPORT_EVERY_MS = 25;
// This process makes its cases too, and their garbage (megabyte mutants of zip bombs) would pile
// up until the parent's watchdog (RSS past twice the budget) blamed a case for it: when the
// resident set has grown by half the budget, collect (the child runs with --expose-gc).
const collectAfterMb = memoryMb / 2;
let collectAt = process.memoryUsage.rss() + collectAfterMb * 2 ** 20;
const collect = (globalThis as { gc?: () => void }).gc;

function collectIfGrown(): void {
  if (!collect || process.memoryUsage.rss() <= collectAt) return;
  collect();
  // From what survived: what stays (caches, the reader's modules) never triggers it again.
  collectAt = process.memoryUsage.rss() + collectAfterMb * 2 ** 20;
}
const fingerprint = prototypeFingerprint();
const seedsByTarget = new Map<string, Promise<Uint8Array[]>>();

/** The oracle's verdict plus the runner's own rules: memory growth, prototypes, zip CRCs. */
async function judge(c: Case): Promise<Verdict> {
  const before = process.resourceUsage().maxRSS;
  const verdict = await runCase(c.target, c.bytes);
  if (verdict.outcome === 'failure') return verdict;
  const peakGrowthMb = (process.resourceUsage().maxRSS - before) / 1024;
  // No allocation beyond what the bytes justify: 128 MB of slack, then 4096 bytes per input byte
  // (the largest legitimate decompression ratio, LZW's), and never past the budget.
  const allowedMb = Math.min(memoryMb, 128 + (4096 * c.bytes.length) / 2 ** 20);
  if (peakGrowthMb > allowedMb)
    return {
      outcome: 'failure',
      kind: 'memory',
      detail: `peak RSS grew by ${peakGrowthMb.toFixed(0)} MB for a ${c.bytes.length}-byte input (allowed ${allowedMb.toFixed(0)} MB)`,
    };
  if (prototypeFingerprint() !== fingerprint)
    return {
      outcome: 'failure',
      kind: 'prototype-pollution',
      detail: 'built-in prototypes changed',
    };
  if (c.mustReject && verdict.outcome === 'accepted')
    return {
      outcome: 'failure',
      kind: 'crc-accepted',
      detail: `accepted after ${c.mutators.join(', ')}`,
    };
  return verdict;
}

function emptyProgress(id: number): BatchProgress {
  return {
    id,
    through: -1,
    done: false,
    cases: 0,
    accepted: 0,
    rejected: 0,
    ms: 0,
    cpuMs: 0,
    slowestMs: 0,
    slowestCase: -1,
    failures: [],
  };
}

async function runBatch(message: BatchMessage): Promise<void> {
  const target = targetNamed(message.target);
  if (!seedsByTarget.has(target.name)) seedsByTarget.set(target.name, seedsOf(target));
  const seeds = await (seedsByTarget.get(target.name) as Promise<Uint8Array[]>);
  let progress = emptyProgress(message.id);
  let lastReport = performance.now();
  const end = message.from + message.count;
  for (let i = message.from; i < end; i++) {
    // A case's time includes making it: "30 minutes of fuzzing a reader" is the child's CPU.
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const c = makeCase(target, message.targetIndex, seeds, message.seed, i);
    const verdict = await judge(c);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    progress.through = i;
    progress.cases++;
    progress.ms += ms;
    progress.cpuMs += cpuMs;
    if (cpuMs > progress.slowestMs) {
      progress.slowestMs = cpuMs;
      progress.slowestCase = i;
    }
    if (verdict.outcome === 'accepted') progress.accepted++;
    else if (verdict.outcome === 'rejected') progress.rejected++;
    else
      progress.failures.push({
        caseIndex: i,
        kind: verdict.kind ?? 'crash',
        detail: verdict.detail ?? '',
        cpuMs,
      });
    const now = performance.now();
    if (i === end - 1 || now - lastReport >= REPORT_EVERY_MS) {
      progress.done = i === end - 1;
      process.send?.(progress);
      collectIfGrown();
      progress = emptyProgress(message.id);
      lastReport = now;
    }
  }
}

process.on('message', (message: BatchMessage) => {
  runBatch(message).catch((error) => {
    // The harness itself failed (a target's seeds, a mutator): no case can be judged.
    console.error(`fuzz child: ${firstLine(error)}`);
    process.exit(70);
  });
});
process.send?.({ ready: true });
