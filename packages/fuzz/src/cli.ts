import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runCase } from './oracle.js';
import { type FuzzReport, runFuzz } from './runner.js';
import { TARGETS, targetNamed } from './targets/index.js';

/**
 * `pnpm fuzz`: the long fuzz run, or the reproduction of one saved failure.
 *
 *   pnpm fuzz --minutes 30                      # all readers, round-robin, until the time is up
 *   pnpm fuzz --minutes 10 --reader tiff,npz    # some readers
 *   pnpm fuzz --cases 500 --seed 7              # a fixed number of cases per reader
 *   pnpm fuzz --per-reader-minutes 30           # each reader until its cases used 30 CPU-minutes
 *   pnpm fuzz --minutes 60 --timeout 15         # a longer per-case budget (s)
 *   pnpm fuzz --minutes 30 --workers 1          # one child process (default: one per core)
 *   pnpm fuzz --reproduce packages/fuzz/failures/tiff/untyped-error-seed1-case42.bin --reader tiff
 *   pnpm fuzz --list                            # the reader names
 *
 * Per case: `--timeout` seconds of the child's CPU time (default 5; Linux, else wall clock),
 * `--wall-timeout` seconds of wall clock (default 12 × the timeout) and `--memory` MB of RSS
 * growth (default 512). Times are CPU time so that a long run may share the machine (`nice`).
 */

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function table(report: FuzzReport): string {
  const rows = Object.entries(report.stats).map(([name, s]) => {
    const rate = s.cpuMs > 0 ? (s.cases / (s.cpuMs / 1000)).toFixed(0) : '-';
    const cpuMinutes = (s.cpuMs / 60_000).toFixed(1);
    return `${name.padEnd(14)} ${String(s.cases).padStart(8)} ${String(s.accepted).padStart(8)} ${String(s.rejected).padStart(8)} ${String(s.failures).padStart(8)} ${cpuMinutes.padStart(8)} ${rate.padStart(9)} ${s.slowestMs.toFixed(0).padStart(7)} ms (case ${s.slowestCase})`;
  });
  return [
    `${'reader'.padEnd(14)} ${'cases'.padStart(8)} ${'accepted'.padStart(8)} ${'rejected'.padStart(8)} ${'failures'.padStart(8)} ${'CPU min'.padStart(8)} ${'cases/s'.padStart(9)} ${'slowest'.padStart(10)}`,
    ...rows,
  ].join('\n');
}

async function reproduce(file: string, reader: string): Promise<void> {
  const target = targetNamed(reader);
  const bytes = new Uint8Array(readFileSync(file));
  const start = performance.now();
  try {
    const result = await target.run(bytes);
    console.log(
      `accepted in ${(performance.now() - start).toFixed(1)} ms; check: ${target.check(result) ?? 'ok'}`,
    );
    target.dispose?.(result);
  } catch (error) {
    console.log(`threw in ${(performance.now() - start).toFixed(1)} ms:`);
    console.log(error);
  }
  const verdict = await runCase(target, bytes);
  console.log('oracle:', verdict);
}

async function main(): Promise<void> {
  if (process.argv.includes('--list')) {
    console.log(TARGETS.map((t) => t.name).join('\n'));
    return;
  }
  const readers = option('reader')?.split(',');
  const file = option('reproduce');
  if (file) return reproduce(file, readers?.[0] ?? 'tiff');
  const minutes = option('minutes');
  const cases = option('cases');
  const perReader = option('per-reader-minutes');
  const targets = readers ? readers.map(targetNamed) : TARGETS;
  const report = await runFuzz({
    targets,
    ...(minutes !== undefined ? { minutes: Number(minutes) } : {}),
    ...(cases !== undefined ? { casesPerTarget: Number(cases) } : {}),
    ...(perReader !== undefined ? { cpuMinutesPerTarget: Number(perReader) } : {}),
    ...(minutes === undefined && cases === undefined && perReader === undefined
      ? { minutes: 1 }
      : {}),
    seed: Number(option('seed') ?? Date.now() % 2 ** 31),
    workers: Number(option('workers') ?? availableParallelism()),
    ...(option('timeout') !== undefined ? { timeoutMs: Number(option('timeout')) * 1000 } : {}),
    ...(option('wall-timeout') !== undefined
      ? { wallTimeoutMs: Number(option('wall-timeout')) * 1000 }
      : {}),
    ...(option('memory') !== undefined ? { memoryMb: Number(option('memory')) } : {}),
    onProgress: (r) =>
      console.log(
        `${(r.elapsedMs / 1000).toFixed(0)} s, ${r.failures.length} failures\n${table(r)}\n`,
      ),
  });
  console.log(table(report));
  console.log(`\n${report.failures.length} failures in ${(report.elapsedMs / 1000).toFixed(1)} s`);
  for (const f of report.failures)
    console.log(
      `${f.target} ${f.kind} case ${f.caseIndex} [${f.mutators.join(', ')}]: ${f.detail}${f.file ? `\n  saved: ${f.file}` : ''}`,
    );
  if (report.failures.length > 0) process.exitCode = 1;
}

await main();
