import type { Rng } from '@cellshape/core';
import { BatchNorm, Conv3d, type StateEntry } from '@cellshape/engine';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { ResNetBlock, ShortcutType } from './voxel-options.js';

/** Output channels per `planes` of a block: 1 (basic) or 4 (bottleneck). */
export function expansion(block: ResNetBlock): number {
  return block === 'basic' ? 1 : 4;
}

/**
 * Shortcut A: the identity taken every `stride` voxels (PyTorch's `avg_pool3d` with kernel 1)
 * and zero channels appended up to `channels`. Parameter-free; unlike cellshape-voxel (which
 * concatenated `out.data`), the gradient flows through it.
 */
export function zeroPadShortcut(x: Tensor, stride: number, channels: number): Tensor {
  return tf.tidy(() => {
    let h = x;
    if (stride > 1)
      for (const axis of [1, 2, 3]) {
        const size = h.shape[axis] as number;
        const picks = tf.range(0, size, stride, 'int32');
        h = tf.gather(h, picks, axis);
      }
    const extra = channels - (h.shape[4] as number);
    return extra > 0
      ? tf.pad(h, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
          [0, extra],
        ])
      : h;
  });
}

interface ConvBn {
  conv: Conv3d;
  norm: BatchNorm;
}

function convBn(rng: Rng, inC: number, outC: number, kernel: 1 | 3, stride: number): ConvBn {
  return {
    conv: new Conv3d(rng, {
      inChannels: inC,
      outChannels: outC,
      kernelSize: kernel,
      stride,
      padding: kernel === 3 ? 1 : 0,
      bias: false,
    }),
    norm: new BatchNorm(outC),
  };
}

/**
 * One residual block of Hara et al.'s 3D ResNet, with PyTorch's names:
 * * basic: `conv1` 3³ (stride s) → `bn1` → ReLU → `conv2` 3³ → `bn2`;
 * * bottleneck: `conv1` 1³ → `bn1` → ReLU → `conv2` 3³ (stride s) → `bn2` → ReLU → `conv3` 1³
 *   (4·planes) → `bn3`;
 * plus the shortcut (identity; where the size or width changes, A: {@link zeroPadShortcut}, B:
 * `downsample.0` 1³ convolution stride s → `downsample.1` batch norm), then ReLU.
 */
export class ResidualBlock {
  /** The convolutions, `conv1..conv3` with their batch norms. */
  readonly layers: ConvBn[];
  /** Shortcut B's convolution and batch norm, when this block has one. */
  readonly downsample: ConvBn | undefined;
  readonly outChannels: number;

  constructor(
    rng: Rng,
    block: ResNetBlock,
    inChannels: number,
    planes: number,
    readonly stride: number,
    readonly shortcut: ShortcutType,
  ) {
    this.outChannels = planes * expansion(block);
    this.layers =
      block === 'basic'
        ? [convBn(rng, inChannels, planes, 3, stride), convBn(rng, planes, planes, 3, 1)]
        : [
            convBn(rng, inChannels, planes, 1, 1),
            convBn(rng, planes, planes, 3, stride),
            convBn(rng, planes, this.outChannels, 1, 1),
          ];
    const resize = stride !== 1 || inChannels !== this.outChannels;
    this.downsample =
      resize && shortcut === 'B' ? convBn(rng, inChannels, this.outChannels, 1, stride) : undefined;
    this.resize = resize;
  }

  private readonly resize: boolean;

  forward(x: Tensor, training: boolean): Tensor {
    return tf.tidy(() => {
      let h = x;
      // BatchNorm → ReLU between the convolutions (fused into the norm's passes outside a tape).
      this.layers.forEach(({ conv, norm }, i) => {
        h = norm.apply(conv.forward(h), training, i < this.layers.length - 1 ? { after: 0 } : {});
      });
      let identity = x;
      if (this.downsample)
        identity = this.downsample.norm.apply(this.downsample.conv.forward(x), training);
      else if (this.resize) identity = zeroPadShortcut(x, this.stride, this.outChannels);
      return tf.relu(tf.add(h, identity));
    });
  }

  /** Every convolution of the block (for the ResNet's initialisation). */
  convolutions(): Conv3d[] {
    return [...this.layers.map((l) => l.conv), ...(this.downsample ? [this.downsample.conv] : [])];
  }

  stateEntries(prefix: string): StateEntry[] {
    const entries = this.layers.flatMap(({ conv, norm }, i) => [
      ...conv.stateEntries(`${prefix}.conv${i + 1}`),
      ...norm.stateEntries(`${prefix}.bn${i + 1}`),
    ]);
    if (this.downsample)
      entries.push(
        ...this.downsample.conv.stateEntries(`${prefix}.downsample.0`),
        ...this.downsample.norm.stateEntries(`${prefix}.downsample.1`),
      );
    return entries;
  }

  dispose(): void {
    for (const { conv, norm } of [...this.layers, ...(this.downsample ? [this.downsample] : [])]) {
      conv.dispose();
      norm.dispose();
    }
  }
}
