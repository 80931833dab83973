import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticLabelImage } from '../synthetic/index.js';
import { writeVolume } from '../volume/index.js';
import { convertDirectory, planConversion } from './convert-directory.js';
import { convertFiles } from './convert-files.js';
import { writeConvertManifest } from './convert-manifest.js';

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Asserts that two output folders hold the same files with the same bytes. */
function expectSameTree(a: string, b: string): void {
  const files = tree(a);
  expect(tree(b)).toEqual(files);
  for (const f of files)
    expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
}

const OPTIONS = { numPoints: 128 };
const FIELDS = 12;

/** `convertDirectory(input, output, OPTIONS)` in a child process with two worker threads. */
function _convertInChild(input: string, output: string): ChildProcess {
  const module = pathToFileURL(join(import.meta.dirname, 'convert-directory.ts')).href;
  const script = `const { convertDirectory } = await import(${JSON.stringify(module)});
await convertDirectory(${JSON.stringify(input)}, ${JSON.stringify(output)}, { ...${JSON.stringify(OPTIONS)}, workers: 2 });`;
  return spawn(
    process.execPath,
    ['--conditions=@cellshape/source', '--import', 'tsx', '--input-type=module', '-e', script],
    { stdio: 'ignore' },
  );
}

describe('the stages of a conversion, run by separate callers', () => {
  let root: string;
  let input: string;
  let reference: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cellshape-resume-'));
    input = join(root, 'in');
    // 12 fields of view of 10 labelled cells (two of each of the five shape families).
    for (let i = 0; i < FIELDS; i++) {
      const { labels } = syntheticLabelImage({ count: 2, size: 20, seed: 100 + i });
      await writeVolume(
        join(input, `well${i % 2}`, `field${String(i).padStart(2, '0')}.tif`),
        labels,
      );
    }
    reference = join(root, 'reference');
    await convertDirectory(input, reference, { ...OPTIONS, workers: 0 });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives the same outputs when chunks of the plan are converted separately', async () => {
    const out = join(root, 'chunked');
    const plan = planConversion(input, out);
    expect(plan.files).toHaveLength(FIELDS);
    // Three "workers", each with its own chunk, the last one run twice (at-least-once delivery).
    const chunks = [plan.files.slice(0, 5), plan.files.slice(5, 9), plan.files.slice(9)];
    await Promise.all(chunks.map((c) => convertFiles(plan, c, { ...OPTIONS, workers: 0 })));
    const again = await convertFiles(plan, chunks[2]!, { ...OPTIONS, workers: 0 });
    expect(again.every((f) => f.status === 'skipped')).toBe(true);
    const written = await writeConvertManifest(plan, OPTIONS);
    expect(written).toMatchObject({ objects: FIELDS * 10, finished: FIELDS, failed: 0 });
    expectSameTree(reference, out);
  });

  it('lists a file not converted yet in failures.csv, and refuses files outside the plan', async () => {
    const out = join(root, 'partial');
    const plan = planConversion(input, out);
    await convertFiles(plan, plan.files.slice(1), { ...OPTIONS, workers: 0 });
    const written = await writeConvertManifest(plan, OPTIONS);
    expect(written).toMatchObject({ finished: FIELDS - 1, failed: 1 });
    expect(readFileSync(written.failures, 'utf8')).toBe(
      `source,error\n${plan.files[0]},not converted: the run stopped before this file finished (run the conversion again)\n`,
    );
    await expect(convertFiles(plan, ['elsewhere.tif'], OPTIONS)).rejects.toThrow(/'files'/);
  });
});
