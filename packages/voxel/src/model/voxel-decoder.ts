import type { Rng } from '@cellshape/core';
import { BatchNorm, ConvTranspose3d, Linear, type StateEntry } from '@cellshape/engine';
import type { Tensor, Tensor5D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { activate, activateNorm, unflattenChannelsFirst } from './layout.js';
import { encoderSizes, type ResolvedVoxelOptions } from './voxel-options.js';

/**
 * cellshape-voxel's `ConvolutionalDecoder` (faults fixed), the simple encoder mirrored: the
 * `debedding` Linear F → C·s³, reshaped to the encoder's last volume (channels-first order) and
 * activated; then `deconvL..deconv1` (the first 3³ stride 2 unpadded, the others 5³ stride 2
 * padding 2), each output padding chosen so that every level has the encoder's size, each but
 * the last followed by the activation and batch norm `bnL..bn2`; the last maps to one channel
 * and a sigmoid gives voxel probabilities. Features `[B, F]` → `[B, n, n, n, 1]`.
 */
export class VoxelDecoder {
  private readonly debedding: Linear;
  /** `deconvs[i]` is `deconv(i + 1)`. */
  private readonly deconvs: ConvTranspose3d[] = [];
  /** `norms[i]` follows `deconv(i + 1)`; none after deconv1. */
  private readonly norms: Array<BatchNorm | undefined> = [];
  private readonly sizes: number[];

  constructor(
    private readonly o: ResolvedVoxelOptions,
    rng: Rng,
  ) {
    const layers = o.numLayers;
    this.sizes = encoderSizes(o.inputShape[0], layers);
    const channels = (level: number): number =>
      level === 0 ? 1 : (o.filters[level - 1] as number);
    const last = this.sizes[layers] as number;
    this.debedding = new Linear(rng, {
      inFeatures: o.numFeatures,
      outFeatures: channels(layers) * last ** 3,
      bias: o.bias,
    });
    for (let level = layers; level >= 1; level--) {
      const first = level === layers;
      const kernel = first ? 3 : 5;
      const padding = first ? 0 : 2;
      const from = this.sizes[level] as number;
      const full = (from - 1) * 2 - 2 * padding + kernel;
      this.deconvs[level - 1] = new ConvTranspose3d(rng, {
        inChannels: channels(level),
        outChannels: channels(level - 1),
        kernelSize: kernel,
        stride: 2,
        padding,
        outputPadding: (this.sizes[level - 1] as number) - full,
        bias: o.bias,
      });
      this.norms[level - 1] =
        level > 1 && o.batchNorm ? new BatchNorm(channels(level - 1)) : undefined;
    }
  }

  /** Features `[B, F]` → probabilities `[B, n, n, n, 1]`. */
  forward(features: Tensor, training: boolean): Tensor5D {
    const { leaky, negSlope, numLayers } = this.o;
    const filters = this.o.filters[numLayers - 1] as number;
    return tf.tidy(() => {
      const flat = this.debedding.forward(features);
      let h = activate(
        unflattenChannelsFirst(flat, filters, this.sizes[numLayers] as number),
        leaky,
        negSlope,
      );
      for (let level = numLayers; level >= 2; level--) {
        const deconv = this.deconvs[level - 1] as ConvTranspose3d;
        h = activateNorm(deconv.forward(h), this.norms[level - 1], training, leaky, negSlope);
      }
      return tf.sigmoid((this.deconvs[0] as ConvTranspose3d).forward(h)) as Tensor5D;
    });
  }

  /**
   * The shape after the reshape and after each transposed convolution for a batch of `batch`,
   * from the layers' own output-size formulas (PyTorch's): `[B, s, s, s, C]`, …, `[B, n, n, n, 1]`.
   */
  layerShapes(batch = 1): number[][] {
    const { numLayers, filters } = this.o;
    const size = this.sizes[numLayers] as number;
    const shapes = [[batch, size, size, size, filters[numLayers - 1] as number]];
    for (let level = numLayers; level >= 1; level--)
      shapes.push(
        (this.deconvs[level - 1] as ConvTranspose3d).outputShape(shapes.at(-1) as number[]),
      );
    return shapes;
  }

  /** `prefix.debedding`, `prefix.deconvL`, `prefix.bnL`, …, `prefix.deconv2`, `prefix.bn2`, `prefix.deconv1`. */
  stateEntries(prefix: string): StateEntry[] {
    const entries = this.debedding.stateEntries(`${prefix}.debedding`);
    for (let level = this.o.numLayers; level >= 1; level--) {
      entries.push(
        ...(this.deconvs[level - 1] as ConvTranspose3d).stateEntries(`${prefix}.deconv${level}`),
      );
      const norm = this.norms[level - 1];
      if (norm) entries.push(...norm.stateEntries(`${prefix}.bn${level}`));
    }
    return entries;
  }

  dispose(): void {
    this.debedding.dispose();
    for (const deconv of this.deconvs) deconv.dispose();
    for (const norm of this.norms) norm?.dispose();
  }
}
