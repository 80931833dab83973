import { join } from 'node:path';
import {
  DEFAULT_CLOUD_AUTOENCODER_OPTIONS,
  DEFAULT_POINT_CLOUD_DATASET_OPTIONS,
  DEFAULT_TRAIN_AUTOENCODER_OPTIONS,
} from '@cellshape/cloud';
import { DEFAULT_TRAIN_IDEC_OPTIONS } from '@cellshape/cluster';
import { FileSystemError, InvalidArgumentError, UnsupportedError } from '@cellshape/core';
import { DEFAULT_ADAM_OPTIONS } from '@cellshape/engine';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo/run-demo.js';
import { tempDir } from '../test-utils/fixtures.js';
import { extractRun } from './extract-run.js';
import { modelPlugin } from './model-registry.js';
import { RUN_LAYOUT, runPaths } from './run-directory.js';
import { emptyClustersNote, trainRun } from './train-run.js';
import { idecLearningRate, resolveTrainRunOptions } from './train-run-options.js';

describe('invalid input of the run functions', () => {
  const dir = tempDir('invalid');

  it('trainRun rejects bad arguments before any work, naming the grouped option', async () => {
    await expect(trainRun('', dir)).rejects.toThrow("trainRun: 'input' must be a non-empty string");
    await expect(trainRun(dir, dir, { pretrain: { epochs: -1 } })).rejects.toThrow(
      "trainRun: 'options.pretrain.epochs' must be an integer ≥ 0, got -1",
    );
    await expect(trainRun(dir, dir, { pretrain: { lr: 0 } })).rejects.toThrow(
      "'options.pretrain.lr' must be a finite number > 0",
    );
    await expect(trainRun(dir, dir, { pretrain: { lrDecay: 2 } })).rejects.toThrow(
      "'options.pretrain.lrDecay' must be a finite number in (0, 1]",
    );
    await expect(trainRun(dir, dir, { idec: { clusters: 0 } })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(trainRun(dir, dir, { idec: { kRange: [2, 3] } })).rejects.toThrow(
      /options\.idec\.kRange/,
    );
    await expect(trainRun(dir, dir, { model: { family: 'resnet2d' } })).rejects.toThrow(
      UnsupportedError,
    );
    await expect(trainRun(dir, dir, { model: { init: '' } })).rejects.toThrow(
      "trainRun: 'options.model.init' must be a non-empty string",
    );
    await expect(trainRun(dir, dir, { idec: { batchNorm: 'frozen' as never } })).rejects.toThrow(
      "trainRun: 'options.idec.batchNorm' must be 'train' or 'eval'",
    );
    await expect(trainRun(dir, dir, { idec: { centreLrScale: -1 } })).rejects.toThrow(
      "trainRun: 'options.idec.centreLrScale' must be a finite number ≥ 0",
    );
    await expect(trainRun(dir, dir, { model: { settings: { features: 1 } } })).rejects.toThrow(
      "cloudModel.resolveSettings: 'features' must be an integer in [2, 1024], got 1",
    );
    await expect(trainRun(dir, dir, { epochs: 3 } as never)).rejects.toThrow(
      "trainRun: unknown option group 'epochs'",
    );
    await expect(trainRun(dir, dir, { pretrain: 3 } as never)).rejects.toThrow(
      "trainRun: 'options.pretrain' must be an object",
    );
  });

  it('resolves every default from the packages that own it; undefined keeps a default', () => {
    const { plugin, options } = resolveTrainRunOptions({
      pretrain: { epochs: undefined, lr: 1e-3 },
      model: { settings: { k: undefined, features: 16 } },
    });
    expect(plugin.name).toBe('cloud');
    expect(options.pretrain).toEqual({
      epochs: DEFAULT_TRAIN_AUTOENCODER_OPTIONS.epochs,
      lr: 1e-3,
      weightDecay: DEFAULT_ADAM_OPTIONS.weightDecay,
      lrDecay: 1,
    });
    expect(options.model.settings).toMatchObject({
      features: 16,
      k: DEFAULT_CLOUD_AUTOENCODER_OPTIONS.k,
      numPoints: DEFAULT_POINT_CLOUD_DATASET_OPTIONS.numPoints,
    });
    expect(options.idec.gamma).toBe(DEFAULT_TRAIN_IDEC_OPTIONS.gamma);
    expect(options.idec.lr).toBeNull();
    expect(idecLearningRate(options)).toBe(1e-4);
    expect(idecLearningRate({ ...options, pretrain: { ...options.pretrain, lr: 3e-5 } })).toBe(
      3e-5,
    );
  });

  it('notes clusters that IDEC left empty', () => {
    expect(emptyClustersNote([3, 5])).toBeUndefined();
    expect(emptyClustersNote([50, 0, 0, 0, 0])).toBe(
      'IDEC left 4 of 5 clusters empty (sizes 50, 0, 0, 0, 0): the features collapsed onto fewer clusters; a lower --idec-lr, --idec-batch-norm eval or a longer pretraining usually helps',
    );
  });

  it('modelPlugin gives a registered family and names the registered ones otherwise', () => {
    expect(modelPlugin('cloud').name).toBe('cloud');
    expect(modelPlugin('voxel').name).toBe('voxel');
    expect(modelPlugin('siamese').name).toBe('siamese');
    expect(() => modelPlugin('resnet2d')).toThrow(
      'modelPlugin: no model family "resnet2d" is registered (registered: cloud, voxel, siamese, ae2d, classifier)',
    );
  });

  it('extractRun needs a trained run', async () => {
    await expect(extractRun(dir, '')).rejects.toThrow(
      "extractRun: 'output' must be a non-empty string",
    );
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
