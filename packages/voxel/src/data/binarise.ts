import { invalidArgument } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';
import { checkVolume } from './volume-geometry.js';

/** Options of {@link binariseMask}. */
export interface BinariseOptions {
  /**
   * `null` (default): the volume must already be a binary mask — 0 and at most one other value
   * (0/1, 0/255, …) — and every non-zero voxel becomes 1; a volume with several non-zero
   * values (a label image, a probability map) throws, because silently merging labels or
   * guessing a cut-off changes the shape. A number: voxels strictly above it become 1 (for
   * probability maps or intensities, where the user chooses the cut-off).
   */
  threshold?: number | null;
}

/** Defaults of {@link BinariseOptions}. */
export const DEFAULT_BINARISE_OPTIONS: Readonly<{ threshold: number | null }> = {
  threshold: null,
};

/**
 * A 0/1 `Uint8Array` mask of `volume` (shape and spacing kept): see
 * {@link BinariseOptions.threshold} for the rule.
 *
 * @throws InvalidArgumentError naming `volume` when it is not binary and no threshold is given
 *   (the message counts its distinct non-zero values), or naming `options.threshold`.
 */
export function binariseMask(volume: Volume, options: BinariseOptions = {}): Volume<Uint8Array> {
  const fn = 'binariseMask';
  checkVolume(fn, 'volume', volume);
  const threshold = options.threshold ?? DEFAULT_BINARISE_OPTIONS.threshold;
  if (threshold !== null && !Number.isFinite(threshold))
    throw invalidArgument(fn, 'options.threshold', 'a finite number or null', threshold);
  const { data } = volume;
  const out = new Uint8Array(data.length);
  if (threshold !== null) {
    for (let i = 0; i < data.length; i++) out[i] = data[i]! > threshold ? 1 : 0;
  } else {
    let foreground = 0;
    const values = new Set<number>();
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === 0) continue;
      if (v !== foreground) {
        values.add(v);
        if (Number.isNaN(v) || values.size > 1)
          throw invalidArgument(
            fn,
            'volume',
            `a binary mask (0 and one other value), found ${
              Number.isNaN(v)
                ? 'NaN'
                : `the values ${[...values]
                    .slice(0, 3)
                    .map((x) => Number(x.toPrecision(6)))
                    .join(', ')}${values.size > 3 ? ', …' : ''}`
            }; split a label image by label (objects 'labels') or give a threshold`,
          );
        foreground = v;
      }
      out[i] = 1;
    }
  }
  const result: Volume<Uint8Array> = { data: out, shape: [...volume.shape] };
  if (volume.spacing) result.spacing = [...volume.spacing];
  return result;
}
