import {
  checkInteger,
  checkNumber,
  checkOneOf,
  IncompatibleError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { type Encoder, readStateDict } from '@cellshape/engine';
import {
  CUBE_FITS,
  type CubeFit,
  DEFAULT_VOXEL_AUTOENCODER_OPTIONS,
  DEFAULT_VOXEL_DATASET_OPTIONS,
  MASK_OBJECT_MODES,
  type MaskObjectMode,
  minimumCubeSize,
  RESNET_DEPTHS,
  type ResNetDepth,
  type ShortcutType,
  trainVoxelAutoencoder,
  VOXEL_LOSS_NAMES,
  VoxelAutoEncoder,
  type VoxelAutoEncoderOptions,
  VoxelDataset,
  type VoxelEncoderType,
  type VoxelLossName,
} from '@cellshape/voxel';
import { choice, integer, number } from '../cli/parse.js';
import { DatasetView } from './dataset-view.js';
import type { ModelPlugin, RunDataset } from './model-plugin.js';
import { voxelExemplarPoints, voxelSlicesImage } from './voxel-view.js';

/** Augmentations of the voxel family's training passes. */
export type VoxelAugmentChoice = 'none' | 'rotate' | 'flip' | 'all';

/** The settings of the voxel family (`--model voxel`). */
export interface VoxelModelSettings {
  /** Edge of the input cube in voxels (at least 2^numLayers + 1). */
  cubeSize: number;
  /** Objects larger than the cube: resample, crop or error. */
  fit: CubeFit;
  /** One object per file, per label of a label image, or per connected component. */
  objects: MaskObjectMode;
  /** Foreground cut-off for non-binary masks; null: masks must be binary. */
  threshold: number | null;
  /** Seeded augmentations of training passes: quarter-turn rotations, mirrors, both or none. */
  augment: VoxelAugmentChoice;
  encoder: VoxelEncoderType;
  /** Strided layers of the simple encoder and of the decoder (3, 4 or 5). */
  numLayers: number;
  /** Channels of the simple encoder's and the decoder's layers, comma-separated (≥ numLayers values). */
  filters: string;
  /** Depth of the 3D ResNet encoder. */
  resnetDepth: ResNetDepth;
  /** ResNet shortcut type. */
  shortcut: ShortcutType;
  /** Features F. */
  features: number;
  /** Reconstruction loss of pretraining and IDEC. */
  loss: VoxelLossName;
}

const ARCH = DEFAULT_VOXEL_AUTOENCODER_OPTIONS;
const DATA = DEFAULT_VOXEL_DATASET_OPTIONS;

/** Defaults of {@link VoxelModelSettings}, from the voxel package. */
export const DEFAULT_VOXEL_MODEL_SETTINGS: Readonly<VoxelModelSettings> = Object.freeze({
  cubeSize: DATA.cubeSize,
  fit: DATA.fit,
  objects: DATA.objects,
  threshold: DATA.threshold,
  augment: 'none',
  encoder: ARCH.encoderType,
  numLayers: ARCH.numLayers,
  filters: ARCH.filters.join(','),
  resnetDepth: ARCH.resnetDepth,
  shortcut: ARCH.shortcutType,
  features: ARCH.numFeatures,
  loss: ARCH.loss,
});

const ENCODERS = ['simple', 'resnet'] as const satisfies readonly VoxelEncoderType[];
const SHORTCUTS = ['A', 'B'] as const satisfies readonly ShortcutType[];
const AUGMENTS = ['none', 'rotate', 'flip', 'all'] as const satisfies readonly VoxelAugmentChoice[];

/** A voxel dataset as the run layer sees it. */
export class VoxelRunDataset extends DatasetView<VoxelDataset> {
  constructor(dataset: VoxelDataset) {
    super(dataset, () => dataset.skipped);
  }
}

function voxelAutoencoder(model: Encoder): VoxelAutoEncoder {
  if (!(model instanceof VoxelAutoEncoder))
    throw new IncompatibleError('voxel model: the model is not a VoxelAutoEncoder', {
      fn: 'voxelModel',
      arg: 'model',
    });
  return model;
}

function voxelDataset(dataset: RunDataset): VoxelDataset {
  if (!(dataset instanceof VoxelRunDataset))
    throw new IncompatibleError('voxel model: the dataset is not a voxel dataset', {
      fn: 'voxelModel',
      arg: 'dataset',
    });
  return dataset.dataset;
}

/** The `VoxelAutoEncoder` options of the run settings. */
function autoencoderOptions(settings: VoxelModelSettings, seed: number): VoxelAutoEncoderOptions {
  const n = settings.cubeSize;
  return {
    encoderType: settings.encoder,
    inputShape: [n, n, n, 1],
    numFeatures: settings.features,
    numLayers: settings.numLayers,
    filters: settings.filters.split(',').map(Number),
    resnetDepth: settings.resnetDepth,
    shortcutType: settings.shortcut,
    loss: settings.loss,
    seed,
  };
}

/** Channels as `'8,16,32'`: at least `numLayers` positive integers. */
function checkFilters(fn: string, value: unknown, numLayers: number): string {
  const text = Array.isArray(value) ? value.join(',') : value;
  const channels = typeof text === 'string' ? text.split(',').map((c) => Number(c.trim())) : [];
  if (channels.length < numLayers || !channels.every((c) => Number.isInteger(c) && c > 0))
    throw invalidArgument(
      fn,
      'filters',
      `at least ${numLayers} positive integers like "8,16,32"`,
      value,
    );
  return channels.join(',');
}

function resolveVoxelSettings(settings: Readonly<Record<string, unknown>>): VoxelModelSettings {
  const fn = 'voxelModel.resolveSettings';
  const s = withDefaults(fn, DEFAULT_VOXEL_MODEL_SETTINGS, settings) as Record<string, unknown>;
  const numLayers = checkInteger(fn, 'numLayers', s.numLayers, { min: 3, max: 5 });
  const cubeSize = checkInteger(fn, 'cubeSize', s.cubeSize, { max: 1024 });
  if (cubeSize < minimumCubeSize(numLayers))
    throw invalidArgument(
      fn,
      'cubeSize',
      `an integer ≥ ${minimumCubeSize(numLayers)} for ${numLayers} layers (2^numLayers + 1), e.g. 32 or 64`,
      cubeSize,
    );
  return {
    cubeSize,
    fit: checkOneOf(fn, 'fit', s.fit, CUBE_FITS),
    objects: checkOneOf(fn, 'objects', s.objects, MASK_OBJECT_MODES),
    threshold: s.threshold === null ? null : checkNumber(fn, 'threshold', s.threshold),
    augment: checkOneOf(fn, 'augment', s.augment, AUGMENTS),
    encoder: checkOneOf(fn, 'encoder', s.encoder, ENCODERS),
    numLayers,
    filters: checkFilters(fn, s.filters, numLayers),
    resnetDepth: checkOneOf(fn, 'resnetDepth', s.resnetDepth, RESNET_DEPTHS),
    shortcut: checkOneOf(fn, 'shortcut', s.shortcut, SHORTCUTS),
    features: checkInteger(fn, 'features', s.features, { min: 2, max: 4096 }),
    loss: checkOneOf(fn, 'loss', s.loss, VOXEL_LOSS_NAMES),
  };
}

/** The architecture a `VoxelAutoEncoder` config describes, named as {@link VoxelModelSettings}. */
function voxelArchitecture(config: Record<string, unknown>): Record<string, unknown> {
  const c = withDefaults('voxelModel.architecture', ARCH, config as VoxelAutoEncoderOptions);
  return {
    encoder: c.encoderType,
    cubeSize: c.inputShape[0],
    features: c.numFeatures,
    numLayers: c.numLayers,
    ...(c.encoderType === 'resnet' ? { resnetDepth: c.resnetDepth, shortcut: c.shortcutType } : {}),
    filters: [...c.filters].join(','),
    bias: c.bias,
    batchNorm: c.batchNorm,
    leaky: c.leaky,
    widenFactor: c.widenFactor,
    noMaxPool: c.noMaxPool,
    ...(config.resnetBlock !== undefined ? { resnetBlock: config.resnetBlock } : {}),
  };
}

/** The 3-D convolutional autoencoder (simple or ResNet encoder) of `@cellshape/voxel`. */
export const voxelModel: ModelPlugin<VoxelModelSettings> = {
  name: 'voxel',
  description: '3-D convolutional autoencoder on voxel cubes (simple or 3D ResNet encoder)',
  input:
    'folder of 3-D mask TIFFs (one object each, e.g. the cubes/ folder of `cellshape convert --cube 64`) or label images (--objects labels)',
  defaults: DEFAULT_VOXEL_MODEL_SETTINGS,
  flags: [
    {
      key: 'cubeSize',
      value: '<n>',
      description: 'edge of the input cube in voxels',
      parse: integer(4),
    },
    {
      key: 'fit',
      value: '<mode>',
      description: 'objects larger than the cube: resample (shrink to fit), crop, error',
      parse: choice(CUBE_FITS),
    },
    {
      key: 'objects',
      value: '<mode>',
      description: 'objects of a file: file (the whole mask), labels (a label image), components',
      parse: choice(MASK_OBJECT_MODES),
    },
    {
      key: 'threshold',
      value: '<x>',
      description:
        'foreground = voxels above x, for non-binary masks (default: masks must be binary)',
      parse: number(Number.NEGATIVE_INFINITY),
    },
    {
      key: 'augment',
      value: '<kind>',
      description: 'seeded training augmentations: none, rotate (24 quarter turns), flip, all',
      parse: choice(AUGMENTS),
    },
    {
      key: 'encoder',
      value: '<type>',
      description: `encoder: ${ENCODERS.join(', ')}`,
      parse: choice(ENCODERS),
    },
    {
      key: 'numLayers',
      value: '<n>',
      description: 'strided layers of the simple encoder and the decoder: 3, 4, 5',
      parse: (text) => Number(choice(['3', '4', '5'] as const)(text)),
    },
    {
      key: 'filters',
      value: '<list>',
      description:
        'channels of the simple encoder and decoder layers, e.g. 8,16,32 (smaller is faster)',
      parse: (text) => text,
    },
    {
      key: 'resnetDepth',
      value: '<n>',
      description: `ResNet depth: ${RESNET_DEPTHS.join(', ')}`,
      parse: (text) => Number(choice(RESNET_DEPTHS.map(String))(text)),
    },
    {
      key: 'shortcut',
      value: '<type>',
      description: 'ResNet shortcut: A (zero-padded identity), B (1³ convolution)',
      parse: choice(SHORTCUTS),
    },
    { key: 'features', value: '<n>', description: 'number of features F', parse: integer(2) },
    {
      key: 'loss',
      value: '<name>',
      description: `reconstruction loss: ${VOXEL_LOSS_NAMES.join(', ')}`,
      parse: choice(VOXEL_LOSS_NAMES),
    },
  ],
  resolveSettings: resolveVoxelSettings,
  async openDataset(input, { metadata, idColumn, seed, settings }) {
    const augment = {
      rotate: settings.augment === 'rotate' || settings.augment === 'all',
      flip: settings.augment === 'flip' || settings.augment === 'all',
    };
    const dataset = await VoxelDataset.fromFolder(input, {
      cubeSize: settings.cubeSize,
      fit: settings.fit,
      objects: settings.objects,
      threshold: settings.threshold,
      augment,
      seed,
      idColumn,
      ...(metadata ? { metadata } : {}),
    });
    return new VoxelRunDataset(dataset);
  },
  createModel(settings, seed) {
    return new VoxelAutoEncoder(autoencoderOptions(settings, seed));
  },
  modelFromConfig(config) {
    return VoxelAutoEncoder.fromConfig(config);
  },
  architecture: voxelArchitecture,
  importModel(path, settings, seed) {
    // A cellshape-voxel state dict (`.pt` of torch.save(model.state_dict()), or `.npz`) holds
    // the weights; the architecture is the settings', and loading refuses another one.
    const model = new VoxelAutoEncoder(autoencoderOptions(settings, seed));
    try {
      model.loadStateDict(readStateDict(path));
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  },
  pretrain(model, dataset, { settings, onProgress, ...options }) {
    return trainVoxelAutoencoder(voxelAutoencoder(model), voxelDataset(dataset), {
      ...options,
      loss: settings.loss,
      ...(onProgress ? { onProgress } : {}),
    });
  },
  report: {
    async exemplarPoints(dataset, index, maxPoints) {
      return voxelExemplarPoints(voxelDataset(dataset), index, maxPoints);
    },
    async exemplarImage(model, dataset, index) {
      return voxelSlicesImage(voxelAutoencoder(model), voxelDataset(dataset), index);
    },
  },
};
