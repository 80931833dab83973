import {
  checkInteger,
  checkNumber,
  checkOneOf,
  createRng,
  deriveSeed,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import type { Image2D } from '../types.js';
import {
  CELL_FAMILIES_2D,
  type CellFamily2D,
  checkCell2DOptions,
  checkFamily2D,
  drawLocalMask,
} from './families-2d.js';
import { renderField, SYNTHETIC_MODALITIES_2D, type SyntheticModality2D } from './render-field.js';

/** Options of {@link syntheticCrops2D}. */
export interface SyntheticCrops2DOptions {
  /** Seed of every random choice. Default 0. */
  seed?: number;
  /** Families drawn, in this order; a crop's `label` indexes this list. Default all five. */
  families?: readonly CellFamily2D[];
  /** Crops per family, so classes are balanced. Default 16. */
  count?: number;
  /** Edge of the square crops in pixels. Default 64. */
  size?: number;
  /** Nominal cell body radius in pixels. Default `size / 8`. */
  radius?: number;
  /** `'phase'` (1 channel) or `'fluorescence'` (2 channels). Default `'phase'`. */
  modality?: SyntheticModality2D;
  /** Pixel noise standard deviation relative to the cell signal. Default 0.03. */
  imageNoise?: number;
  /** Largest shift of the cell's centre from the crop centre, in pixels. Default 2. */
  jitter?: number;
}

/** Defaults of {@link SyntheticCrops2DOptions} (`radius` defaults to `size / 8`). */
export const DEFAULT_SYNTHETIC_CROPS_2D_OPTIONS = {
  seed: 0,
  families: CELL_FAMILIES_2D,
  count: 16,
  size: 64,
  modality: 'phase',
  imageNoise: 0.03,
  jitter: 2,
} as const satisfies Omit<Required<SyntheticCrops2DOptions>, 'radius'>;

/** The result of {@link syntheticCrops2D}: crops grouped by family, `count` of each. */
export interface SyntheticCrops2D {
  /** 16-bit crops `[size, size, channels]`, one cell each near the centre. */
  images: Image2D<Uint16Array>[];
  /** The cell's mask in each crop `[size, size, 1]` (0/1). */
  masks: Image2D<Uint8Array>[];
  /** `<family>-<index within family>`, e.g. `'lobed-3'`. */
  ids: string[];
  /** Index of each crop's family in `families`. */
  labels: Int32Array;
  families: CellFamily2D[];
}

/**
 * Single-cell crops of drawn cells, balanced over families, without fields or tables: the
 * quickest labelled 2-D data for tests and for checking that an encoder separates shapes. Each
 * crop holds one cell (shrunk to fit when it would leave the crop) within `jitter` pixels of
 * the centre, rendered as {@link syntheticExperiment2D} renders fields, but with no background
 * gradient. Crop `i` of family `f` uses the seed `deriveSeed(seed, f, i)`.
 *
 * ```ts
 * const { images, masks, labels } = syntheticCrops2D({ count: 8, size: 64, seed: 1 }); // 40 crops
 * ```
 */
export function syntheticCrops2D(options?: SyntheticCrops2DOptions): SyntheticCrops2D {
  const fn = 'syntheticCrops2D';
  const o = withDefaults(fn, DEFAULT_SYNTHETIC_CROPS_2D_OPTIONS, options);
  checkInteger(fn, 'count', o.count, { min: 1, max: 100_000 });
  checkInteger(fn, 'size', o.size, { min: 16, max: 1024 });
  checkOneOf(fn, 'modality', o.modality, SYNTHETIC_MODALITIES_2D);
  checkNumber(fn, 'imageNoise', o.imageNoise, { min: 0, max: 10 });
  checkInteger(fn, 'jitter', o.jitter, { min: 0, max: Math.floor(o.size / 4) });
  if (!Array.isArray(o.families) || o.families.length === 0)
    throw invalidArgument(fn, 'families', 'a non-empty array of family names', o.families);
  for (const [i, f] of o.families.entries()) checkFamily2D(fn, `families[${i}]`, f);
  const radius = o.radius ?? o.size / 8;
  const cell = checkCell2DOptions(fn, { seed: o.seed, radius, noise: 0.12, sizeJitter: 0.15 });
  const out: SyntheticCrops2D = {
    images: [],
    masks: [],
    ids: [],
    labels: new Int32Array(o.count * o.families.length),
    families: [...o.families],
  };
  o.families.forEach((family, label) => {
    for (let i = 0; i < o.count; i++) {
      const seed = deriveSeed(o.seed, family, i);
      const { image, mask } = drawCrop(family, seed, o.size, cell.radius, o.jitter, {
        modality: o.modality,
        noise: o.imageNoise,
      });
      out.labels[out.ids.length] = label;
      out.ids.push(`${family}-${i}`);
      out.images.push(image);
      out.masks.push(mask);
    }
  });
  return out;
}

/** One crop: a cell drawn at `radius` (smaller when it would not fit), near the centre. */
function drawCrop(
  family: CellFamily2D,
  seed: number,
  size: number,
  radius: number,
  jitter: number,
  look: { modality: SyntheticModality2D; noise: number },
): { image: Image2D<Uint16Array>; mask: Image2D<Uint8Array> } {
  const rng = createRng(seed);
  let r = radius;
  let local = drawLocalMask(family, { seed, radius: r, noise: 0.12, sizeJitter: 0.15 });
  // Keep one background pixel on each side after the largest shift.
  while (local.size + 2 * jitter + 2 > size && r > 2) {
    r *= 0.9;
    local = drawLocalMask(family, { seed, radius: r, noise: 0.12, sizeJitter: 0.15 });
  }
  const shift = () => (jitter > 0 ? rng.int(2 * jitter + 1) - jitter : 0);
  const [dx, dy] = [shift(), shift()];
  const labels = new Uint16Array(size * size);
  const offset = Math.floor((size - local.size) / 2);
  let [sx, sy, n] = [0, 0, 0];
  for (let y = 0; y < local.size; y++)
    for (let x = 0; x < local.size; x++) {
      if (local.data[y * local.size + x] === 0) continue;
      const [fx, fy] = [offset + x + dx, offset + y + dy];
      labels[fy * size + fx] = 1;
      [sx, sy, n] = [sx + fx, sy + fy, n + 1];
    }
  const image = renderField(
    labels,
    size,
    size,
    [{ value: 1, centre: [sx / n, sy / n], radius: r, brightness: rng.uniform(0.8, 1.2) }],
    rng,
    { ...look, gradient: 0, defocus: 0 },
  );
  return { image, mask: { data: Uint8Array.from(labels), shape: [size, size, 1] } };
}
