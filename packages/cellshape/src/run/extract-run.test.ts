import { join } from 'node:path';
import { IncompatibleError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTinyClouds } from '../test-utils/fixtures.js';
import { extractRun } from './extract-run.js';
import { runPaths } from './run-directory.js';
import { trainRun } from './train-run.js';
import type { TrainRunOptions } from './train-run-options.js';

/** A tiny run of the cloud family with `features` features. */
function tiny(features: number): TrainRunOptions {
  return {
    model: { settings: { numPoints: 32, k: 4, sourcePoints: 16, features } },
    data: { batchSize: 4 },
    pretrain: { epochs: 1, lr: 1e-3 },
    idec: { clusters: 2, kmeansRestarts: 2, epochs: 1 },
    runtime: { backend: 'cpu' },
  };
}

describe('extractRun with a checkpoint from elsewhere', () => {
  const dir = tempDir('extract');

  it('refuses a checkpoint of another architecture, naming the settings that differ', async () => {
    const { points } = await writeTinyClouds(dir, 2);
    const [runA, runB] = [join(dir, 'a'), join(dir, 'b')];
    await trainRun(points, runA, tiny(4));
    await trainRun(points, runB, tiny(6));
    const foreign = runPaths(runB).idecLast;
    const attempt = extractRun(runA, join(dir, 'a.csv'), { checkpoint: foreign });
    await expect(attempt).rejects.toThrow(IncompatibleError);
    await expect(attempt).rejects.toThrow(
      /another architecture.*features: 6 in the checkpoint, 4 in the run/,
    );
    // The run's own checkpoint is fine.
    const own = await extractRun(runA, join(dir, 'a.csv'));
    expect(own.features).toBe(4);
  });
});
