import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '@cellshape/core';
import { convertDirectory } from '@cellshape/helper';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import type { RunBaseline } from './baseline.js';
import { runPaths } from './run-directory.js';
import { trainRun } from './train-run.js';

/**
 * Six balls of physical radius `r` in a row, in a stack with z spacing 2 (so each is an
 * ellipsoid squashed 2× in z in voxels): one label image of 6 objects.
 */
function balls(r: number): { data: Uint8Array; shape: [number, number, number] } {
  const step = 2 * r + 4;
  const shape: [number, number, number] = [r + 4, step, 6 * step];
  const [nz, ny, nx] = shape;
  const data = new Uint8Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const cx = (Math.floor(x / step) + 0.5) * step;
        const d2 = (2 * (z - nz / 2)) ** 2 + (y - ny / 2) ** 2 + (x - cx) ** 2;
        if (d2 <= r * r) data[(z * ny + y) * nx + x] = 1;
      }
  return { data, shape };
}

describe('a run compares its learned features with classical measures', () => {
  const dir = tempDir('baseline-run');

  it('finds that only the classical measures (in µm) tell balls of two sizes apart', async () => {
    // Two families of the same shape, one twice the size: unit-sphere clouds hide the size from
    // the model, the classical measures (in physical units) show it.
    writeFileSync(join(dir, 'small.npy'), encodeNpy(balls(4)));
    writeFileSync(join(dir, 'large.npy'), encodeNpy(balls(8)));
    const out = join(dir, 'converted');
    await convertDirectory(dir, out, { numPoints: 64, workers: 0, spacing: [2, 1, 1] });
    const ids = [1, 2, 3, 4, 5, 6].flatMap((i) => [`small_${i}`, `large_${i}`]);
    writeFileSync(
      join(dir, 'cells.csv'),
      `id,Size\n${ids.map((id) => `${id},${id.split('_')[0]}`).join('\n')}\n`,
    );
    const { summary, runDir } = await trainRun(join(out, 'points'), join(dir, 'run'), {
      model: {
        settings: { numPoints: 32, k: 4, sourcePoints: 16, features: 4, normalise: 'unitSphere' },
      },
      data: { batchSize: 4, metadata: join(dir, 'cells.csv'), idColumn: 'id' },
      pretrain: { epochs: 1, lr: 1e-3 },
      idec: { clusters: 2, kmeansRestarts: 2, epochs: 1 },
      runtime: { backend: 'cpu' },
    });
    const baseline = summary.baseline as RunBaseline;
    expect(baseline.cells).toBe(12);
    expect(baseline.classical).toMatchObject({
      source: 'manifest',
      spacing: [2, 1, 1],
      spacingFrom: 'option',
      missing: 0,
    });
    const [size] = baseline.columns;
    expect(size!.column).toBe('Size');
    expect(size!.scores.classical!.nearestNeighbour).toBe(1);
    expect(size!.scores.classical!.nearestNeighbour).toBeGreaterThan(
      size!.scores.learned!.nearestNeighbour,
    );
    // Both together keeps the classical measures' answer.
    expect(size!.scores.both!.nearestNeighbour).toBeGreaterThanOrEqual(0.9);
    expect(size!.verdict).toMatch(/^On this data, /);
    expect(size!.verdict).toMatch(/Only 12 cells: a rough guide/);
    // summary.json holds it, classical.csv the raw measures.
    const paths = runPaths(runDir);
    expect(JSON.parse(readFileSync(paths.summary, 'utf8')).baseline).toEqual(
      JSON.parse(JSON.stringify(baseline)),
    );
    const classical = readFileSync(paths.classical, 'utf8').trim().split('\n');
    expect(classical[0]).toMatch(/^id,volume,sphericity,/);
    expect(classical).toHaveLength(13);
  });
});
