import { checkInteger, checkObject, createRng, withDefaults } from '@cellshape/core';
import { type Encoder, Linear, ModuleState } from '@cellshape/engine';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type Activation2D, activate2d, ConvBlocks2D, resolveBlockNetwork } from './conv-blocks.js';
import { ImageModel } from './image-model.js';

/** Options of {@link CnnClassifier}. */
export interface CnnClassifierOptions {
  /** Number of classes K (≥ 2). Default 2. */
  numClasses?: number;
  /** Input images `[H, W, C]`, H and W multiples of 2^(number of blocks). Default `[128, 128, 1]`. */
  inputShape?: readonly [number, number, number];
  /** Channels of the convolution blocks, one 2× max-pool each. Default `[16, 32, 64, 128]`. */
  filters?: readonly number[];
  /** Width of the hidden dense layer. Default 64 (the endothelial thesis's). */
  hidden?: number;
  /** Features F, the penultimate layer (the embedding). Default 16. */
  numFeatures?: number;
  /** Batch norm after each block's activation. Default true. */
  batchNorm?: boolean;
  /** Dropout probability after each block's pooling. Default 0.2. */
  dropout?: number;
  /** Activation of the blocks and dense layers. Default `'leakyRelu'` (the endothelial thesis's). */
  activation?: Activation2D;
  /** Slope of `'leakyRelu'` below zero. Default 0.01 (PyTorch's). */
  negativeSlope?: number;
  /** Seed of PyTorch's default initialisation. Default 0. */
  seed?: number;
}

/** Defaults of {@link CnnClassifierOptions}. */
export const DEFAULT_CNN_CLASSIFIER_OPTIONS = {
  numClasses: 2,
  inputShape: [128, 128, 1] as readonly [number, number, number],
  filters: [16, 32, 64, 128] as readonly number[],
  hidden: 64,
  numFeatures: 16,
  batchNorm: true,
  dropout: 0.2,
  activation: 'leakyRelu' as Activation2D,
  negativeSlope: 0.01,
  seed: 0,
} as const;

type Resolved = Required<CnnClassifierOptions>;

const FN = 'CnnClassifier';

function resolve(options: CnnClassifierOptions): Resolved {
  checkObject(FN, 'options', options);
  const o = withDefaults(FN, DEFAULT_CNN_CLASSIFIER_OPTIONS, options);
  const network = resolveBlockNetwork(FN, o);
  return {
    ...o,
    ...network,
    numClasses: checkInteger(FN, 'options.numClasses', o.numClasses, { min: 2 }),
    hidden: checkInteger(FN, 'options.hidden', o.hidden, { min: 1 }),
  };
}

/**
 * A small CNN classifier after the endothelial thesis's custom classifier (seed 004, §5.3.3):
 * convolution blocks (3×3 "same" convolution → activation → batch norm → 2×2 max-pool →
 * dropout), a global average pool, a hidden dense layer, the embedding dense layer (F) and the
 * class logits. Its penultimate layer is the embedding: `encode` returns the activated output
 * of `embedding`, so a trained classifier is an engine `Encoder`. Images `[B, H, W, C]` →
 * features `[B, F]` → logits `[B, K]`.
 *
 * PyTorch names: `blocks.i.conv`, `blocks.i.norm`, `hidden`, `embedding`, `head`.
 *
 * ```ts
 * const net = new CnnClassifier({ numClasses: 3, inputShape: [64, 64, 2] });
 * const logits = net.eval().logits(images); // [B, 3]
 * ```
 */
export class CnnClassifier extends ImageModel implements Encoder {
  /** The model family, as the run layer registers it. */
  readonly family = 'classifier2d';
  readonly numFeatures: number;
  /** Number of classes K. */
  readonly numClasses: number;
  readonly inputShape: readonly [number, number, number];
  private readonly options: Resolved;
  private readonly blocks: ConvBlocks2D;
  private readonly hidden: Linear;
  private readonly embedding: Linear;
  private readonly head: Linear;
  protected readonly state: ModuleState;

  /** Builds the classifier with PyTorch's default initialisation, seeded by `options.seed`; training mode on. */
  constructor(options: CnnClassifierOptions = {}) {
    super(FN);
    const o = resolve(options);
    this.options = o;
    this.numFeatures = o.numFeatures;
    this.numClasses = o.numClasses;
    this.inputShape = o.inputShape;
    const rng = createRng(o.seed);
    this.blocks = new ConvBlocks2D(rng, { ...o, inChannels: o.inputShape[2] });
    this.hidden = new Linear(rng, { inFeatures: this.blocks.outChannels, outFeatures: o.hidden });
    this.embedding = new Linear(rng, { inFeatures: o.hidden, outFeatures: o.numFeatures });
    this.head = new Linear(rng, { inFeatures: o.numFeatures, outFeatures: o.numClasses });
    this.state = new ModuleState(FN, [
      ...this.blocks.stateEntries('blocks'),
      ...this.hidden.stateEntries('hidden'),
      ...this.embedding.stateEntries('embedding'),
      ...this.head.stateEntries('head'),
    ]);
  }

  /** Rebuilds an untrained classifier from {@link CnnClassifier.config}. */
  static fromConfig(config: Record<string, unknown>): CnnClassifier {
    return new CnnClassifier(config as CnnClassifierOptions);
  }

  /** Images `[B, H, W, C]` → the embedding `[B, F]` (the penultimate layer's activations). */
  encode(images: Tensor): Tensor2D {
    this.checkImages(`${FN}.encode`, images);
    const { activation, negativeSlope } = this.options;
    return tf.tidy(() => {
      const maps = this.blocks.forward(images, this.training, () => this.nextDropoutSeed());
      const hidden = activate2d(
        this.hidden.forward(tf.mean(maps, [1, 2])),
        activation,
        negativeSlope,
      );
      return activate2d(this.embedding.forward(hidden), activation, negativeSlope) as Tensor2D;
    });
  }

  /** Images `[B, H, W, C]` → class logits `[B, K]` (before the softmax). */
  logits(images: Tensor): Tensor2D {
    return tf.tidy(() => this.head.forward(this.encode(images)) as Tensor2D);
  }

  /** The options this classifier was built with (JSON); `new CnnClassifier(config)` rebuilds it untrained. */
  config(): Record<string, unknown> & CnnClassifierOptions {
    const o = this.options;
    return { ...o, inputShape: [...o.inputShape], filters: [...o.filters] };
  }

  /** Frees every tensor the classifier owns. */
  dispose(): void {
    this.blocks.dispose();
    this.hidden.dispose();
    this.embedding.dispose();
    this.head.dispose();
  }
}
