import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertDirectory, planConversion } from './convert-directory.js';
import { convertFiles } from './convert-files.js';
import { writeConvertManifest } from './convert-manifest.js';
import {
  expectSameTree,
  TEST_CONVERT_OPTIONS,
  TEST_FIELDS,
  writeTestFields,
} from './convert-test-fixtures.js';

const OPTIONS = TEST_CONVERT_OPTIONS;
const FIELDS = TEST_FIELDS;

describe('the stages of a conversion, run by separate callers', () => {
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
