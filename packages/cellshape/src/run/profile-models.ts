import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkString,
  IncompatibleError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { Encoder } from '@cellshape/engine';
import {
  augmentBatch,
  type Blackout,
  CnnClassifier,
  ConvAutoEncoder2D,
  type CropDataset,
  DEFAULT_BARLOW_TWINS_LOSS_OPTIONS,
  DEFAULT_SIAMESE_ENCODER_OPTIONS,
  dihedralBlurViews,
  SiameseEncoder,
  trainAutoencoder2D,
  trainClassifier,
  trainSiamese,
  type ViewFunction,
} from '@cellshape/profile';
import { choice, integer, number } from '../cli/parse.js';
import type { ModelFlag, ModelPlugin, PretrainOptions, RunDataset } from './model-plugin.js';
import { cropMaskMeasures } from './profile-classical.js';
import { CROP_NORMALISATIONS, type CropNormalisation, readCropFolder } from './profile-crop-set.js';
import { profilePageSections } from './profile-report.js';
import { cropThumbnail, ProfileRunDataset } from './profile-run-dataset.js';

/** The settings every 2-D family shares: the crops' size and how they are scaled. */
export interface CropInputSettings {
  /** Side of the (square) crops in pixels; the model is built for it. */
  size: number;
  /** Channels of the crops. */
  channels: number;
  /** Per-crop scaling of each channel before the model. */
  normalise: CropNormalisation;
  /** Channels of the convolution blocks, comma-separated, one 2× max-pool each. */
  filters: string;
}

/** Views of the Siamese pairs: the thesis's quarter turns, flips and mild blur, or with PBR / FBR. */
export const SIAMESE_VIEWS = ['dihedral', 'pbr', 'fbr'] as const;

/** The settings of the `siamese` family. */
export interface SiameseModelSettings extends CropInputSettings {
  /** Features F. */
  features: number;
  /** Dropout after each block. */
  dropout: number;
  /** λ, the Barlow Twins off-diagonal weight. */
  lambda: number;
  /** The two views of each pair (PBR / FBR need mask crops). */
  views: (typeof SIAMESE_VIEWS)[number];
}

/** The settings of the `ae2d` family. */
export interface Ae2dModelSettings extends CropInputSettings {
  /** Channels of the code (F = (size / 2^levels)² · codeChannels). */
  codeChannels: number;
}

/** The settings of the `classifier` family. */
export interface ClassifierModelSettings extends CropInputSettings {
  /** The metadata column the classifier learns to predict (e.g. the treatment). */
  target: string;
  /** Classes of `target` (the run counts them when unset). */
  classes: number;
  /** Features F, the penultimate layer. */
  features: number;
}

const CROP_DEFAULTS: CropInputSettings = {
  size: 64,
  channels: 1,
  normalise: 'zscore',
  filters: '16,32,64,128',
};

const CROP_FLAGS: readonly ModelFlag[] = [
  {
    key: 'size',
    value: '<n>',
    description: 'side of the crops in pixels (a multiple of 2^levels)',
    parse: integer(4),
  },
  { key: 'channels', value: '<n>', description: 'channels of the crops', parse: integer(1) },
  {
    key: 'normalise',
    value: '<how>',
    description: `per-crop scaling: ${CROP_NORMALISATIONS.join(', ')}`,
    parse: choice(CROP_NORMALISATIONS),
  },
  {
    key: 'filters',
    value: '<list>',
    description: 'channels of the convolution blocks, e.g. 16,32,64',
    parse: (t) => t,
  },
];

function checkFilters(fn: string, value: unknown): string {
  const text = Array.isArray(value) ? value.join(',') : value;
  const list = typeof text === 'string' ? text.split(',').map((c) => Number(c.trim())) : [];
  if (list.length === 0 || !list.every((c) => Number.isInteger(c) && c > 0))
    throw invalidArgument(fn, 'filters', 'positive integers like "16,32,64"', value);
  return list.join(',');
}

function resolveCropSettings(fn: string, s: Record<string, unknown>): CropInputSettings {
  const filters = checkFilters(fn, s.filters);
  const levels = filters.split(',').length;
  const size = checkInteger(fn, 'size', s.size, { min: 2 ** levels, max: 4096 });
  if (size % 2 ** levels !== 0)
    throw invalidArgument(fn, 'size', `a multiple of ${2 ** levels} for ${levels} blocks`, size);
  return {
    size,
    channels: checkInteger(fn, 'channels', s.channels, { min: 1, max: 64 }),
    normalise: checkOneOf(fn, 'normalise', s.normalise, CROP_NORMALISATIONS),
    filters,
  };
}

const shapeOf = (s: CropInputSettings): [number, number, number] => [s.size, s.size, s.channels];
const filtersOf = (s: CropInputSettings): number[] => s.filters.split(',').map(Number);

function profileDataset(dataset: RunDataset): ProfileRunDataset {
  if (!(dataset instanceof ProfileRunDataset))
    throw new IncompatibleError('profile model: the dataset is not a crop dataset', {
      fn: 'profileModel',
      arg: 'dataset',
    });
  return dataset;
}

const cropDataset = (dataset: RunDataset): CropDataset => profileDataset(dataset).dataset;

/** Opens a crop folder as the family's dataset, refusing crops of another shape than the settings'. */
async function openCrops(
  input: string,
  options: { metadata?: string; idColumn: string; settings: CropInputSettings },
): Promise<RunDataset> {
  const set = await readCropFolder(input, {
    ...(options.metadata ? { metadata: options.metadata } : {}),
    idColumn: options.idColumn,
    normalise: options.settings.normalise,
  });
  const want = shapeOf(options.settings);
  if (set.crops.shape.slice(1).join() !== want.join())
    throw invalidArgument(
      'profileModel.openDataset',
      'size',
      `the crops' shape (they are ${set.crops.shape.slice(1).join('×')}; pass --size and --channels to match)`,
      want.join('×'),
    );
  return new ProfileRunDataset(set);
}

/** Training options of the 2-D trainers from the run's pretraining options. */
function trainOptions(options: PretrainOptions<CropInputSettings>) {
  const { epochs, batchSize, lr, weightDecay, seed, checkpointDir, resume, onProgress } = options;
  return {
    epochs,
    batchSize,
    lr,
    weightDecay,
    seed,
    checkpointDir,
    resume,
    ...(onProgress ? { onProgress } : {}),
  };
}

/** The Barlow Twins views of a setting: thesis views, or augmentations with a PBR / FBR blackout. */
export function siameseViews(views: SiameseModelSettings['views']): ViewFunction {
  if (views === 'dihedral') return dihedralBlurViews();
  const blackout: Blackout = views;
  return (batch, rng) => [
    augmentBatch(batch.data, batch.shape, batch.masks, rng, { blackout }),
    augmentBatch(batch.data, batch.shape, batch.masks, rng, { blackout }),
  ];
}

/** The report additions every 2-D family shares: crop thumbnails and the crop gallery + QC page sections. */
const report = {
  async exemplarImage(_model: Encoder, dataset: RunDataset, index: number) {
    return dataset instanceof ProfileRunDataset ? cropThumbnail(dataset, index) : undefined;
  },
  pageSections: profilePageSections,
};

function architectureOf(config: Record<string, unknown>, extra: Record<string, unknown>) {
  const shape = config.inputShape as number[] | undefined;
  return {
    size: shape?.[0],
    channels: shape?.[2],
    filters: Array.isArray(config.filters) ? config.filters.join(',') : config.filters,
    ...extra,
  };
}

const DEFAULT_SIAMESE_SETTINGS: Readonly<SiameseModelSettings> = Object.freeze({
  ...CROP_DEFAULTS,
  features: DEFAULT_SIAMESE_ENCODER_OPTIONS.numFeatures,
  dropout: DEFAULT_SIAMESE_ENCODER_OPTIONS.dropout,
  lambda: DEFAULT_BARLOW_TWINS_LOSS_OPTIONS.lambda,
  views: 'dihedral',
});

/** The Siamese encoder of the GBM thesis trained with Barlow Twins (an Encoder: k-means clusters it). */
export const siameseModel: ModelPlugin<SiameseModelSettings> = {
  name: 'siamese',
  description: '2-D Siamese encoder trained with the Barlow Twins loss on single-cell crops',
  input: 'folder of 2-D crops (the crops/ folder of `cellshape profile crop`)',
  defaults: DEFAULT_SIAMESE_SETTINGS,
  flags: [
    ...CROP_FLAGS,
    { key: 'features', value: '<n>', description: 'number of features F', parse: integer(2) },
    {
      key: 'dropout',
      value: '<p>',
      description: 'dropout after each block',
      parse: number(0, { max: 0.95 }),
    },
    {
      key: 'lambda',
      value: '<x>',
      description: 'Barlow Twins off-diagonal weight λ',
      parse: number(0),
    },
    {
      key: 'views',
      value: '<kind>',
      description: 'views of the pairs: dihedral (turns, flips, blur), pbr, fbr (need mask crops)',
      parse: choice(SIAMESE_VIEWS),
    },
  ],
  resolveSettings(settings) {
    const fn = 'siameseModel.resolveSettings';
    const s = withDefaults(fn, DEFAULT_SIAMESE_SETTINGS, settings) as Record<string, unknown>;
    return {
      ...resolveCropSettings(fn, s),
      features: checkInteger(fn, 'features', s.features, { min: 2, max: 4096 }),
      dropout: checkNumber(fn, 'dropout', s.dropout, { min: 0, max: 0.95 }),
      lambda: checkNumber(fn, 'lambda', s.lambda, { min: 0 }),
      views: checkOneOf(fn, 'views', s.views, SIAMESE_VIEWS),
    };
  },
  openDataset: (input, o) => openCrops(input, o),
  createModel(s, seed) {
    return new SiameseEncoder({
      inputShape: shapeOf(s),
      filters: filtersOf(s),
      numFeatures: s.features,
      dropout: s.dropout,
      seed,
    });
  },
  modelFromConfig: (config) => SiameseEncoder.fromConfig(config),
  architecture: (config) => architectureOf(config, { features: config.numFeatures }),
  pretrain(model, dataset, options) {
    const { lambda, views } = options.settings;
    if (views !== 'dihedral' && !profileDataset(dataset).hasMasks)
      throw invalidArgument(
        'siameseModel.pretrain',
        'views',
        "'dihedral' for crops without masks (crop with --labels to get mask crops)",
        views,
      );
    return trainSiamese(model as SiameseEncoder, cropDataset(dataset), {
      ...trainOptions(options),
      lambda,
      views: siameseViews(views),
    });
  },
  classicalMeasures: cropMaskMeasures,
  report,
};

const DEFAULT_AE2D_SETTINGS: Readonly<Ae2dModelSettings> = Object.freeze({
  ...CROP_DEFAULTS,
  filters: '8,16,32,64',
  codeChannels: 1,
});

/** The 2-D convolutional autoencoder (U-Net shape without skips, MSE): an Autoencoder, so IDEC clusters it. */
export const ae2dModel: ModelPlugin<Ae2dModelSettings> = {
  name: 'ae2d',
  description:
    '2-D convolutional autoencoder (U-Net shape without skips, MSE) on single-cell crops',
  input: 'folder of 2-D crops (the crops/ folder of `cellshape profile crop`)',
  defaults: DEFAULT_AE2D_SETTINGS,
  flags: [
    ...CROP_FLAGS,
    {
      key: 'codeChannels',
      value: '<n>',
      description: 'channels of the 2-D autoencoder code',
      parse: integer(1),
    },
  ],
  resolveSettings(settings) {
    const fn = 'ae2dModel.resolveSettings';
    const s = withDefaults(fn, DEFAULT_AE2D_SETTINGS, settings) as Record<string, unknown>;
    return {
      ...resolveCropSettings(fn, s),
      codeChannels: checkInteger(fn, 'codeChannels', s.codeChannels, { min: 1, max: 1024 }),
    };
  },
  openDataset: (input, o) => openCrops(input, o),
  createModel(s, seed) {
    return new ConvAutoEncoder2D({
      inputShape: shapeOf(s),
      filters: filtersOf(s),
      codeChannels: s.codeChannels,
      seed,
    });
  },
  modelFromConfig: (config) => ConvAutoEncoder2D.fromConfig(config),
  architecture: (config) => architectureOf(config, { codeChannels: config.codeChannels }),
  pretrain(model, dataset, options) {
    return trainAutoencoder2D(
      model as ConvAutoEncoder2D,
      cropDataset(dataset),
      trainOptions(options),
    );
  },
  classicalMeasures: cropMaskMeasures,
  report,
};

const DEFAULT_CLASSIFIER_SETTINGS: Readonly<ClassifierModelSettings> = Object.freeze({
  ...CROP_DEFAULTS,
  target: 'Metadata_Treatment',
  classes: 2,
  features: 16,
});

/** A small CNN classifier of a metadata column whose penultimate layer is the embedding. */
export const classifierModel: ModelPlugin<ClassifierModelSettings> = {
  name: 'classifier',
  description:
    '2-D CNN classifier of a metadata column (e.g. treatment); its penultimate layer is the embedding',
  input: 'folder of 2-D crops with a metadata column to predict',
  defaults: DEFAULT_CLASSIFIER_SETTINGS,
  flags: [
    ...CROP_FLAGS,
    {
      key: 'target',
      value: '<column>',
      description: 'metadata column the classifier predicts',
      parse: (t) => t,
    },
    {
      key: 'classes',
      value: '<n>',
      description: 'classes of the target column',
      parse: integer(2),
    },
    { key: 'features', value: '<n>', description: 'number of features F', parse: integer(2) },
  ],
  resolveSettings(settings) {
    const fn = 'classifierModel.resolveSettings';
    const s = withDefaults(fn, DEFAULT_CLASSIFIER_SETTINGS, settings) as Record<string, unknown>;
    return {
      ...resolveCropSettings(fn, s),
      target: checkString(fn, 'target', s.target),
      classes: checkInteger(fn, 'classes', s.classes, { min: 2, max: 10_000 }),
      features: checkInteger(fn, 'features', s.features, { min: 2, max: 4096 }),
    };
  },
  openDataset: (input, o) => openCrops(input, o),
  createModel(s, seed) {
    return new CnnClassifier({
      inputShape: shapeOf(s),
      filters: filtersOf(s),
      numClasses: s.classes,
      numFeatures: s.features,
      seed,
    });
  },
  modelFromConfig: (config) => CnnClassifier.fromConfig(config),
  architecture: (config) =>
    architectureOf(config, { classes: config.numClasses, features: config.numFeatures }),
  async pretrain(model, dataset, options) {
    return trainClassifier(model as CnnClassifier, cropDataset(dataset), {
      ...trainOptions(options),
      labelColumn: options.settings.target,
    });
  },
  classicalMeasures: cropMaskMeasures,
  report,
};

/** The 2-D model families, as registered with the run layer. */
export const PROFILE_MODELS: readonly ModelPlugin<object>[] = [
  siameseModel as ModelPlugin<object>,
  ae2dModel as ModelPlugin<object>,
  classifierModel as ModelPlugin<object>,
];
