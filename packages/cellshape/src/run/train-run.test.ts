import { join } from 'node:path';
import { FileSystemError, InvalidArgumentError, UnsupportedError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo/run-demo.js';
import { tempDir } from '../test-utils/fixtures.js';
import { extractRun } from './extract-run.js';
import { modelPlugin } from './models.js';
import { RUN_LAYOUT, runPaths } from './run-directory.js';
import { emptyClustersNote, trainRun } from './train-run.js';

describe('invalid input of the run functions', () => {
  const dir = tempDir('invalid');

  it('trainRun rejects bad arguments before any work', async () => {
    await expect(trainRun('', dir)).rejects.toThrow("trainRun: 'points' must be a folder path");
    await expect(trainRun(dir, dir, { epochs: -1 })).rejects.toThrow(
      "trainRun: 'options.epochs' must be an integer ≥ 0",
    );
    await expect(trainRun(dir, dir, { lr: 0 })).rejects.toThrow(
      "'options.lr' must be a positive number",
    );
    await expect(trainRun(dir, dir, { lrDecay: 2 })).rejects.toThrow(
      "'options.lrDecay' must be a number in (0, 1]",
    );
    await expect(trainRun(dir, dir, { clusters: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(trainRun(dir, dir, { kRange: [2, 3] })).rejects.toThrow(/options\.kRange/);
    await expect(trainRun(dir, dir, { model: 'voxel' })).rejects.toThrow(UnsupportedError);
    await expect(trainRun(dir, dir, { init: '' })).rejects.toThrow(
      "trainRun: 'options.init' must be a checkpoint path",
    );
    await expect(trainRun(dir, dir, { idecBatchNorm: 'frozen' as never })).rejects.toThrow(
      "trainRun: 'options.idecBatchNorm' must be 'train' or 'eval'",
    );
    await expect(trainRun(dir, dir, { centreLrScale: -1 })).rejects.toThrow(
      "trainRun: 'options.centreLrScale' must be a number ≥ 0",
    );
  });

  it('notes clusters that IDEC left empty', () => {
    expect(emptyClustersNote([3, 5])).toBeUndefined();
    expect(emptyClustersNote([50, 0, 0, 0, 0])).toBe(
      'IDEC left 4 of 5 clusters empty (sizes 50, 0, 0, 0, 0): the features collapsed onto fewer clusters; a lower --idec-lr, --idec-batch-norm eval or a longer pretraining usually helps',
    );
  });

  it('modelPlugin gives the cloud model and refuses voxel in this version', () => {
    expect(modelPlugin('cloud').kind).toBe('cloud');
    expect(() => modelPlugin('voxel')).toThrow(/model 'voxel' is not available in this version/);
  });

  it('extractRun needs a trained run', async () => {
    await expect(extractRun(dir, '')).rejects.toThrow("extractRun: 'output' must be a file path");
    await expect(extractRun(join(dir, 'none'), join(dir, 'x.csv'))).rejects.toThrow(
      FileSystemError,
    );
  });

  it('runPaths lays out the run directory', () => {
    const paths = runPaths(dir);
    expect(paths.pretrainLast).toBe(join(dir, RUN_LAYOUT.pretrainDir, 'last.ckpt'));
    expect(paths.idecLog).toBe(join(dir, 'idec', 'log.jsonl'));
    expect(paths.assignments).toBe(join(dir, 'assignments.csv'));
    expect(() => runPaths('')).toThrow("runPaths: 'root' must be a folder path");
  });

  it('runDemo rejects a non-object', async () => {
    await expect(runDemo(null as never)).rejects.toThrow("runDemo: 'options' must be an object");
  });
});
