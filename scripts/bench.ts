/**
 * `pnpm bench`: runs every `packages/<name>/bench/*.bench.ts` case, each in its own child process
 * (so peak memory is per case), and — when `/usr/bin/python3` with torch and scikit-image and the
 * reference harness (`../shared/reference/bench.py`, or `CELLSHAPE_REFERENCE`) are present — the
 * matching reference measurement in the same run, then prints both timings and their ratio.
 *
 *   pnpm bench                      # table
 *   pnpm bench --json               # one JSON object per line: {bench, ours_ms, reference_ms, ratio, ...}
 *   pnpm bench --only forward_B16,knn_B16
 *   pnpm bench --no-reference       # ours only
 *
 * ratio = reference_ms / ours_ms: above 1 means we are faster.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchCase, BenchSkip, type ReferenceRun } from './bench-types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  json: boolean;
  only: Set<string> | undefined;
  reference: boolean;
  child: string | undefined;
  budget: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    json: false,
    only: undefined,
    reference: true,
    child: undefined,
    budget: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--no-reference') args.reference = false;
    else if (a === '--only') args.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    else if (a === '--child') args.child = argv[++i];
    else if (a === '--budget') args.budget = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: pnpm bench [--json] [--only a,b] [--no-reference] [--budget seconds]');
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${JSON.stringify(a)} (see --help)`);
      process.exit(2);
    }
  }
  return args;
}

function benchFiles(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
  }
  return files.sort();
}

async function loadCases(): Promise<Array<{ file: string; case: BenchCase }>> {
  const out: Array<{ file: string; case: BenchCase }> = [];
  for (const file of benchFiles()) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: BenchCase[] };
    for (const c of mod.default ?? []) out.push({ file, case: c });
  }
  return out;
}

interface OursResult {
  bench: string;
  ours_ms?: number;
  ours_min_ms?: number;
  runs?: number;
  peak_rss_mb?: number;
  skipped?: string;
  error?: string;
  facts?: Record<string, number | string>;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs one case in this process (the child side). */
async function runChild(name: string, budgetOverride: number | undefined): Promise<OursResult> {
  const found = (await loadCases()).find((c) => c.case.bench === name);
  if (!found) return { bench: name, error: 'no such benchmark' };
  const c = found.case;
  try {
    const state = await c.setup();
    if (state === undefined) return { bench: name, skipped: 'setup returned nothing' };
    const min = c.runs?.min ?? 3;
    const max = c.runs?.max ?? 20;
    const budget = (budgetOverride ?? c.runs?.budgetSeconds ?? 20) * 1000;
    let result = await c.run(state); // warm-up
    const times: number[] = [];
    const start = performance.now();
    while (times.length < max && (times.length < min || performance.now() - start < budget)) {
      const t0 = performance.now();
      result = await c.run(state);
      times.push(performance.now() - t0);
    }
    return {
      bench: name,
      ours_ms: median(times),
      ours_min_ms: Math.min(...times),
      runs: times.length,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      facts: c.facts?.(state, result),
    };
  } catch (error) {
    if (error instanceof BenchSkip) return { bench: name, skipped: error.message };
    return { bench: name, error: (error as Error).stack ?? String(error) };
  }
}

function referenceDir(): string | undefined {
  const dir = process.env.CELLSHAPE_REFERENCE ?? resolve(root, '../shared/reference');
  return existsSync(join(dir, 'bench.py')) ? dir : undefined;
}

function referencePython(): string | undefined {
  const python = process.env.CELLSHAPE_PYTHON ?? '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import torch, skimage, sklearn'], { stdio: 'ignore' });
    return python;
  } catch {
    return undefined;
  }
}

const referenceCache = new Map<string, Array<Record<string, unknown>>>();

function runReference(
  python: string,
  dir: string,
  run: ReferenceRun,
): Record<string, unknown> | undefined {
  const key = JSON.stringify([run.script, run.only, run.args]);
  let rows = referenceCache.get(key);
  if (!rows) {
    const argv = run.script
      ? [join(root, run.script), '--reference-dir', dir, '--only', run.only, ...run.args]
      : ['bench.py', '--only', run.only, '--threads', '2', ...run.args];
    const out = spawnSync(python, argv, {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    rows = out.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    referenceCache.set(key, rows);
  }
  return rows.find((r) => (run.select ? run.select(r) : true) && typeof r.median_ms === 'number');
}

function format(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) {
    process.stdout.write(`${JSON.stringify(await runChild(args.child, args.budget))}\n`);
    return;
  }
  const cases = (await loadCases()).filter((c) => !args.only || args.only.has(c.case.bench));
  const dir = args.reference ? referenceDir() : undefined;
  const python = dir ? referencePython() : undefined;
  if (args.reference && !python) {
    console.error(
      'bench: no reference run (needs /usr/bin/python3 with torch + scikit-image and ../shared/reference/bench.py)',
    );
  }
  const rows: Array<OursResult & { reference_ms?: number; ratio?: number; file: string }> = [];
  for (const { file, case: c } of cases) {
    console.error(`bench: ${c.bench} (${relative(root, file)}) ...`);
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@cellshape/source',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        c.bench,
        ...(args.budget ? ['--budget', String(args.budget)] : []),
      ],
      {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    let ours: OursResult;
    try {
      ours = JSON.parse(line) as OursResult;
    } catch {
      ours = { bench: c.bench, error: `child process failed (exit ${child.status})` };
    }
    let reference_ms: number | undefined;
    if (python && dir && c.reference && ours.ours_ms !== undefined) {
      const runs = Array.isArray(c.reference) ? c.reference : [c.reference];
      const found = runs.map((r) => runReference(python, dir, r));
      if (found.every((r) => r !== undefined))
        reference_ms = found.reduce((s, r) => s + (r!.median_ms as number), 0);
    }
    const ratio =
      reference_ms !== undefined && ours.ours_ms ? reference_ms / ours.ours_ms : undefined;
    const row = { ...ours, reference_ms, ratio, file: relative(root, file) };
    rows.push(row);
    if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (args.json) return;
  const header = ['bench', 'ours ms', 'reference ms', 'ratio', 'peak MB', 'notes'];
  const table = rows.map((r) => [
    r.bench,
    format(r.ours_ms),
    format(r.reference_ms),
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.peak_rss_mb === undefined ? '—' : String(r.peak_rss_mb),
    r.skipped
      ? `skipped: ${r.skipped}`
      : r.error
        ? `error: ${r.error.split('\n')[0]}`
        : Object.entries(r.facts ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
  console.log('\nratio = reference_ms / ours_ms (above 1: we are faster)');
}

await main();
