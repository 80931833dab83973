import { createRng, InvalidArgumentError, invalidArgument } from '@cellshape/core';
import {
  type Autoencoder,
  ModuleState,
  registerGradients,
  StateDictModule,
} from '@cellshape/engine';
import type { Scalar, Tensor, Tensor2D, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { voxelLoss } from '../losses/voxel-loss.js';
import { ResNetEncoder } from './resnet-encoder.js';
import { SimpleEncoder } from './simple-encoder.js';
import { VoxelDecoder } from './voxel-decoder.js';
import {
  type ResolvedVoxelOptions,
  resolveVoxelOptions,
  type VoxelAutoEncoderOptions,
} from './voxel-options.js';

/** Output of {@link VoxelAutoEncoder.forward} (a plain object: `tf.dispose(output)` frees it). */
export interface VoxelAutoEncoderOutput {
  /** Encoder output `[B, F]`. */
  features: Tensor2D;
  /** Decoder output, voxel probabilities `[B, n, n, n, 1]`. */
  reconstruction: Tensor5D;
}

const FN = 'VoxelAutoEncoder';

/**
 * The voxel autoencoder of cellshape-voxel (faults fixed, see the package README): a simple
 * strided 3D convolutional encoder or a 3D ResNet (volumes `[B, n, n, n, 1]` → features
 * `[B, F]`) and a transposed-convolution decoder (features → voxel probabilities of the input's
 * shape), with PyTorch's module and parameter names (`encoder.conv1.weight`,
 * `encoder.layer1.0.bn1.running_mean`, `decoder.debedding.weight`, …), state-dict layout and
 * batch-norm semantics, so weights move both ways with PyTorch.
 *
 * ```ts
 * await selectBackend();
 * const model = new VoxelAutoEncoder({ inputShape: [64, 64, 64, 1], numFeatures: 50 });
 * const { features, reconstruction } = model.eval().forward(volumes); // [B, 64, 64, 64, 1]
 * ```
 *
 * Tensors returned by the methods belong to the caller; {@link VoxelAutoEncoder.dispose} frees
 * the weights.
 */
export class VoxelAutoEncoder extends StateDictModule implements Autoencoder {
  /** The model family, as the run layer registers it. */
  readonly family = 'voxel';
  /** The number of features F. */
  readonly numFeatures: number;
  /** The input cube `[n, n, n, 1]`. */
  readonly inputShape: readonly [number, number, number, number];
  private readonly options: ResolvedVoxelOptions;
  private readonly encoder: SimpleEncoder | ResNetEncoder;
  private readonly decoder: VoxelDecoder;
  protected readonly state: ModuleState;
  private mode = true;

  /** Builds the model with PyTorch's initialisation schemes, seeded by `options.seed`; training mode on. */
  constructor(options: VoxelAutoEncoderOptions = {}) {
    super();
    this.options = resolveVoxelOptions(options);
    registerGradients();
    const o = this.options;
    this.numFeatures = o.numFeatures;
    this.inputShape = o.inputShape;
    const root = createRng(o.seed);
    this.encoder =
      o.encoderType === 'simple'
        ? new SimpleEncoder(o, root.fork())
        : new ResNetEncoder(o, root.fork());
    this.decoder = new VoxelDecoder(o, root.fork());
    this.state = new ModuleState(FN, [
      ...this.encoder.stateEntries('encoder'),
      ...this.decoder.stateEntries('decoder'),
    ]);
  }

  /** Rebuilds an untrained model from {@link VoxelAutoEncoder.config}. */
  static fromConfig(config: Record<string, unknown>): VoxelAutoEncoder {
    return new VoxelAutoEncoder(config as VoxelAutoEncoderOptions);
  }

  /** True in training mode (batch statistics, running statistics updated). */
  get training(): boolean {
    return this.mode;
  }

  /** Switches batch norm to training (`true`, default) or evaluation behaviour. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw invalidArgument(`${FN}.train`, 'mode', 'a boolean', mode);
    this.mode = mode;
    return this;
  }

  /** Evaluation mode: batch norm uses the running statistics. */
  eval(): this {
    return this.train(false);
  }

  private checkVolumes(fn: string, volumes: Tensor): asserts volumes is Tensor5D {
    const [n] = this.inputShape;
    const layout = `a float32 tensor of shape [B, ${n}, ${n}, ${n}, 1] (the model's inputShape)`;
    if (!(volumes instanceof tf.Tensor)) throw invalidArgument(fn, 'volumes', layout, volumes);
    const s = volumes.shape;
    if (
      volumes.rank !== 5 ||
      volumes.dtype !== 'float32' ||
      (s[0] as number) < 1 ||
      s.slice(1).some((d, i) => d !== this.inputShape[i])
    )
      throw invalidArgument(fn, 'volumes', layout, s);
    if (this.mode && this.options.encoderType === 'resnet') {
      const last = ResNetEncoder.outputSize(n, this.options.noMaxPool);
      if ((s[0] as number) * last ** 3 < 2)
        throw new InvalidArgumentError(
          `${fn}: batch norm in training mode needs more than one value per channel; the ResNet's last stage is ${last}³, so 'volumes' needs a batch of at least 2 (or use eval())`,
          { fn, arg: 'volumes' },
        );
    }
  }

  private checkFeatures(fn: string, features: Tensor): asserts features is Tensor2D {
    const expected = `a float32 tensor of shape [B, ${this.numFeatures}]`;
    if (!(features instanceof tf.Tensor)) throw invalidArgument(fn, 'features', expected, features);
    if (
      features.rank !== 2 ||
      features.dtype !== 'float32' ||
      features.shape[1] !== this.numFeatures ||
      features.shape[0] === 0
    )
      throw invalidArgument(fn, 'features', expected, features.shape);
  }

  /** Volumes `[B, n, n, n, 1]` (float32, usually 0/1 masks) → features `[B, F]`. */
  encode(volumes: Tensor): Tensor2D {
    this.checkVolumes(`${FN}.encode`, volumes);
    return this.encoder.forward(volumes, this.mode);
  }

  /** Features `[B, F]` → voxel probabilities `[B, n, n, n, 1]` (after a sigmoid). */
  decode(features: Tensor): Tensor5D {
    this.checkFeatures(`${FN}.decode`, features);
    return this.decoder.forward(features, this.mode);
  }

  /** Volumes → `{ features [B, F], reconstruction [B, n, n, n, 1] }`. */
  forward(volumes: Tensor): VoxelAutoEncoderOutput {
    this.checkVolumes(`${FN}.forward`, volumes);
    return tf.tidy(() => {
      const features = this.encoder.forward(volumes, this.mode);
      return { features, reconstruction: this.decoder.forward(features, this.mode) };
    });
  }

  /** The model's loss (`options.loss`, default binary cross-entropy) of masks and reconstructed probabilities. */
  reconstructionLoss(volumes: Tensor, reconstruction: Tensor): Scalar {
    return voxelLoss(this.options.loss, volumes, reconstruction);
  }

  /** The options this model was built with (JSON-serialisable); `new VoxelAutoEncoder(config)` rebuilds it untrained. */
  config(): Record<string, unknown> & VoxelAutoEncoderOptions {
    const o = this.options;
    return { ...o, inputShape: [...o.inputShape], filters: [...o.filters] };
  }

  /** Frees every tensor the model owns. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}
