import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, writeFileAtomic } from '@cellshape/core';
import { writePointCloud } from '@cellshape/helper';
import { afterAll } from 'vitest';
import { captureIo } from '../cli/io.js';
import { run } from '../cli/run.js';

/** A temporary folder removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cellshape-${prefix}-`));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writes `perShape` clouds of each of two shapes — round blobs and long rods — as `.ply` files
 * (`points/<shape>_<i>.ply`, 64 points each, in voxel-like units) and a metadata CSV with a
 * Treatment column. Returns the folder and the CSV path.
 */
export async function writeTinyClouds(
  dir: string,
  perShape = 4,
): Promise<{ points: string; metadata: string }> {
  const rng = createRng(7);
  const points = join(dir, 'points');
  const rows = ['serialNumber,Treatment'];
  for (const [shape, axes] of [
    ['round', [8, 8, 8]],
    ['rod', [20, 4, 4]],
  ] as const) {
    for (let i = 0; i < perShape; i++) {
      const data = new Float32Array(64 * 3);
      for (let p = 0; p < 64; p++) {
        // A random direction scaled to the ellipsoid surface.
        const v = [rng.normal(), rng.normal(), rng.normal()];
        const norm = Math.hypot(v[0]!, v[1]!, v[2]!) || 1;
        for (let a = 0; a < 3; a++) data[p * 3 + a] = 50 + (axes[a]! * v[a]!) / norm;
      }
      await writePointCloud(join(points, `${shape}_${i}.ply`), { data, shape: [64, 3] });
      rows.push(`${shape}_${i},${i % 2 === 0 ? 'DMSO' : 'Drug'}`);
    }
  }
  const metadata = join(dir, 'cells.csv');
  await writeFileAtomic(metadata, `${rows.join('\n')}\n`);
  return { points, metadata };
}

/** Flags of a tiny, fast model for tests. */
export const TINY_MODEL = [
  '--num-points',
  '32',
  '--k',
  '4',
  '--features',
  '4',
  '--source-points',
  '16',
  '--batch-size',
  '4',
  '--lr',
  '1e-3',
  '--clusters',
  '2',
  '--kmeans-restarts',
  '2',
];

/** Runs the command line in-process and returns the exit code and what it wrote. */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}
