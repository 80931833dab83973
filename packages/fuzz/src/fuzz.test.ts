import { FormatError, Rng } from '@cellshape/core';
import { describe, expect, it, vi } from 'vitest';
import { makeCase, seedsOf } from './cases.js';
import { GENERIC_MUTATORS } from './mutate.js';
import { runCase } from './oracle.js';
import { runFuzz } from './runner.js';
import { type FuzzTarget, SELF_TEST_TARGETS, TARGETS } from './targets/index.js';

// The CI run of the fuzz suite (issue 17): a few thousand seeded mutants over every reader of
// outside bytes, each in a child process under a time and memory budget. Any failure names the
// saved input and the command that reproduces it. The long mode is `pnpm fuzz --minutes N`.

const SEED = 20261206;

function describeFailures(report: Awaited<ReturnType<typeof runFuzz>>): string[] {
  return report.failures.map(
    (f) =>
      `${f.target} ${f.kind} case ${f.caseIndex} [${f.mutators.join(', ')}]: ${f.detail} ${f.file ?? ''}`,
  );
}

describe('fuzz: every reader survives seeded mutants', () => {
  it('typed errors only, no hang, no memory blow-up, no accepted CRC mismatch, promises kept', async () => {
    const fast = TARGETS.filter((t) => t.name !== 'cloud');
    // 15 s per case rather than the long mode's 5 s: CI runners share their cores, and a hang
    // (what the budget catches) runs for minutes.
    const budget = { seed: SEED, timeoutMs: 15_000 };
    const report = await runFuzz({ targets: fast, casesPerTarget: 220, ...budget });
    const cloud = await runFuzz({
      targets: TARGETS.filter((t) => t.name === 'cloud'),
      casesPerTarget: 12,
      ...budget,
    });
    expect([...describeFailures(report), ...describeFailures(cloud)]).toEqual([]);
    for (const [name, stats] of Object.entries(report.stats)) {
      expect(stats.cases, name).toBe(220);
      // Mutants must reach both outcomes: some still parse, most are refused.
      expect(stats.rejected, name).toBeGreaterThan(0);
      expect(stats.accepted, name).toBeGreaterThan(0);
    }
    expect(cloud.stats.cloud!.cases).toBe(12);
  });
});

describe('fuzz harness', () => {
  const [hang, wait, busy, allocate, someFail, retain, acceptZip] =
    SELF_TEST_TARGETS as FuzzTarget[] as [
      FuzzTarget,
      FuzzTarget,
      FuzzTarget,
      FuzzTarget,
      FuzzTarget,
      FuzzTarget,
      FuzzTarget,
    ];

  it('makes the same case from the same seed, and different cases from different indices', async () => {
    const tiff = TARGETS.find((t) => t.name === 'tiff')!;
    const seeds = await seedsOf(tiff);
    const a = makeCase(tiff, 0, seeds, 5, 17);
    const b = makeCase(tiff, 0, seeds, 5, 17);
    const c = makeCase(tiff, 0, seeds, 5, 18);
    expect(a.bytes).toEqual(b.bytes);
    expect(a.mutators).toEqual(b.mutators);
    expect(a.bytes).not.toEqual(c.bytes);
    // About one case in eight splices in a run of another seed.
    const crossed = Array.from({ length: 400 }, (_, i) => makeCase(tiff, 0, seeds, 5, i)).filter(
      (x) => x.mutators.at(-1) === 'crossover',
    );
    expect(crossed.length).toBeGreaterThan(25);
    expect(crossed.length).toBeLessThan(80);
  });

  it("makes the same seeds whatever the clock: the parent remakes a child's failing case", async () => {
    const fast = TARGETS.filter((t) => t.name !== 'cloud');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
      const before = await Promise.all(fast.map(seedsOf));
      vi.setSystemTime(new Date('2031-07-15T17:33:21Z'));
      const after = await Promise.all(fast.map(seedsOf));
      for (const [i, t] of fast.entries()) expect(after[i], t.name).toEqual(before[i]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('every generic mutator changes its input', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i % 10) + 0x30);
    for (const m of GENERIC_MUTATORS) {
      expect(m.mutate(bytes, new Rng(3)), m.name).not.toEqual(bytes);
    }
  });

  it('the oracle tells typed, untyped and unnamed errors and broken promises apart', async () => {
    const target = (
      run: () => unknown,
      check: () => string | undefined = () => undefined,
    ): FuzzTarget => ({
      name: 't',
      fns: ['readThing'],
      seeds: async () => [],
      mutators: [],
      run: async () => run(),
      check,
    });
    const typed = target(() => {
      throw new FormatError('readThing: bad');
    });
    expect(await runCase(typed, new Uint8Array())).toEqual({ outcome: 'rejected' });
    const unnamed = target(() => {
      throw new FormatError('bad');
    });
    expect((await runCase(unnamed, new Uint8Array())).kind).toBe('unnamed-error');
    const untyped = target(() => (null as unknown as { x: number }).x);
    expect((await runCase(untyped, new Uint8Array())).kind).toBe('untyped-error');
    const broken = target(
      () => 1,
      () => 'data[0] is Infinity',
    );
    expect(await runCase(broken, new Uint8Array())).toEqual({
      outcome: 'failure',
      kind: 'bad-result',
      detail: 'data[0] is Infinity',
    });
  });

  it('kills a hang, stops a huge allocation and flags an accepted corrupt zip member', async () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/cellshape-fuzz-self-test`;
    const report = await runFuzz({
      targets: [hang, allocate, acceptZip],
      casesPerTarget: 1,
      timeoutMs: 1500,
      memoryMb: 256,
      failuresDir: dir,
    });
    const kinds = (name: string): string[] =>
      report.failures.filter((f) => f.target === name).map((f) => f.kind);
    expect(kinds('self-test-hang')).toEqual(['timeout']);
    expect(kinds('self-test-allocate')).toEqual(['memory']);
    expect(kinds('self-test-accept-zip')).toEqual(['crc-accepted']);
    expect(report.failures.every((f) => f.file?.startsWith(dir))).toBe(true);
  });

  it('in a batch, blames exactly the cases that hung or killed the child, and runs the rest', async () => {
    const dir = `${process.env.TMPDIR ?? '/tmp'}/cellshape-fuzz-self-test`;
    const cases = 160;
    const seeds = await seedsOf(someFail);
    const expected: [number, string][] = [];
    for (let i = 0; i < cases; i++) {
      const byte = makeCase(someFail, 0, seeds, SEED, i).bytes[0]!;
      if (byte < 8) expected.push([i, 'crash']);
      if (byte >= 252) expected.push([i, 'timeout']);
    }
    // The seed gives both kinds: hangs the watchdog kills and children that die.
    expect(new Set(expected.map(([, kind]) => kind))).toEqual(new Set(['crash', 'timeout']));
    const report = await runFuzz({
      targets: [someFail],
      casesPerTarget: cases,
      seed: SEED,
      timeoutMs: 300,
      workers: 2,
      failuresDir: dir,
    });
    const blamed = report.failures
      .map((f): [number, string] => [f.caseIndex, f.kind])
      .sort((a, b) => a[0] - b[0]);
    expect(blamed).toEqual(expected);
    const stats = report.stats['self-test-some-fail']!;
    expect(stats.cases).toBe(cases);
    expect(stats.accepted).toBe(cases - expected.length);
    expect(stats.failures).toBe(expected.length);
  });

  it.runIf(process.platform === 'linux')(
    'replaces a child whose memory grew between batches instead of blaming a case',
    async () => {
      // 8 MB kept per case, ~12 cases per batch: 96 MB a batch, a budget of 64 MB (the watchdog
      // kills at 128 MB over the child's start). 40 cases reach 320 MB in one child.
      const report = await runFuzz({ targets: [retain], casesPerTarget: 40, memoryMb: 64 });
      expect(report.failures).toEqual([]);
      expect(report.stats['self-test-retain']!.cases).toBe(40);
    },
  );

  // The CPU clock comes from Linux's /proc; elsewhere the budgets are wall-clock time.
  it.runIf(process.platform === 'linux')(
    'budgets CPU time: a waiting child meets the wall-clock backstop, a busy one its CPU share',
    async () => {
      const dir = `${process.env.TMPDIR ?? '/tmp'}/cellshape-fuzz-self-test`;
      const waited = await runFuzz({
        targets: [wait],
        casesPerTarget: 1,
        timeoutMs: 500,
        wallTimeoutMs: 1500,
        failuresDir: dir,
      });
      expect(waited.failures.map((f) => [f.kind, f.detail])).toEqual([
        ['timeout', 'no answer within 1500 ms of wall-clock time'],
      ]);
      // 0.005 CPU-minutes = 300 ms: three or four cases of 100 ms, each measured near 100 ms.
      const report = await runFuzz({ targets: [busy], cpuMinutesPerTarget: 0.005 });
      const stats = report.stats['self-test-busy']!;
      expect(report.failures).toEqual([]);
      expect(stats.cpuMs).toBeGreaterThanOrEqual(300);
      expect(stats.cases).toBeGreaterThanOrEqual(3);
      expect(stats.cases).toBeLessThanOrEqual(4);
      expect(stats.cpuMs / stats.cases).toBeGreaterThan(80);
    },
  );
});
