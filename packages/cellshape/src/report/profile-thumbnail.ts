import { invalidArgument, type TypedArray } from '@cellshape/core';
import { greyPngDataUrl } from './grey-png.js';

/** A 2-D image, channels last (`@cellshape/profile`'s `Image2D`). */
export interface ThumbnailSource {
  data: TypedArray | Float32Array;
  /** `[height, width, channels]`. */
  shape: readonly [number, number, number];
}

/** Options of {@link thumbnailDataUrl}. */
export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels; larger images are box-averaged down. Default 64. */
  size?: number;
  /** Channel shown. Default 0. */
  channel?: number;
  /** Display range: the `[lo, hi]` quantiles of the channel map to black and white. Default [0.01, 0.99]. */
  quantiles?: readonly [number, number];
}

/** Defaults of {@link ThumbnailOptions}. */
export const DEFAULT_THUMBNAIL_OPTIONS = {
  size: 64,
  channel: 0,
  quantiles: [0.01, 0.99] as const,
} as const;

/**
 * A small greyscale PNG of one channel of an image, as a `data:image/png;base64,…` URL for the
 * report's crop galleries: downsampled by an integer box average to at most `size` pixels per
 * side, contrast stretched between two quantiles of the channel (NaN shown black).
 */
export function thumbnailDataUrl(image: ThumbnailSource, options: ThumbnailOptions = {}): string {
  const fn = 'thumbnailDataUrl';
  const { size, channel, quantiles } = { ...DEFAULT_THUMBNAIL_OPTIONS, ...options };
  const [h, w, c] = image.shape;
  if (!(h > 0 && w > 0 && c > 0) || image.data.length !== h * w * c)
    throw invalidArgument(fn, 'image', 'data of length height × width × channels', image.shape);
  if (!Number.isInteger(channel) || channel < 0 || channel >= c)
    throw invalidArgument(fn, 'options.channel', `an integer in [0, ${c - 1}]`, channel);
  const step = Math.max(1, Math.ceil(Math.max(h, w) / size));
  const [th, tw] = [Math.floor(h / step), Math.floor(w / step)];
  const small = new Float64Array(th * tw);
  for (let y = 0; y < th * step; y++)
    for (let x = 0; x < tw * step; x++) {
      const v = Number(image.data[(y * w + x) * c + channel]);
      small[Math.floor(y / step) * tw + Math.floor(x / step)]! += Number.isFinite(v) ? v : 0;
    }
  const sorted = Float64Array.from(small).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const lo = at(quantiles[0]);
  const span = at(quantiles[1]) - lo || 1;
  const data = new Uint8Array(th * tw);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, Math.round((255 * (small[i]! - lo)) / span)));
  return greyPngDataUrl({ data, width: tw, height: th });
}
