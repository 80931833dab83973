import {
  type ChamferForm,
  CloudAutoEncoder,
  type CloudAutoEncoderOptions,
  chamferLoss,
  DEFAULT_CHAMFER_LOSS_OPTIONS,
  DEFAULT_CLOUD_AUTOENCODER_OPTIONS,
  DEFAULT_POINT_CLOUD_DATASET_OPTIONS,
  type EncoderType,
  importTorchCheckpoint,
  PointCloudDataset,
  type SourceShape,
  trainAutoencoder,
} from '@cellshape/cloud';
import {
  checkInteger,
  checkOneOf,
  checkPositive,
  IncompatibleError,
  withDefaults,
} from '@cellshape/core';
import type { Encoder } from '@cellshape/engine';
import { NORMALISE_PRESETS, type NormalisePreset, readPointCloud } from '@cellshape/helper';
import { choice, integer, number } from '../cli/parse.js';
import { DatasetView } from './dataset-view.js';
import type { ModelPlugin, RunDataset } from './model-plugin.js';

/** The decoders of the point-cloud autoencoder. */
type DecoderType = NonNullable<CloudAutoEncoderOptions['decoderType']>;

/** The settings of the point-cloud family (`--model cloud`). */
export interface CloudModelSettings {
  /** Points per cloud (resampled, seeded). */
  numPoints: number;
  /** Normalisation of each cloud. */
  normalise: NormalisePreset;
  encoder: EncoderType;
  decoder: DecoderType;
  /** Features F. */
  features: number;
  /** Neighbours in the encoder's graphs. */
  k: number;
  /** Decoder source points: plane, sphere or gaussian. */
  sourceShape: SourceShape;
  /** Reconstructed points M (a perfect square for a plane). */
  sourcePoints: number;
  /** Scale of the source points. */
  sourceStd: number;
  /** Chamfer form of the reconstruction loss (pretraining and IDEC). */
  loss: ChamferForm;
}

const ARCH = DEFAULT_CLOUD_AUTOENCODER_OPTIONS;

/** Defaults of {@link CloudModelSettings}, from the packages that own them. */
export const DEFAULT_CLOUD_MODEL_SETTINGS: Readonly<CloudModelSettings> = Object.freeze({
  numPoints: DEFAULT_POINT_CLOUD_DATASET_OPTIONS.numPoints,
  normalise: DEFAULT_POINT_CLOUD_DATASET_OPTIONS.normalise,
  encoder: ARCH.encoderType,
  decoder: ARCH.decoderType,
  features: ARCH.numFeatures,
  k: ARCH.k,
  sourceShape: ARCH.shape,
  sourcePoints: ARCH.numSourcePoints,
  sourceStd: ARCH.std,
  loss: DEFAULT_CHAMFER_LOSS_OPTIONS.form,
});

const ENCODERS = ['dgcnn', 'foldingnet'] as const satisfies readonly EncoderType[];
const DECODERS = ['foldingnet', 'foldingnetbasic'] as const satisfies readonly DecoderType[];
const SHAPES = ['plane', 'sphere', 'gaussian'] as const satisfies readonly SourceShape[];
const LOSSES = ['sum', 'extended'] as const satisfies readonly ChamferForm[];

/** Up to `max` rows of a flat x,y,z array, evenly strided (deterministic). */
function strided(data: Float32Array, max: number): number[][] {
  const n = data.length / 3;
  const take = Math.min(n, max);
  const rows: number[][] = [];
  for (let r = 0; r < take; r++) {
    const i = Math.floor((r * n) / take);
    rows.push([data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!]);
  }
  return rows;
}

/** A point-cloud dataset of a folder, which also knows each cell's `.ply` file. */
class CloudRunDataset extends DatasetView<PointCloudDataset> {
  constructor(dataset: PointCloudDataset) {
    super(dataset, () => dataset.skipped);
  }
  batchesFrom(start: number, options: Parameters<PointCloudDataset['batches']>[0]) {
    return this.dataset.batchesFrom(start, options);
  }

  /** Up to `maxPoints` rows of cell `index`, read back from its file. */
  filePoints(index: number, maxPoints: number): number[][] {
    const path = this.dataset.filePath(index);
    return path === undefined ? [] : strided(readPointCloud(path).data, maxPoints);
  }
}

function cloudDataset(dataset: RunDataset): CloudRunDataset {
  if (!(dataset instanceof CloudRunDataset))
    throw new IncompatibleError('cloud model: the dataset is not a point-cloud dataset', {
      fn: 'cloudModel',
      arg: 'dataset',
    });
  return dataset;
}

function cloudAutoencoder(model: Encoder): CloudAutoEncoder {
  if (!(model instanceof CloudAutoEncoder))
    throw new IncompatibleError('cloud model: the model is not a CloudAutoEncoder', {
      fn: 'cloudModel',
      arg: 'model',
    });
  return model;
}

/** The `CloudAutoEncoder` options of the run settings. */
function autoencoderOptions(settings: CloudModelSettings, seed: number): CloudAutoEncoderOptions {
  return {
    encoderType: settings.encoder,
    decoderType: settings.decoder,
    numFeatures: settings.features,
    k: settings.k,
    shape: settings.sourceShape,
    numSourcePoints: settings.sourcePoints,
    std: settings.sourceStd,
    seed,
  };
}

function resolveCloudSettings(settings: Readonly<Record<string, unknown>>): CloudModelSettings {
  const fn = 'cloudModel.resolveSettings';
  const s = withDefaults(fn, DEFAULT_CLOUD_MODEL_SETTINGS, settings) as Record<string, unknown>;
  return {
    numPoints: checkInteger(fn, 'numPoints', s.numPoints, { min: 1 }),
    normalise: checkOneOf(fn, 'normalise', s.normalise, NORMALISE_PRESETS),
    encoder: checkOneOf(fn, 'encoder', s.encoder, ENCODERS),
    decoder: checkOneOf(fn, 'decoder', s.decoder, DECODERS),
    features: checkInteger(fn, 'features', s.features, { min: 2, max: 1024 }),
    k: checkInteger(fn, 'k', s.k, { min: 1 }),
    sourceShape: checkOneOf(fn, 'sourceShape', s.sourceShape, SHAPES),
    sourcePoints: checkInteger(fn, 'sourcePoints', s.sourcePoints, { min: 4 }),
    sourceStd: checkPositive(fn, 'sourceStd', s.sourceStd),
    loss: checkOneOf(fn, 'loss', s.loss, LOSSES),
  };
}

/** The point-cloud autoencoder (DGCNN or FoldingNet encoder + FoldingNet decoder) of `@cellshape/cloud`. */
export const cloudModel: ModelPlugin<CloudModelSettings> = {
  name: 'cloud',
  description: 'point-cloud autoencoder (DGCNN/FoldingNet encoder, FoldingNet decoder)',
  input: 'folder of .ply point clouds (e.g. the points/ folder of `cellshape convert`)',
  defaults: DEFAULT_CLOUD_MODEL_SETTINGS,
  flags: [
    {
      key: 'numPoints',
      value: '<n>',
      description: 'points per cloud (resampled)',
      parse: integer(1),
    },
    {
      key: 'normalise',
      value: '<preset>',
      description: `cloud normalisation: ${NORMALISE_PRESETS.join(', ')}`,
      parse: choice(NORMALISE_PRESETS),
    },
    {
      key: 'encoder',
      value: '<type>',
      description: `encoder: ${ENCODERS.join(', ')}`,
      parse: choice(ENCODERS),
    },
    {
      key: 'decoder',
      value: '<type>',
      description: `decoder: ${DECODERS.join(', ')}`,
      parse: choice(DECODERS),
    },
    { key: 'features', value: '<n>', description: 'number of features F', parse: integer(2) },
    { key: 'k', value: '<n>', description: 'neighbours in the encoder graphs', parse: integer(1) },
    {
      key: 'sourceShape',
      value: '<shape>',
      description: `decoder source points: ${SHAPES.join(', ')}`,
      parse: choice(SHAPES),
    },
    {
      key: 'sourcePoints',
      value: '<n>',
      description: 'reconstructed points (a perfect square for plane)',
      parse: integer(4),
    },
    {
      key: 'sourceStd',
      value: '<x>',
      description: 'scale of the source points',
      parse: number(0, { exclusiveMin: true }),
    },
    {
      key: 'loss',
      value: '<form>',
      description: "Chamfer form: sum (the original's), extended (the paper's)",
      parse: choice(LOSSES),
    },
  ],
  resolveSettings: resolveCloudSettings,
  async openDataset(input, { metadata, idColumn, seed, settings, validated }) {
    const dataset = await PointCloudDataset.fromFolder(input, {
      numPoints: settings.numPoints,
      normalise: settings.normalise,
      seed,
      idColumn,
      ...(metadata ? { metadata } : {}),
      ...(validated ? { validate: false, exclude: validated } : {}),
    });
    return new CloudRunDataset(dataset);
  },
  createModel(settings, seed) {
    return new CloudAutoEncoder(autoencoderOptions(settings, seed));
  },
  modelFromConfig(config) {
    return new CloudAutoEncoder(config as CloudAutoEncoderOptions);
  },
  architecture(config) {
    const c = withDefaults('cloudModel.architecture', ARCH, config as CloudAutoEncoderOptions);
    return {
      encoder: c.encoderType,
      decoder: c.decoderType,
      features: c.numFeatures,
      k: c.k,
      sourceShape: c.shape,
      sourcePoints: c.numSourcePoints,
      sourceStd: c.std,
      // Random source shapes are drawn from the seed (unless the config lists the points).
      ...(c.shape !== 'plane' && c.sourcePoints === undefined ? { seed: c.seed } : {}),
    };
  },
  importModel(path, settings, seed) {
    // Encoder, decoder and features come from the state dict; k and the source points from us.
    const { k, shape, numSourcePoints, std } = autoencoderOptions(settings, seed);
    return importTorchCheckpoint(path, { k, model: { shape, numSourcePoints, std, seed } });
  },
  pretrain(model, dataset, { settings, onProgress, ...options }) {
    return trainAutoencoder(cloudAutoencoder(model), cloudDataset(dataset).dataset, {
      ...options,
      loss: settings.loss,
      ...(onProgress ? { onProgress } : {}),
    });
  },
  reconstructionLoss(settings) {
    return (input, reconstruction) => chamferLoss(input, reconstruction, { form: settings.loss });
  },
  report: {
    async exemplarPoints(dataset, index, maxPoints) {
      return cloudDataset(dataset).filePoints(index, maxPoints);
    },
  },
};
