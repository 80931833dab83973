/**
 * Runs one measured scale step in a child process (see scale-child.ts) and keeps its numbers
 * per size, so the larger sizes print how throughput and peak memory changed per object.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaleRoot, scaleSizes } from './scale-data.js';

/** What a child reports. */
export interface ScaleMeasure {
  seconds: number;
  objects: number;
  peakRssMb: number;
  /** CPU seconds of the child (all threads), when it reports them. */
  cpuSeconds?: number;
}

/**
 * A case's `run` that measures in a child process and skips the harness's warm-up call: a
 * fresh process has nothing to warm up, and a second 65,000-object pass would only double a
 * case of many minutes. The warm-up call returns `undefined` at once.
 */
export function childRun<State>(measure: (state: State) => ScaleMeasure) {
  let calls = 0;
  return (state: State): ScaleMeasure | undefined => (calls++ === 0 ? undefined : measure(state));
}

/** Runs `script args…` with the workspace's TypeScript sources and parses its last JSON line. */
export function runScaleChild(script: string, args: string[]): ScaleMeasure {
  const child = spawnSync(
    process.execPath,
    ['--conditions=@cellshape/source', '--import', 'tsx', script, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  );
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{'))
    throw new Error(`${script} ${args.join(' ')} failed (exit ${child.status}): ${last}`);
  return JSON.parse(last) as ScaleMeasure;
}

/**
 * Facts of a measure: objects per second and peak RSS, and — when the smallest size of the
 * same step was measured on this machine — both as ratios to it (1 = flat per object).
 */
export function scaleFacts(step: string, size: number, m: ScaleMeasure): Record<string, number> {
  const dir = scaleRoot();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `result-${step}-${size}.json`), `${JSON.stringify(m)}\n`);
  const rate = m.objects / m.seconds;
  const facts: Record<string, number> = {
    objects: m.objects,
    seconds: Math.round(m.seconds * 10) / 10,
    objects_per_s: Math.round(rate * 10) / 10,
    peak_rss_mb: Math.round(m.peakRssMb),
  };
  if (m.cpuSeconds !== undefined) {
    facts.cpu_s = Math.round(m.cpuSeconds);
    facts.objects_per_cpu_s = Math.round((m.objects / m.cpuSeconds) * 10) / 10;
  }
  const smallest = Math.min(...scaleSizes());
  const base = join(dir, `result-${step}-${smallest}.json`);
  if (size !== smallest && existsSync(base)) {
    const b = JSON.parse(readFileSync(base, 'utf8')) as ScaleMeasure;
    facts[`objects_per_s_vs_${smallest}`] =
      Math.round((rate / (b.objects / b.seconds)) * 100) / 100;
    facts[`peak_rss_vs_${smallest}`] = Math.round((m.peakRssMb / b.peakRssMb) * 100) / 100;
  }
  return facts;
}
