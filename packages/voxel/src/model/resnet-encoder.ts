import type { Rng } from '@cellshape/core';
import { BatchNorm, Conv3d, Linear, type StateEntry } from '@cellshape/engine';
import type { Tensor, Tensor2D, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { kaimingNormalFanOut } from './kaiming-init.js';
import { expansion, ResidualBlock } from './resnet-block.js';
import { RESNET_STAGES, type ResolvedVoxelOptions } from './voxel-options.js';

/** The stage widths of the standard 3D ResNet, before the widen factor. */
export const RESNET_WIDTHS: readonly number[] = [64, 128, 256, 512];

/**
 * Kensho Hara's 3D ResNet as the encoder (cellshape-voxel's `ResNet`, faults fixed): `conv1`
 * 7³ stride 2 padding 3 (no bias) → `bn1` → ReLU → (3³ stride-2 max-pool unless `noMaxPool`) →
 * `layer1..layer4` (stage widths 64, 128, 256, 512 × widenFactor; strides 1, 2, 2, 2; blocks per
 * stage from the depth) → global average pool → `fc` Linear to F. Convolutions start with
 * kaiming-normal (fan out), as Hara's. Volumes `[B, n, n, n, 1]` → `[B, F]`.
 */
export class ResNetEncoder {
  private readonly conv1: Conv3d;
  private readonly bn1: BatchNorm;
  /** `stages[i][j]` is `layer(i + 1).j`. */
  private readonly stages: ResidualBlock[][];
  private readonly fc: Linear;

  constructor(
    private readonly o: ResolvedVoxelOptions,
    rng: Rng,
  ) {
    const widths = RESNET_WIDTHS.map((w) => Math.floor(w * o.widenFactor));
    let channels = widths[0] as number;
    this.conv1 = new Conv3d(rng, {
      inChannels: 1,
      outChannels: channels,
      kernelSize: 7,
      stride: 2,
      padding: 3,
      bias: false,
    });
    this.bn1 = new BatchNorm(channels);
    this.stages = RESNET_STAGES[o.resnetDepth].map((count, stage) => {
      const planes = widths[stage] as number;
      const blocks: ResidualBlock[] = [];
      for (let j = 0; j < count; j++) {
        const stride = j === 0 && stage > 0 ? 2 : 1;
        const block = new ResidualBlock(
          rng,
          o.resnetBlock,
          channels,
          planes,
          stride,
          o.shortcutType,
        );
        channels = block.outChannels;
        blocks.push(block);
      }
      return blocks;
    });
    this.fc = new Linear(rng, {
      inFeatures: (widths[3] as number) * expansion(o.resnetBlock),
      outFeatures: o.numFeatures,
      bias: o.bias,
    });
    for (const conv of [this.conv1, ...this.stages.flat().flatMap((b) => b.convolutions())])
      kaimingNormalFanOut(conv, rng);
  }

  /** Volumes `[B, n, n, n, 1]` → features `[B, F]`. */
  forward(x: Tensor, training: boolean): Tensor2D {
    return tf.tidy(() => {
      let h = tf.relu(this.bn1.apply(this.conv1.forward(x), training));
      // After the ReLU every value is ≥ 0, so zero padding equals PyTorch's −∞ padding.
      if (!this.o.noMaxPool)
        h = tf.maxPool3d(
          tf.pad(h, [
            [0, 0],
            [1, 1],
            [1, 1],
            [1, 1],
            [0, 0],
          ]) as Tensor5D,
          3,
          2,
          'valid',
        );
      for (const block of this.stages.flat()) h = block.forward(h, training);
      return this.fc.forward(tf.mean(h, [1, 2, 3])) as Tensor2D;
    });
  }

  /** The edge of the last stage's cube for an input edge `n` (batch norm needs > 1 value per channel in training). */
  static outputSize(n: number, noMaxPool: boolean): number {
    const half = (m: number): number => Math.floor((m - 1) / 2) + 1;
    let size = half(n);
    if (!noMaxPool) size = half(size);
    for (let stage = 1; stage < 4; stage++) size = half(size);
    return size;
  }

  /** `prefix.conv1`, `prefix.bn1`, `prefix.layer1.0.…`, …, `prefix.fc`. */
  stateEntries(prefix: string): StateEntry[] {
    return [
      ...this.conv1.stateEntries(`${prefix}.conv1`),
      ...this.bn1.stateEntries(`${prefix}.bn1`),
      ...this.stages.flatMap((blocks, i) =>
        blocks.flatMap((block, j) => block.stateEntries(`${prefix}.layer${i + 1}.${j}`)),
      ),
      ...this.fc.stateEntries(`${prefix}.fc`),
    ];
  }

  dispose(): void {
    this.conv1.dispose();
    this.bn1.dispose();
    for (const block of this.stages.flat()) block.dispose();
    this.fc.dispose();
  }
}
