import {
  checkObject,
  epochOrder,
  invalidArgument,
  type Metadata,
  withDefaults,
} from '@cellshape/core';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from '@cellshape/engine';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** Crops held in memory, channels last: crop i, row y, column x, channel c at `((i·S + y)·S + x)·C + c`. */
export interface CropArrays {
  /** Pixel values, `n × S × S × C` (or `n × H × W × C`). */
  data: Float32Array;
  /** `[n, H, W, C]`. */
  shape: readonly [number, number, number, number];
  /** One id per crop. */
  ids: readonly string[];
  /** Optional cell masks, `n × H × W` (non-zero inside the cell), for mask-aware views (PBR / FBR). */
  masks?: Uint8Array;
  /** Optional metadata per crop (well, treatment, label, …). Default `{}` each. */
  metadata?: readonly Metadata[];
}

/** A batch of a {@link CropDataset}: the engine's batch plus the raw pixels and masks for view functions. */
export interface CropBatch extends DatasetBatch {
  /** The crops `[B, H, W, C]` (the consumer disposes it). */
  readonly input: Tensor4D;
  /** The same pixels as a plain array, `B × H × W × C`. */
  readonly data: Float32Array;
  /** `[B, H, W, C]`. */
  readonly shape: readonly [number, number, number, number];
  /** The batch's masks `B × H × W`, when the dataset has masks. */
  readonly masks?: Uint8Array;
}

const FN = 'CropDataset';

/**
 * An engine `Dataset` over crops held in memory (what the crop readers of this package
 * produce): batches `[B, H, W, C]` in seeded epoch orders (core's `epochOrder`), carrying the
 * raw pixels and masks too, so a view function (augmentation) can work on plain arrays.
 *
 * ```ts
 * const dataset = new CropDataset({ data, shape: [n, 64, 64, 1], ids });
 * for (const batch of dataset.batches({ batchSize: 32, shuffle: true, seed: 0, epoch: 0, dropLast: true }))
 *   batch.input.dispose();
 * ```
 */
export class CropDataset implements Dataset<CropBatch> {
  readonly length: number;
  readonly ids: readonly string[];
  readonly metadata: readonly Metadata[];
  /** `[H, W, C]` of every crop. */
  readonly cropShape: readonly [number, number, number];
  private readonly data: Float32Array;
  private readonly masks: Uint8Array | undefined;

  /** @throws InvalidArgumentError when the arrays disagree with `shape` or hold non-finite pixels. */
  constructor(crops: CropArrays) {
    checkObject(FN, 'crops', crops);
    const { data, shape, ids, masks } = crops;
    if (
      !Array.isArray(shape) ||
      shape.length !== 4 ||
      !shape.every((v, i) => Number.isInteger(v) && v >= (i === 0 ? 0 : 1))
    )
      throw invalidArgument(FN, 'crops.shape', '[n, H, W, C] of integers (H, W, C ≥ 1)', shape);
    const [n, h, w, c] = shape;
    if (!(data instanceof Float32Array) || data.length !== n * h * w * c)
      throw invalidArgument(
        FN,
        'crops.data',
        `a Float32Array of ${n}·${h}·${w}·${c} values`,
        data?.length,
      );
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw invalidArgument(
        FN,
        'crops.data',
        'finite pixel values',
        `${data[bad]} in crop ${Math.floor(bad / (h * w * c))}`,
      );
    if (!Array.isArray(ids) || ids.length !== n || !ids.every((id) => typeof id === 'string'))
      throw invalidArgument(FN, 'crops.ids', `${n} string ids`, ids?.length);
    if (masks !== undefined && (!(masks instanceof Uint8Array) || masks.length !== n * h * w))
      throw invalidArgument(
        FN,
        'crops.masks',
        `a Uint8Array of ${n}·${h}·${w} values`,
        masks?.length,
      );
    const metadata = crops.metadata ?? ids.map(() => ({}));
    if (!Array.isArray(metadata) || metadata.length !== n)
      throw invalidArgument(FN, 'crops.metadata', `${n} rows`, metadata?.length);
    this.length = n;
    this.ids = [...ids];
    this.metadata = metadata;
    this.cropShape = [h, w, c];
    this.data = data;
    this.masks = masks;
  }

  /** The batches of one pass (see the engine's `DatasetBatchOptions`). */
  *batches(options: DatasetBatchOptions): Generator<CropBatch> {
    const o = withDefaults(
      `${FN}.batches`,
      { shuffle: false, seed: 0, epoch: 0, dropLast: false },
      options,
    );
    const size = o.batchSize;
    if (!Number.isInteger(size) || size < 1)
      throw invalidArgument(`${FN}.batches`, 'options.batchSize', 'an integer ≥ 1', size);
    const order = epochOrder(this.length, o);
    const [h, w, c] = this.cropShape;
    const pixels = h * w * c;
    for (let start = 0; start < this.length; start += size) {
      const end = Math.min(start + size, this.length);
      if (o.dropLast && end - start < size) break;
      const indices = Array.from(order.subarray(start, end));
      const data = new Float32Array(indices.length * pixels);
      for (const [b, i] of indices.entries())
        data.set(this.data.subarray(i * pixels, (i + 1) * pixels), b * pixels);
      const shape = [indices.length, h, w, c] as const;
      const batch = {
        ids: indices.map((i) => this.ids[i] as string),
        indices,
        input: tf.tensor4d(data, [...shape]),
        data,
        shape,
      };
      if (!this.masks) {
        yield batch;
        continue;
      }
      const masks = new Uint8Array(indices.length * h * w);
      const masksOf = this.masks;
      for (const [b, i] of indices.entries())
        masks.set(masksOf.subarray(i * h * w, (i + 1) * h * w), b * h * w);
      yield { ...batch, masks };
    }
  }
}
