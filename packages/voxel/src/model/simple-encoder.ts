import type { Rng } from '@cellshape/core';
import { BatchNorm, Conv3d, Linear, type StateEntry } from '@cellshape/engine';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { activateNorm, flattenChannelsFirst } from './layout.js';
import { encoderSizes, type ResolvedVoxelOptions } from './voxel-options.js';

/**
 * cellshape-voxel's `ConvolutionalEncoder` (faults fixed): `numLayers` strided convolutions
 * `conv1..convL` (5³ stride 2 padding 2, the last 3³ stride 2 unpadded; channels
 * `filters[0..L−1]`), each followed by the activation and — except the last — batch norm
 * `bn1..bn(L−1)`; then the flattened volume (PyTorch's channels-first order) through the
 * `embedding` Linear to F features. Volumes `[B, n, n, n, 1]` → `[B, F]`.
 */
export class SimpleEncoder {
  private readonly convs: Conv3d[] = [];
  private readonly norms: Array<BatchNorm | undefined> = [];
  private readonly embedding: Linear;

  constructor(
    private readonly o: ResolvedVoxelOptions,
    rng: Rng,
  ) {
    const layers = o.numLayers;
    for (let i = 0; i < layers; i++) {
      const last = i === layers - 1;
      this.convs.push(
        new Conv3d(rng, {
          inChannels: i === 0 ? 1 : (o.filters[i - 1] as number),
          outChannels: o.filters[i] as number,
          kernelSize: last ? 3 : 5,
          stride: 2,
          padding: last ? 0 : 2,
          bias: o.bias,
        }),
      );
      this.norms.push(!last && o.batchNorm ? new BatchNorm(o.filters[i] as number) : undefined);
    }
    const size = encoderSizes(o.inputShape[0], layers)[layers] as number;
    this.embedding = new Linear(rng, {
      inFeatures: size ** 3 * (o.filters[layers - 1] as number),
      outFeatures: o.numFeatures,
      bias: o.bias,
    });
  }

  /** Volumes `[B, n, n, n, 1]` → features `[B, F]`. */
  forward(x: Tensor, training: boolean): Tensor2D {
    const { leaky, negSlope } = this.o;
    return tf.tidy(() => {
      let h = x;
      this.convs.forEach((conv, i) => {
        h = activateNorm(conv.forward(h), this.norms[i], training, leaky, negSlope);
      });
      return this.embedding.forward(flattenChannelsFirst(h)) as Tensor2D;
    });
  }

  /** `prefix.conv1`, `prefix.bn1`, …, `prefix.convL`, `prefix.embedding`. */
  stateEntries(prefix: string): StateEntry[] {
    return [
      ...this.convs.flatMap((conv, i) => [
        ...conv.stateEntries(`${prefix}.conv${i + 1}`),
        ...(this.norms[i]?.stateEntries(`${prefix}.bn${i + 1}`) ?? []),
      ]),
      ...this.embedding.stateEntries(`${prefix}.embedding`),
    ];
  }

  dispose(): void {
    for (const conv of this.convs) conv.dispose();
    for (const norm of this.norms) norm?.dispose();
    this.embedding.dispose();
  }
}
