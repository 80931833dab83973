import {
  checkInteger,
  checkObject,
  invalidArgument,
  type Metadata,
  type ProgressCallback,
  reportProgress,
  withDefaults,
} from '@cellshape/core';
import { type Encoder, isEncoder } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { Image2D } from '../types.js';
import type { Embeddings } from './embed-crops.js';

/** Options of {@link embedImages}. */
export interface EmbedImagesOptions {
  /** Tile edge in pixels. Default: the encoder's input height (`inputShape[0]`). */
  tileSize?: number;
  /** Step between tiles. Default: `tileSize` (tiles side by side). */
  stride?: number;
  /** Tiles per forward pass. Default 64. */
  batchSize?: number;
  /** Metadata per image (copied to the result). Default `{}` each. */
  metadata?: readonly Metadata[];
  /** Progress per image (`phase: 'extract'`). */
  onProgress?: ProgressCallback;
}

/** An image encoder with its input shape (every model of this package). */
export type ImageEncoder = Encoder & { readonly inputShape: readonly [number, number, number] };

const FN = 'embedImages';

/** Tile origins along an axis of `size`: every `stride`, the last one flush with the end. */
export function tileOrigins(size: number, tile: number, stride: number): number[] {
  const origins: number[] = [];
  for (let o = 0; o + tile <= size; o += stride) origins.push(o);
  const last = size - tile;
  if (origins.at(-1) !== last) origins.push(last);
  return origins;
}

/** The tiles of one image, `count × tile × tile × C`. */
function cutTiles(
  image: Image2D,
  tile: number,
  stride: number,
): { data: Float32Array; count: number } {
  const [h, w, c] = image.shape;
  const ys = tileOrigins(h, tile, stride);
  const xs = tileOrigins(w, tile, stride);
  const data = new Float32Array(ys.length * xs.length * tile * tile * c);
  let t = 0;
  for (const y0 of ys)
    for (const x0 of xs) {
      for (let y = 0; y < tile; y++) {
        const from = ((y0 + y) * w + x0) * c;
        const row = image.data.subarray(from, from + tile * c);
        data.set(row as ArrayLike<number>, (t * tile + y) * tile * c);
      }
      t++;
    }
  return { data, count: t };
}

/**
 * Whole-image embeddings by tiling (the endothelial pipeline's): each image is cut into
 * `tileSize × tileSize` tiles every `stride` pixels (the last row and column of tiles flush
 * with the image's edges, so every pixel is covered), every tile is encoded by the encoder in
 * evaluation mode, and the image's embedding is the mean of its tiles' embeddings.
 *
 * ```ts
 * const { features } = await embedImages(autoencoder, images, { ids, stride: 64 });
 * ```
 *
 * @throws InvalidArgumentError for images smaller than a tile, of another channel count than the
 *   encoder's, holding non-finite values, or a tile size other than the encoder's input.
 */
export async function embedImages(
  encoder: ImageEncoder,
  images: readonly Image2D[],
  ids: readonly string[],
  options: EmbedImagesOptions = {},
): Promise<Embeddings> {
  if (!isEncoder(encoder) || !Array.isArray((encoder as Partial<ImageEncoder>).inputShape))
    throw invalidArgument(FN, 'encoder', 'an image Encoder with an inputShape [H, W, C]', encoder);
  const [th, tw, channels] = encoder.inputShape;
  checkObject(FN, 'options', options);
  const o = withDefaults(FN, { tileSize: th, batchSize: 64 }, options);
  const tile = checkInteger(FN, 'options.tileSize', o.tileSize, { min: 1 });
  if (tile !== th || tile !== tw)
    throw invalidArgument(FN, 'options.tileSize', `the encoder's input size ${th}×${tw}`, tile);
  const stride = checkInteger(FN, 'options.stride', o.stride ?? tile, { min: 1 });
  const batchSize = checkInteger(FN, 'options.batchSize', o.batchSize, { min: 1 });
  if (!Array.isArray(images)) throw invalidArgument(FN, 'images', 'an array of Image2D', images);
  if (!Array.isArray(ids) || ids.length !== images.length)
    throw invalidArgument(FN, 'ids', `${images.length} ids`, ids?.length);
  const metadata = o.metadata ?? images.map(() => ({}));
  if (metadata.length !== images.length)
    throw invalidArgument(FN, 'options.metadata', `${images.length} rows`, metadata.length);
  for (const [i, image] of images.entries()) checkImage(image, i, tile, channels);
  const f = encoder.numFeatures;
  const features = new Float32Array(images.length * f);
  const wasTraining = encoder.training;
  encoder.eval();
  try {
    for (const [i, image] of images.entries()) {
      features.set(meanTileEmbedding(encoder, image, tile, stride, batchSize), i * f);
      reportProgress(o.onProgress, {
        phase: 'extract',
        done: i + 1,
        total: images.length,
        message: `${i + 1}/${images.length} images`,
      });
    }
  } finally {
    encoder.train(wasTraining);
  }
  return { ids: [...ids], metadata: [...metadata], features, numFeatures: f };
}

/** The mean of the embeddings of an image's tiles, `batchSize` tiles per forward pass. */
function meanTileEmbedding(
  encoder: ImageEncoder,
  image: Image2D,
  tile: number,
  stride: number,
  batchSize: number,
): Float32Array {
  const f = encoder.numFeatures;
  const channels = image.shape[2];
  const { data, count } = cutTiles(image, tile, stride);
  const sum = new Float64Array(f);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(start + batchSize, count);
    const part = data.subarray(start * tile * tile * channels, end * tile * tile * channels);
    const z = tf.tidy(() => encoder.encode(tf.tensor4d(part, [end - start, tile, tile, channels])));
    const values = z.dataSync();
    z.dispose();
    for (let r = 0; r < end - start; r++)
      for (let k = 0; k < f; k++) sum[k]! += values[r * f + k] as number;
  }
  return Float32Array.from(sum, (v) => v / count);
}

function checkImage(image: Image2D, i: number, tile: number, channels: number): void {
  const arg = `images[${i}]`;
  const s = image?.shape;
  if (!Array.isArray(s) || s.length !== 3 || image.data?.length !== s[0] * s[1] * s[2])
    throw invalidArgument(FN, arg, 'an Image2D { data, shape: [H, W, C] }', s);
  if (s[2] !== channels)
    throw invalidArgument(FN, arg, `${channels} channel(s), as the encoder`, s);
  if (s[0] < tile || s[1] < tile)
    throw invalidArgument(FN, arg, `at least ${tile}×${tile} pixels (one tile)`, s);
  const data = image.data as ArrayLike<number>;
  for (let j = 0; j < data.length; j++)
    if (!Number.isFinite(data[j])) throw invalidArgument(FN, arg, 'finite pixel values', data[j]);
}
