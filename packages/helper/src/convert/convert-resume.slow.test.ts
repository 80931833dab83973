import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertDirectory } from './convert-directory.js';
import {
  expectSameTree,
  TEST_CONVERT_OPTIONS,
  TEST_FIELDS,
  tree,
  writeTestFields,
} from './convert-test-fixtures.js';

const OPTIONS = TEST_CONVERT_OPTIONS;
const FIELDS = TEST_FIELDS;

/** `convertDirectory(input, output, OPTIONS)` in a child process with two worker threads. */
function convertInChild(input: string, output: string): ChildProcess {
  const module = pathToFileURL(join(import.meta.dirname, 'convert-directory.ts')).href;
  const script = `const { convertDirectory } = await import(${JSON.stringify(module)});
await convertDirectory(${JSON.stringify(input)}, ${JSON.stringify(output)}, { ...${JSON.stringify(OPTIONS)}, workers: 2 });`;
  return spawn(
    process.execPath,
    ['--conditions=@cellshape/source', '--import', 'tsx', '--input-type=module', '-e', script],
    { stdio: 'ignore' },
  );
}

describe('a conversion killed with SIGKILL and resumed', () => {
  let root: string;
  let input: string;
  let reference: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cellshape-resume-'));
    input = join(root, 'in');
    await writeTestFields(input);
    reference = join(root, 'reference');
    await convertDirectory(input, reference, { ...OPTIONS, workers: 0 });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps every finished file and, resumed, gives the uninterrupted outputs file for file', async () => {
    const out = join(root, 'killed');
    const child = convertInChild(input, out);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Kill once some files are finished and others are in flight.
    const records = join(out, 'records');
    while (tree(records).filter((f) => f.endsWith('.tif.json')).length < 3) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const finished = tree(records).filter((f) => f.endsWith('.tif.json'));
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(FIELDS);
    // Every file the killed run finished is whole, byte for byte.
    for (const record of finished) {
      const rows = JSON.parse(readFileSync(join(records, record), 'utf8')).rows as Array<{
        mesh: string;
        points: string;
      }>;
      for (const row of rows)
        for (const f of [row.mesh, row.points])
          expect(readFileSync(join(out, f)).equals(readFileSync(join(reference, f))), f).toBe(true);
    }
    expect(existsSync(join(out, 'manifest.csv'))).toBe(false);

    const resumed = await convertDirectory(input, out, { ...OPTIONS, workers: 2 });
    expect(resumed.skipped).toBe(finished.length);
    expect(resumed.converted).toBe(FIELDS - finished.length);
    expectSameTree(reference, out);
  });
});
