import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  invalidArgument,
  type Rng,
} from '@cellshape/core';
import {
  activationNormPool,
  activationPool,
  BatchNorm,
  biasActivation,
  Conv2d,
  ConvTranspose2d,
  convolution,
  convolutionTranspose,
  dropoutMask,
  type StateEntry,
} from '@cellshape/engine';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkInputShape } from './input-shape.js';

/** The activation after each convolution of a block. */
export type Activation2D = 'relu' | 'leakyRelu';

/** Options of the convolution blocks shared by the Siamese encoder and the CNN classifier. */
export interface ConvBlocksOptions {
  /** Input channels. */
  inChannels: number;
  /** Output channels per block; one 2× max-pool per block. */
  filters: readonly number[];
  /** Batch norm after the activation of each block. */
  batchNorm: boolean;
  /** Dropout probability after each block's pooling. */
  dropout: number;
  /** The activation. */
  activation: Activation2D;
  /** Slope of `leakyRelu` below zero. */
  negativeSlope: number;
}

/** Applies `activation` (ReLU or LeakyReLU). */
export function activate2d(x: Tensor, activation: Activation2D, negativeSlope: number): Tensor {
  return activation === 'relu' ? tf.relu(x) : tf.leakyRelu(x, negativeSlope);
}

/**
 * The convolution of `conv` without its bias: the fused blocks add the bias themselves, so that
 * the convolution's output is written and read once.
 */
function unbiased(conv: Conv2d, h: Tensor): tf.Tensor4D {
  const { stride, padding } = conv.options;
  return convolution(h, conv.weight.variable, { stride, padding }) as tf.Tensor4D;
}

/**
 * `conv` (a convolution or a transposed one) then LeakyReLU of `slope` (0: ReLU), the bias and
 * activation in one pass.
 */
export function convActivation(conv: Conv2d | ConvTranspose2d, h: Tensor, slope: number): Tensor {
  const bias = conv.bias?.variable;
  if (bias === undefined) return activate(conv.forward(h), slope);
  const product =
    conv instanceof ConvTranspose2d
      ? convolutionTranspose(h, conv.weight.variable, conv.options)
      : unbiased(conv, h);
  return biasActivation(product, bias, slope);
}

/** `conv`, LeakyReLU of `slope` (0: ReLU) and a 2×2 max-pool in one pass after the product. */
export function convActivationPool(conv: Conv2d, h: Tensor, slope: number): tf.Tensor4D {
  return activationPool(unbiased(conv, h), {
    negativeSlope: slope,
    inputBias: conv.bias?.variable,
  });
}

function activate(x: Tensor, slope: number): Tensor {
  return slope === 0 ? tf.relu(x) : tf.leakyRelu(x, slope);
}

/** 2×2 max-pool, then the seeded inverted dropout (engine `dropoutMask`) when given. */
function poolAndDrop(h: Tensor, dropout: { rate: number; seed: number } | undefined): Tensor {
  const pooled = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
  if (dropout === undefined) return pooled;
  return tf.mul(
    pooled,
    tf.tensor(dropoutMask(dropout.seed, pooled.size, dropout.rate), pooled.shape),
  );
}

/** Validates the block options of `fn` (filters, dropout, slope). */
export function checkBlockOptions(fn: string, o: Omit<ConvBlocksOptions, 'inChannels'>): void {
  if (!Array.isArray(o.filters) || o.filters.length === 0)
    throw invalidArgument(fn, 'options.filters', 'a non-empty array of channel counts', o.filters);
  for (const [i, f] of o.filters.entries())
    checkInteger(fn, `options.filters[${i}]`, f, { min: 1 });
  checkNumber(fn, 'options.dropout', o.dropout, { min: 0, max: 1 });
  if (o.dropout >= 1)
    throw invalidArgument(fn, 'options.dropout', 'a probability in [0, 1)', o.dropout);
  checkNumber(fn, 'options.negativeSlope', o.negativeSlope, { min: 0 });
}

/** The options of a network of convolution blocks (the Siamese encoder, the CNN classifier). */
export interface BlockNetworkOptions extends Omit<ConvBlocksOptions, 'inChannels'> {
  inputShape: unknown;
  numFeatures: number;
  seed: number;
}

/**
 * Validates the options such a network of `fn` shares and returns them normalised: the blocks'
 * (filters, dropout, slope, activation), the input shape (H and W divisible by the poolings),
 * the number of features, batch norm and seed.
 */
export function resolveBlockNetwork(fn: string, o: BlockNetworkOptions) {
  checkBlockOptions(fn, o);
  checkOneOf(fn, 'options.activation', o.activation, ['relu', 'leakyRelu']);
  return {
    inputShape: checkInputShape(fn, o.inputShape, o.filters.length),
    filters: [...o.filters],
    numFeatures: checkInteger(fn, 'options.numFeatures', o.numFeatures, { min: 1 }),
    batchNorm: checkBoolean(fn, 'options.batchNorm', o.batchNorm),
    seed: checkNumber(fn, 'options.seed', o.seed),
  };
}

/**
 * A stack of convolution blocks on images `[B, H, W, C]`: per block a 3×3 convolution with
 * "same" padding (`blocks.i.conv`), the activation, optional batch norm (`blocks.i.norm`), a
 * 2×2 max-pool (stride 2, floor) and dropout. Each block halves H and W.
 */
export class ConvBlocks2D {
  private readonly convs: Conv2d[];
  private readonly norms: Array<BatchNorm | undefined>;

  constructor(
    rng: Rng,
    private readonly o: ConvBlocksOptions,
  ) {
    this.convs = o.filters.map(
      (out, i) =>
        new Conv2d(rng, {
          inChannels: i === 0 ? o.inChannels : (o.filters[i - 1] as number),
          outChannels: out,
          kernelSize: 3,
          padding: 1,
        }),
    );
    this.norms = o.filters.map((out) => (o.batchNorm ? new BatchNorm(out) : undefined));
  }

  /** Channels of the last block. */
  get outChannels(): number {
    return this.o.filters.at(-1) as number;
  }

  /**
   * Images → the last block's feature maps `[B, H / 2^L, W / 2^L, filters.at(-1)]`;
   * `dropoutSeed` gives each training-mode dropout draw its seed (the model's seeded dropout).
   * With batch norm, bias → activation → norm → pool → dropout is one engine block
   * (`activationNormPool`, a fused kernel on the threaded wasm backend).
   */
  forward(x: Tensor, training: boolean, dropoutSeed: () => number): Tensor {
    const { activation, negativeSlope, dropout: rate } = this.o;
    const slope = activation === 'relu' ? 0 : negativeSlope;
    return tf.tidy(() => {
      let h = x;
      this.convs.forEach((conv, i) => {
        const dropout = training && rate > 0 ? { rate, seed: dropoutSeed() } : undefined;
        const norm = this.norms[i];
        h = norm
          ? activationNormPool(unbiased(conv, h), norm, {
              training,
              negativeSlope: slope,
              dropout,
              inputBias: conv.bias?.variable,
            })
          : poolAndDrop(activate2d(conv.forward(h), activation, negativeSlope), dropout);
      });
      return h;
    });
  }

  /** `prefix.i.conv.weight`, `prefix.i.conv.bias`, `prefix.i.norm.*` per block. */
  stateEntries(prefix: string): StateEntry[] {
    return this.convs.flatMap((conv, i) => [
      ...conv.stateEntries(`${prefix}.${i}.conv`),
      ...(this.norms[i]?.stateEntries(`${prefix}.${i}.norm`) ?? []),
    ]);
  }

  dispose(): void {
    for (const conv of this.convs) conv.dispose();
    for (const norm of this.norms) norm?.dispose();
  }
}
