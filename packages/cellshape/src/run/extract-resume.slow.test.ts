import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTinyClouds } from '../test-utils/fixtures.js';
import { extractPartsDir } from './extract-job.js';
import { extractRun } from './extract-run.js';
import { trainRun } from './train-run.js';

const OPTIONS = { chunkSize: 4, batchSize: 4 };

describe('an extraction killed with SIGKILL and resumed', () => {
  const dir = tempDir('extract-kill');
  const run = join(dir, 'run');
  let reference: string;

  beforeAll(async () => {
    const { points } = await writeTinyClouds(dir, 24);
    await trainRun(points, run, {
      model: { settings: { numPoints: 32, k: 4, sourcePoints: 16, features: 4 } },
      data: { batchSize: 4 },
      // Initial weights and k-means centres: training does not change how extraction resumes.
      pretrain: { epochs: 0 },
      idec: { clusters: 2, kmeansRestarts: 2, epochs: 0 },
      runtime: { backend: 'cpu' },
    });
    reference = join(dir, 'reference.csv');
    await extractRun(run, reference, { ...OPTIONS, backend: 'cpu' });
  }, 600_000);

  it('keeps its finished parts and, resumed, writes the uninterrupted CSV byte for byte', async () => {
    const out = join(dir, 'killed.csv');
    const module = pathToFileURL(join(import.meta.dirname, 'extract-run.ts')).href;
    const script = `const { extractRun } = await import(${JSON.stringify(module)});
await extractRun(${JSON.stringify(run)}, ${JSON.stringify(out)}, { ...${JSON.stringify(OPTIONS)}, backend: 'cpu' });`;
    const child = spawn(
      process.execPath,
      ['--conditions=@cellshape/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const parts = extractPartsDir(out);
    const written = () =>
      existsSync(parts) ? readdirSync(parts).filter((f) => /^part-\d+\.csv$/.test(f)).length : 0;
    while (written() < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const kept = written();
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(12);
    expect(existsSync(out)).toBe(false);

    const resumed = await extractRun(run, out, { ...OPTIONS, backend: 'cpu' });
    expect(resumed.resumedChunks).toBe(kept);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    expect(existsSync(parts)).toBe(false);
  }, 600_000);
});
