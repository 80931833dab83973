import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { VOXEL_LOSS_NAMES, type VoxelLossName } from '../losses/voxel-loss.js';

/** Encoders of the voxel autoencoder. */
export type VoxelEncoderType = 'simple' | 'resnet';
/** Depths of the 3D ResNets (Hara et al.'s standard definitions). */
export type ResNetDepth = 10 | 18 | 34 | 50 | 101 | 152 | 200;
/** Residual blocks: two 3³ convolutions (`'basic'`) or 1³–3³–1³ with 4× expansion (`'bottleneck'`). */
export type ResNetBlock = 'basic' | 'bottleneck';
/** Shortcuts where a block changes size: `'A'` zero-padded strided identity, `'B'` 1³ convolution + batch norm. */
export type ShortcutType = 'A' | 'B';

/** The ResNet depths, in order. */
export const RESNET_DEPTHS: readonly ResNetDepth[] = [10, 18, 34, 50, 101, 152, 200];

/** Blocks per stage (layer1..layer4) of each depth, as the standard definitions. */
export const RESNET_STAGES: Readonly<Record<ResNetDepth, readonly number[]>> = Object.freeze({
  10: [1, 1, 1, 1],
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
  200: [3, 24, 36, 3],
});

/** The standard block of a depth: basic for 10/18/34, bottleneck from 50 on. */
export function standardBlock(depth: ResNetDepth): ResNetBlock {
  return depth < 50 ? 'basic' : 'bottleneck';
}

/** Options of {@link VoxelAutoEncoder}; every field is optional, see {@link DEFAULT_VOXEL_AUTOENCODER_OPTIONS}. */
export interface VoxelAutoEncoderOptions {
  /** `'simple'` (strided 3D convolutions) or `'resnet'` (a 3D ResNet). Default `'simple'`. */
  encoderType?: VoxelEncoderType;
  /**
   * The input cube `[D, H, W, 1]` (channels last, one channel), D = H = W, at least
   * 2^numLayers + 1 (so that the last strided layer has an output). Default `[64, 64, 64, 1]`.
   */
  inputShape?: readonly [number, number, number, number];
  /** Number of features F, an integer ≥ 1. Default 50. */
  numFeatures?: number;
  /**
   * Strided layers of the simple encoder and of the decoder (3, 4 or 5); each halves the cube.
   * Default 3.
   */
  numLayers?: number;
  /** Channels of the simple encoder's layers and of the decoder (at least numLayers values). Default `[32, 64, 128, 256, 512]`. */
  filters?: readonly number[];
  /** Biases in the simple encoder's convolutions, the embedding and the decoder. Default true. */
  bias?: boolean;
  /** Batch norm between the layers of the simple encoder and of the decoder. Default true. */
  batchNorm?: boolean;
  /** LeakyReLU (true) or ReLU (false) in the simple encoder and the decoder. Default true. */
  leaky?: boolean;
  /** Negative slope of the LeakyReLU. Default 0.01. */
  negSlope?: number;
  /** ResNet depth: 10, 18, 34, 50, 101, 152 or 200. Default 10. */
  resnetDepth?: ResNetDepth;
  /** ResNet block. Default: the standard one of the depth (basic below 50, bottleneck from 50). */
  resnetBlock?: ResNetBlock;
  /** ResNet shortcut type. Default `'B'`. */
  shortcutType?: ShortcutType;
  /** Multiplies the ResNet stage widths 64, 128, 256, 512 (rounded down). Default 1. */
  widenFactor?: number;
  /** Leave out the ResNet's 3³ stride-2 max-pool after `conv1`. Default true (as cellshape-voxel). */
  noMaxPool?: boolean;
  /** The loss of {@link VoxelAutoEncoder.reconstructionLoss}. Default `'bce'`. */
  loss?: VoxelLossName;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
}

/** The defaults of {@link VoxelAutoEncoderOptions} (`resnetBlock` follows `resnetDepth`). */
export const DEFAULT_VOXEL_AUTOENCODER_OPTIONS = Object.freeze({
  encoderType: 'simple',
  inputShape: [64, 64, 64, 1],
  numFeatures: 50,
  numLayers: 3,
  filters: [32, 64, 128, 256, 512],
  bias: true,
  batchNorm: true,
  leaky: true,
  negSlope: 0.01,
  resnetDepth: 10,
  shortcutType: 'B',
  widenFactor: 1,
  noMaxPool: true,
  loss: 'bce',
  seed: 0,
} as const);

/** Validated options, every field set. */
export interface ResolvedVoxelOptions {
  encoderType: VoxelEncoderType;
  inputShape: [number, number, number, number];
  numFeatures: number;
  numLayers: number;
  filters: number[];
  bias: boolean;
  batchNorm: boolean;
  leaky: boolean;
  negSlope: number;
  resnetDepth: ResNetDepth;
  resnetBlock: ResNetBlock;
  shortcutType: ShortcutType;
  widenFactor: number;
  noMaxPool: boolean;
  loss: VoxelLossName;
  seed: number;
}

/** Output size of a 5³ stride-2 padding-2 convolution: ⌈n/2⌉. */
export function halve(n: number): number {
  return Math.floor((n - 1) / 2) + 1;
}

/**
 * The cube edge at each level of the simple encoder for an input edge `n`: `[n, ⌈n/2⌉, …]`
 * after each 5³ stride-2 layer, and last `⌊(m − 1)/2⌋` after the final 3³ stride-2 unpadded
 * layer; numLayers + 1 values. The decoder walks them back.
 */
export function encoderSizes(n: number, numLayers: number): number[] {
  const sizes = [n];
  for (let i = 1; i < numLayers; i++) sizes.push(halve(sizes[i - 1] as number));
  sizes.push(Math.floor(((sizes[numLayers - 1] as number) - 1) / 2));
  return sizes;
}

/** The smallest cube edge a network of `numLayers` strided layers takes: 2^numLayers + 1. */
export function minimumCubeSize(numLayers: number): number {
  return 2 ** numLayers + 1;
}

const FN = 'VoxelAutoEncoder';

function checkInputShape(value: unknown, numLayers: number): [number, number, number, number] {
  const min = minimumCubeSize(numLayers);
  const allowed = `a cube [n, n, n, 1] with n an integer ≥ ${min} (2^numLayers + 1 for numLayers = ${numLayers}), e.g. 32, 48, 64, 96 or 128`;
  const shape = value as number[];
  const ok =
    Array.isArray(shape) &&
    shape.length === 4 &&
    shape.every((v) => Number.isInteger(v)) &&
    shape[3] === 1 &&
    shape[0] === shape[1] &&
    shape[1] === shape[2] &&
    (shape[0] as number) >= min;
  if (!ok) throw invalidArgument(FN, 'inputShape', allowed, value);
  return [...shape] as [number, number, number, number];
}

function checkFilters(value: unknown, numLayers: number): number[] {
  const ok =
    Array.isArray(value) &&
    value.length >= numLayers &&
    value.every((v) => Number.isInteger(v) && v >= 1);
  if (!ok)
    throw invalidArgument(
      FN,
      'filters',
      `at least ${numLayers} positive integers (numLayers)`,
      value,
    );
  return [...(value as number[])];
}

/** The options over their defaults, validated (typed errors name the option and what it allows). */
export function resolveVoxelOptions(options: VoxelAutoEncoderOptions): ResolvedVoxelOptions {
  if (options === null || typeof options !== 'object')
    throw invalidArgument(FN, 'options', 'an options object', options);
  const o = withDefaults(FN, DEFAULT_VOXEL_AUTOENCODER_OPTIONS, options) as Omit<
    ResolvedVoxelOptions,
    'resnetBlock'
  > & { resnetBlock?: ResNetBlock };
  checkOneOf(FN, 'encoderType', o.encoderType, ['simple', 'resnet']);
  const numLayers = checkInteger(FN, 'numLayers', o.numLayers, { min: 3, max: 5 });
  const depth = checkOneOf(FN, 'resnetDepth', o.resnetDepth, RESNET_DEPTHS);
  const widenFactor = checkNumber(FN, 'widenFactor', o.widenFactor, { min: 0, exclusiveMin: true });
  if (Math.floor(64 * widenFactor) < 1)
    throw new InvalidArgumentError(
      `${FN}: 'widenFactor' must keep at least one channel in the first stage (64 × widenFactor ≥ 1), got ${widenFactor}`,
      { fn: FN, arg: 'widenFactor' },
    );
  return {
    encoderType: o.encoderType,
    inputShape: checkInputShape(o.inputShape, numLayers),
    numFeatures: checkInteger(FN, 'numFeatures', o.numFeatures, { min: 1 }),
    numLayers,
    filters: checkFilters(o.filters, numLayers),
    bias: checkBoolean(FN, 'bias', o.bias),
    batchNorm: checkBoolean(FN, 'batchNorm', o.batchNorm),
    leaky: checkBoolean(FN, 'leaky', o.leaky),
    negSlope: checkNumber(FN, 'negSlope', o.negSlope, { min: 0 }),
    resnetDepth: depth,
    resnetBlock: checkOneOf(FN, 'resnetBlock', o.resnetBlock ?? standardBlock(depth), [
      'basic',
      'bottleneck',
    ]),
    shortcutType: checkOneOf(FN, 'shortcutType', o.shortcutType, ['A', 'B']),
    widenFactor,
    noMaxPool: checkBoolean(FN, 'noMaxPool', o.noMaxPool),
    loss: checkOneOf(FN, 'loss', o.loss, VOXEL_LOSS_NAMES),
    seed: checkInteger(FN, 'seed', o.seed),
  };
}
