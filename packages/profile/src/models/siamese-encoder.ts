import { checkObject, createRng, withDefaults } from '@cellshape/core';
import { BatchNorm, type Encoder, Linear, ModuleState } from '@cellshape/engine';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation2D, ConvBlocks2D, resolveBlockNetwork } from './conv-blocks.js';
import { ImageModel } from './image-model.js';

/** Options of {@link SiameseEncoder}. */
export interface SiameseEncoderOptions {
  /** Input crops `[H, W, C]`, H and W multiples of 2^(number of blocks). Default `[128, 128, 1]`. */
  inputShape?: readonly [number, number, number];
  /**
   * Channels of the convolution blocks, one 2× max-pool each. Default `[16, 32, 64, 128]`: a
   * quarter of the widths `[32, 64, 128, 256]` costs ~7.5 GFLOP per view forward at B = 64,
   * 128×128, so a Barlow Twins step trains in about a second on 2 cores (docs/profile-models.md).
   */
  filters?: readonly number[];
  /** Features F, the output of the dense layer and its batch norm. Default 128 (the GBM thesis). */
  numFeatures?: number;
  /** Batch norm after each block's activation. Default true. */
  batchNorm?: boolean;
  /** Dropout probability after each block's pooling. Default 0.1. */
  dropout?: number;
  /** Activation of the blocks. Default `'relu'`. */
  activation?: Activation2D;
  /** Slope of `'leakyRelu'` below zero. Default 0.01 (PyTorch's). */
  negativeSlope?: number;
  /** Seed of PyTorch's default initialisation. Default 0. */
  seed?: number;
}

/** Defaults of {@link SiameseEncoderOptions}. */
export const DEFAULT_SIAMESE_ENCODER_OPTIONS = {
  inputShape: [128, 128, 1] as readonly [number, number, number],
  filters: [16, 32, 64, 128] as readonly number[],
  numFeatures: 128,
  batchNorm: true,
  dropout: 0.1,
  activation: 'relu' as Activation2D,
  negativeSlope: 0.01,
  seed: 0,
} as const;

type Resolved = Required<SiameseEncoderOptions>;

const FN = 'SiameseEncoder';

function resolve(options: SiameseEncoderOptions): Resolved {
  checkObject(FN, 'options', options);
  const o = withDefaults(FN, DEFAULT_SIAMESE_ENCODER_OPTIONS, options);
  return { ...o, ...resolveBlockNetwork(FN, o) };
}

/**
 * The Siamese encoder of the GBM thesis (seed 002, §3.4): convolution blocks (3×3 "same"
 * convolution → activation → batch norm → 2×2 max-pool → dropout), a global average pool, a
 * dense layer and a batch norm → F features (128 default). Both views of a Barlow Twins pair go
 * through this one encoder (shared weights); trained, it is an engine `Encoder` like any other.
 * Images `[B, H, W, C]` (channels last) → features `[B, F]`.
 *
 * PyTorch names: `blocks.i.conv.weight` `[out, in, 3, 3]`, `blocks.i.norm.*`, `fc.weight`
 * `[F, C_last]`, `fc.bias`, `bn.*` (packages/profile/scripts/profile_reference.py is the same
 * network in PyTorch).
 *
 * ```ts
 * const encoder = new SiameseEncoder({ inputShape: [64, 64, 1], numFeatures: 32 });
 * const z = encoder.eval().encode(crops); // [B, 64, 64, 1] → [B, 32]
 * ```
 */
export class SiameseEncoder extends ImageModel implements Encoder {
  /** The model family, as the run layer registers it. */
  readonly family = 'siamese2d';
  readonly numFeatures: number;
  readonly inputShape: readonly [number, number, number];
  private readonly options: Resolved;
  private readonly blocks: ConvBlocks2D;
  private readonly fc: Linear;
  private readonly bn: BatchNorm;
  protected readonly state: ModuleState;

  /** Builds the encoder with PyTorch's default initialisation, seeded by `options.seed`; training mode on. */
  constructor(options: SiameseEncoderOptions = {}) {
    super(FN);
    const o = resolve(options);
    this.options = o;
    this.numFeatures = o.numFeatures;
    this.inputShape = o.inputShape;
    const rng = createRng(o.seed);
    this.blocks = new ConvBlocks2D(rng, { ...o, inChannels: o.inputShape[2] });
    this.fc = new Linear(rng, { inFeatures: this.blocks.outChannels, outFeatures: o.numFeatures });
    this.bn = new BatchNorm(o.numFeatures);
    this.state = new ModuleState(FN, [
      ...this.blocks.stateEntries('blocks'),
      ...this.fc.stateEntries('fc'),
      ...this.bn.stateEntries('bn'),
    ]);
  }

  /** Rebuilds an untrained encoder from {@link SiameseEncoder.config}. */
  static fromConfig(config: Record<string, unknown>): SiameseEncoder {
    return new SiameseEncoder(config as SiameseEncoderOptions);
  }

  /** Images `[B, H, W, C]` → features `[B, F]` (training mode needs B ≥ 2 for the batch norm). */
  encode(images: Tensor): Tensor2D {
    this.checkImages(`${FN}.encode`, images);
    return tf.tidy(() => {
      const maps = this.blocks.forward(images, this.training, () => this.nextDropoutSeed());
      const pooled = tf.mean(maps, [1, 2]);
      return this.bn.apply(this.fc.forward(pooled), this.training) as Tensor2D;
    });
  }

  /** The options this encoder was built with (JSON); `new SiameseEncoder(config)` rebuilds it untrained. */
  config(): Record<string, unknown> & SiameseEncoderOptions {
    const o = this.options;
    return { ...o, inputShape: [...o.inputShape], filters: [...o.filters] };
  }

  /** Frees every tensor the encoder owns. */
  dispose(): void {
    this.blocks.dispose();
    this.fc.dispose();
    this.bn.dispose();
  }
}
