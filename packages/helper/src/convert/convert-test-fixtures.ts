import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { syntheticLabelImage } from '../synthetic/index.js';
import { writeVolume } from '../volume/index.js';

// What the conversion tests share: a folder of label images and folder comparisons.

/** Options every conversion of these tests uses. */
export const TEST_CONVERT_OPTIONS = { numPoints: 128 };

/** Label images written by {@link writeTestFields}. */
export const TEST_FIELDS = 12;

/** 12 fields of view of 10 labelled cells (two of each of the five shape families) in two wells. */
export async function writeTestFields(input: string): Promise<void> {
  for (let i = 0; i < TEST_FIELDS; i++) {
    const { labels } = syntheticLabelImage({ count: 2, size: 20, seed: 100 + i });
    await writeVolume(
      join(input, `well${i % 2}`, `field${String(i).padStart(2, '0')}.tif`),
      labels,
    );
  }
}

/** Every file under `dir`, relative, sorted. */
export function tree(dir: string): string[] {
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
export function expectSameTree(a: string, b: string): void {
  const files = tree(a);
  expect(tree(b)).toEqual(files);
  for (const f of files)
    expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
}
