import type { CaseMessage, CaseReply } from './case-result.js';
import { prototypeFingerprint } from './checks.js';
import { firstLine, runCase } from './oracle.js';
import { targetNamed } from './targets/index.js';

/**
 * The child process that runs cases: one at a time, as the parent sends them, each checked by
 * the oracle (typed errors naming the function, result promises, peak memory, prototypes).
 * The parent owns the clock: it kills this process on a hang or a runaway allocation.
 */

const memoryMb = Number(process.env.CELLSHAPE_FUZZ_MEMORY_MB ?? 512);
const fingerprint = prototypeFingerprint();

async function handle(message: CaseMessage): Promise<CaseReply> {
  const target = targetNamed(message.target);
  const before = process.resourceUsage().maxRSS;
  const start = performance.now();
  const verdict = await runCase(target, message.bytes);
  const ms = performance.now() - start;
  const peakGrowthMb = (process.resourceUsage().maxRSS - before) / 1024;
  const reply: CaseReply = { id: message.id, ...verdict, ms, peakGrowthMb };
  // No allocation beyond what the bytes justify: 128 MB of slack, then 4096 bytes per input byte
  // (the largest legitimate decompression ratio, LZW's), and never past the budget.
  const allowedMb = Math.min(memoryMb, 128 + (4096 * message.bytes.length) / 2 ** 20);
  if (reply.outcome !== 'failure' && peakGrowthMb > allowedMb)
    Object.assign(reply, {
      outcome: 'failure',
      kind: 'memory',
      detail: `peak RSS grew by ${peakGrowthMb.toFixed(0)} MB for a ${message.bytes.length}-byte input (allowed ${allowedMb.toFixed(0)} MB)`,
    });
  if (reply.outcome !== 'failure' && prototypeFingerprint() !== fingerprint)
    Object.assign(reply, {
      outcome: 'failure',
      kind: 'prototype-pollution',
      detail: 'built-in prototypes changed',
    });
  return reply;
}

process.on('message', (message: CaseMessage) => {
  handle(message).then(
    (reply) => process.send?.(reply),
    (error) =>
      process.send?.({
        id: message.id,
        outcome: 'failure',
        kind: 'untyped-error',
        detail: `harness: ${firstLine(error)}`,
        ms: 0,
        peakGrowthMb: 0,
      }),
  );
});
process.send?.({ ready: true });
