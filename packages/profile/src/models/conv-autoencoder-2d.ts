import {
  checkInteger,
  checkNumber,
  checkObject,
  checkOneOf,
  createRng,
  invalidArgument,
  type Rng,
  withDefaults,
} from '@cellshape/core';
import {
  type Autoencoder,
  Conv2d,
  ConvTranspose2d,
  ModuleState,
  torchFlatten,
  torchUnflatten,
} from '@cellshape/engine';
import type { Scalar, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { checkBlockOptions, convActivation, convActivationPool } from './conv-blocks.js';
import { ImageModel } from './image-model.js';
import { checkInputShape } from './input-shape.js';

/** Options of {@link ConvAutoEncoder2D}. */
export interface ConvAutoEncoder2DOptions {
  /** Input images `[H, W, C]`, H and W multiples of 2^levels. Default `[128, 128, 1]`. */
  inputShape?: readonly [number, number, number];
  /**
   * Channels per level of the encoder (one 2× max-pool per level; the decoder mirrors them).
   * Default `[8, 16, 32, 64]`: four levels divide 128×128 by 256 in area, as the GBM thesis's
   * U-Net; these widths cost ~17 GFLOP per forward at B = 64 (docs/profile-models.md).
   */
  filters?: readonly number[];
  /** 3×3 convolutions (each followed by ReLU) per level, in the encoder and the decoder. Default 2 (U-Net). */
  convsPerLevel?: number;
  /**
   * Channels of the code, the 1×1 convolution after the last pool: F = (H / 2^L)·(W / 2^L)·codeChannels.
   * Default 1 (128×128 → 64 features, the thesis's).
   */
  codeChannels?: number;
  /** Output activation: `'none'` (any intensity, e.g. z-scored) or `'sigmoid'` (images in [0, 1]). Default `'none'`. */
  outputActivation?: 'none' | 'sigmoid';
  /** Seed of PyTorch's default initialisation. Default 0. */
  seed?: number;
}

/** Defaults of {@link ConvAutoEncoder2DOptions}. */
export const DEFAULT_CONV_AUTOENCODER_2D_OPTIONS = {
  inputShape: [128, 128, 1] as readonly [number, number, number],
  filters: [8, 16, 32, 64] as readonly number[],
  convsPerLevel: 2,
  codeChannels: 1,
  outputActivation: 'none' as 'none' | 'sigmoid',
  seed: 0,
} as const;

type Resolved = Required<ConvAutoEncoder2DOptions>;

const FN = 'ConvAutoEncoder2D';

function resolve(options: ConvAutoEncoder2DOptions): Resolved {
  checkObject(FN, 'options', options);
  const o = withDefaults(FN, DEFAULT_CONV_AUTOENCODER_2D_OPTIONS, options);
  checkBlockOptions(FN, {
    ...o,
    batchNorm: false,
    dropout: 0,
    activation: 'relu',
    negativeSlope: 0,
  });
  checkOneOf(FN, 'options.outputActivation', o.outputActivation, ['none', 'sigmoid']);
  return {
    ...o,
    inputShape: checkInputShape(FN, o.inputShape, o.filters.length),
    filters: [...o.filters],
    convsPerLevel: checkInteger(FN, 'options.convsPerLevel', o.convsPerLevel, { min: 1 }),
    codeChannels: checkInteger(FN, 'options.codeChannels', o.codeChannels, { min: 1 }),
    seed: checkNumber(FN, 'options.seed', o.seed),
  };
}

const conv3 = (rng: Rng, inChannels: number, outChannels: number): Conv2d =>
  new Conv2d(rng, { inChannels, outChannels, kernelSize: 3, padding: 1 });

/**
 * The convolutional autoencoder of the GBM thesis (seed 002, §3.3): a U-Net without its skip
 * connections. Encoder: per level `convsPerLevel` 3×3 convolutions with ReLU, then a 2×2
 * max-pool; a 1×1 convolution to `codeChannels` gives the code, flattened in PyTorch's order to
 * F features. Decoder, the mirror: a 3×3 convolution of the code with ReLU, then per level a
 * 2×2 stride-2 transposed convolution (U-Net's up-convolution) and `convsPerLevel` 3×3
 * convolutions, all with ReLU; a 1×1 convolution back to C channels. Loss: mean squared error.
 * Images `[B, H, W, C]` → features `[B, F]` → reconstruction `[B, H, W, C]`.
 *
 * PyTorch names: `encoder.i.j` (level i, convolution j), `code`, `expand`, `decoder.k.up`,
 * `decoder.k.convs.j` (k = 0 the deepest level), `head`.
 *
 * ```ts
 * const model = new ConvAutoEncoder2D({ inputShape: [64, 64, 1] }); // F = 4·4·1 = 16
 * const z = model.eval().encode(images);                              // [B, 16]
 * ```
 */
export class ConvAutoEncoder2D extends ImageModel implements Autoencoder {
  /** The model family, as the run layer registers it. */
  readonly family = 'autoencoder2d';
  readonly numFeatures: number;
  readonly inputShape: readonly [number, number, number];
  /** The code's PyTorch shape `[codeChannels, H / 2^L, W / 2^L]`. */
  readonly codeShape: readonly [number, number, number];
  private readonly options: Resolved;
  private readonly encoder: Conv2d[][];
  private readonly code: Conv2d;
  private readonly expand: Conv2d;
  private readonly ups: ConvTranspose2d[] = [];
  private readonly decoder: Conv2d[][] = [];
  private readonly head: Conv2d;
  protected readonly state: ModuleState;

  /** Builds the model with PyTorch's default initialisation, seeded by `options.seed`; training mode on. */
  constructor(options: ConvAutoEncoder2DOptions = {}) {
    super(FN);
    const o = resolve(options);
    this.options = o;
    this.inputShape = o.inputShape;
    const { filters, convsPerLevel: n } = o;
    const levels = filters.length;
    const [h, w, c] = o.inputShape;
    this.codeShape = [o.codeChannels, h / 2 ** levels, w / 2 ** levels];
    this.numFeatures = o.codeChannels * this.codeShape[1] * this.codeShape[2];
    const rng = createRng(o.seed);
    const width = (i: number): number => filters[i] as number;
    this.encoder = filters.map((out, i) =>
      Array.from({ length: n }, (_, j) =>
        conv3(rng, j > 0 ? out : i === 0 ? c : width(i - 1), out),
      ),
    );
    const deepest = width(levels - 1);
    const conv1 = (inChannels: number, outChannels: number): Conv2d =>
      new Conv2d(rng, { inChannels, outChannels, kernelSize: 1 });
    this.code = conv1(deepest, o.codeChannels);
    this.expand = conv3(rng, o.codeChannels, deepest);
    for (let i = levels - 1; i >= 0; i--) {
      const from = i === levels - 1 ? deepest : width(i + 1);
      this.ups.push(
        new ConvTranspose2d(rng, {
          inChannels: from,
          outChannels: width(i),
          kernelSize: 2,
          stride: 2,
        }),
      );
      this.decoder.push(Array.from({ length: n }, () => conv3(rng, width(i), width(i))));
    }
    this.head = conv1(width(0), c);
    this.state = new ModuleState(FN, [
      ...this.encoder.flatMap((level, i) =>
        level.flatMap((cv, j) => cv.stateEntries(`encoder.${i}.${j}`)),
      ),
      ...this.code.stateEntries('code'),
      ...this.expand.stateEntries('expand'),
      ...this.ups.flatMap((up, k) => [
        ...up.stateEntries(`decoder.${k}.up`),
        ...(this.decoder[k] as Conv2d[]).flatMap((cv, j) =>
          cv.stateEntries(`decoder.${k}.convs.${j}`),
        ),
      ]),
      ...this.head.stateEntries('head'),
    ]);
  }

  /** Rebuilds an untrained model from {@link ConvAutoEncoder2D.config}. */
  static fromConfig(config: Record<string, unknown>): ConvAutoEncoder2D {
    return new ConvAutoEncoder2D(config as ConvAutoEncoder2DOptions);
  }

  /** Images `[B, H, W, C]` → features `[B, F]` (the code, flattened channel-first). */
  encode(images: Tensor): Tensor2D {
    this.checkImages(`${FN}.encode`, images);
    return tf.tidy(() => {
      let x: Tensor = images;
      for (const level of this.encoder)
        level.forEach((cv, j) => {
          // The level's last convolution, its ReLU and the pool are one fused pass.
          x = j < level.length - 1 ? convActivation(cv, x, 0) : convActivationPool(cv, x, 0);
        });
      return torchFlatten(this.code.forward(x));
    });
  }

  /** Features `[B, F]` → reconstruction `[B, H, W, C]`. */
  decode(features: Tensor): Tensor4D {
    const fn = `${FN}.decode`;
    const expected = `a float32 tensor of shape [B, ${this.numFeatures}]`;
    if (!(features instanceof tf.Tensor)) throw invalidArgument(fn, 'features', expected, features);
    if (
      features.rank !== 2 ||
      features.dtype !== 'float32' ||
      features.shape[1] !== this.numFeatures ||
      features.shape[0] === 0
    )
      throw invalidArgument(fn, 'features', expected, features.shape);
    return tf.tidy(() => {
      let x = tf.relu(this.expand.forward(torchUnflatten(features, this.codeShape)));
      this.ups.forEach((up, k) => {
        x = convActivation(up, x, 0);
        for (const cv of this.decoder[k] as Conv2d[]) x = convActivation(cv, x, 0);
      });
      const y = this.head.forward(x);
      return (this.options.outputActivation === 'sigmoid' ? tf.sigmoid(y) : y) as Tensor4D;
    });
  }

  /** Images → `{ features [B, F], reconstruction [B, H, W, C] }`. */
  forward(images: Tensor): { features: Tensor2D; reconstruction: Tensor4D } {
    return tf.tidy(() => {
      const features = this.encode(images);
      return { features, reconstruction: this.decode(features) };
    });
  }

  /** Mean squared error over every pixel and channel of the batch (PyTorch's `MSELoss()`). */
  reconstructionLoss(images: Tensor, reconstruction: Tensor): Scalar {
    return tf.tidy(() => tf.mean(tf.squaredDifference(images, reconstruction)) as Scalar);
  }

  /** The options this model was built with (JSON); `new ConvAutoEncoder2D(config)` rebuilds it untrained. */
  config(): Record<string, unknown> & ConvAutoEncoder2DOptions {
    const o = this.options;
    return { ...o, inputShape: [...o.inputShape], filters: [...o.filters] };
  }

  /** Frees every tensor the model owns. */
  dispose(): void {
    for (const cv of [
      ...this.encoder.flat(),
      this.code,
      this.expand,
      ...this.decoder.flat(),
      this.head,
    ])
      cv.dispose();
    for (const up of this.ups) up.dispose();
  }
}
