import {
  checkBoolean,
  checkInteger,
  checkNumber,
  createRng,
  deriveSeed,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { uniformRotationMatrix } from '../points/uniform-rotation.js';
import type { Volume } from '../types.js';
import { familyShape, SYNTHETIC_FAMILIES, type SyntheticFamily } from './families.js';
import { rasteriseShape, shapeExtent } from './implicit-shape.js';
import { solidify } from './solid-mask.js';

/** Options of {@link syntheticCell}. */
export interface SyntheticCellOptions {
  /** Seed of the cell's random choices (shape, orientation, size, noise). Default 0. */
  seed?: number;
  /** Edge of the cubic grid in voxels. Default 64. */
  size?: number;
  /**
   * Nominal body radius in voxels. Default `size / 6`. Shapes that would not fit inside the
   * margin are scaled down uniformly until they do.
   */
  radius?: number;
  /**
   * Surface roughness: standard deviation of a smooth random-field perturbation of the body
   * surface, in body radii (0 = smooth). Default 0.1.
   */
  noise?: number;
  /** The radius is multiplied by a uniform factor in [1 − j, 1 + j]. Default 0.15. */
  sizeJitter?: number;
  /** Apply a uniformly random 3-D rotation. Default true. */
  rotate?: boolean;
  /** Voxels on each face of the grid that are always 0. Default 2. */
  margin?: number;
}

/** Defaults of {@link SyntheticCellOptions} (`radius` defaults to `size / 6`). */
export const DEFAULT_SYNTHETIC_CELL_OPTIONS = {
  seed: 0,
  size: 64,
  noise: 0.1,
  sizeJitter: 0.15,
  rotate: true,
  margin: 2,
} as const satisfies Omit<Required<SyntheticCellOptions>, 'radius'>;

/** Options of {@link generateSyntheticCells}. */
export interface SyntheticCellsOptions extends SyntheticCellOptions {
  /** Cells **per family**, so classes are balanced. Default 8. */
  count?: number;
  /** Families to draw, in this order; a cell's `label` indexes this list. Default all five. */
  families?: readonly SyntheticFamily[];
}

/** Defaults of {@link SyntheticCellsOptions}. */
export const DEFAULT_SYNTHETIC_CELLS_OPTIONS = {
  ...DEFAULT_SYNTHETIC_CELL_OPTIONS,
  count: 8,
  families: SYNTHETIC_FAMILIES,
} as const;

/** One generated cell. */
export interface SyntheticCell {
  /** Binary mask (0/1), shape [size, size, size], one 6-connected solid object. */
  mask: Volume<Uint8Array>;
  family: SyntheticFamily;
  /** Index of `family` in the `families` list. */
  label: number;
  /** Stable name, `<family>-<index within family>`, e.g. `'round-3'`. */
  id: string;
}

/** The result of {@link generateSyntheticCells}. */
export interface SyntheticCells {
  /** Cells grouped by family in `families` order, `count` of each. */
  cells: SyntheticCell[];
  families: SyntheticFamily[];
}

type ResolvedCellOptions = Required<SyntheticCellOptions>;

/** Merges and validates cell options once; shared by the three public generators. */
export function resolveCellOptions(
  fn: string,
  options: SyntheticCellOptions | undefined,
): ResolvedCellOptions {
  const merged = withDefaults(fn, DEFAULT_SYNTHETIC_CELL_OPTIONS, options);
  checkNumber(fn, 'seed', merged.seed, { min: -(2 ** 53), max: 2 ** 53 });
  checkInteger(fn, 'size', merged.size, { min: 8, max: 1024 });
  checkInteger(fn, 'margin', merged.margin, { min: 1, max: Math.floor(merged.size / 4) });
  const radius = merged.radius ?? merged.size / 6;
  checkNumber(fn, 'radius', radius, { min: 1, max: merged.size });
  checkNumber(fn, 'noise', merged.noise, { min: 0, max: 1 });
  checkNumber(fn, 'sizeJitter', merged.sizeJitter, { min: 0, max: 0.5 });
  checkBoolean(fn, 'rotate', merged.rotate);
  return { ...merged, radius };
}

function checkFamily(fn: string, family: unknown): asserts family is SyntheticFamily {
  if (!(SYNTHETIC_FAMILIES as readonly unknown[]).includes(family))
    throw invalidArgument(fn, 'family', `one of ${SYNTHETIC_FAMILIES.join(', ')}`, family);
}

/** Draws one cell mask from validated options. */
export function drawCell(family: SyntheticFamily, o: ResolvedCellOptions): Volume<Uint8Array> {
  const rng = createRng(o.seed);
  const sizeFactor = rng.uniform(1 - o.sizeJitter, 1 + o.sizeJitter);
  // The rotation is drawn even when unused so that `rotate: false` shows the same shape.
  const rotation = uniformRotationMatrix(rng);
  const shape = familyShape(family, rng, o.noise);
  const available = (o.size - 1) / 2 - o.margin;
  const scale = Math.min(o.radius * sizeFactor, available / shapeExtent(shape));
  const dims: [number, number, number] = [o.size, o.size, o.size];
  const data = rasteriseShape(shape, {
    size: o.size,
    scale,
    rotation: o.rotate ? rotation : [1, 0, 0, 0, 1, 0, 0, 0, 1],
    margin: o.margin,
    minThickness: 1,
  });
  // Noise can in principle pinch off a sliver or close a bubble: keep one solid object.
  solidify(data, dims);
  return { data, shape: dims };
}

/**
 * One synthetic cell mask of `family`: an implicit shape (a body ellipsoid with smooth
 * random-field noise, smoothly united with the family's extra primitives), randomly rotated
 * and scaled, rasterised on a `size`³ grid centred on the grid. The mask is binary (0/1), one
 * 6-connected component without cavities, and 0 within `margin` voxels of every face.
 * Reproducible: the same family and options give the same voxels.
 *
 * ```ts
 * const mask = syntheticCell('protrusive', { seed: 3, size: 64 }); // Volume<Uint8Array>
 * ```
 */
export function syntheticCell(
  family: SyntheticFamily,
  options: SyntheticCellOptions = {},
): Volume<Uint8Array> {
  checkFamily('syntheticCell', family);
  return drawCell(family, resolveCellOptions('syntheticCell', options));
}

/** Validates a `families` option: a non-empty list of distinct known families. */
export function resolveFamilies(fn: string, families: unknown): SyntheticFamily[] {
  if (!Array.isArray(families) || families.length === 0)
    throw invalidArgument(fn, 'families', 'a non-empty array of family names', families);
  for (const f of families) checkFamily(fn, f);
  if (new Set(families).size !== families.length)
    throw invalidArgument(fn, 'families', 'without duplicates', families);
  return [...families];
}

/**
 * A labelled set of synthetic cell masks, `count` per family (classes are balanced), a
 * stand-in for real segmented cells in tests, demos and benchmarks. Cell `i` of family `f`
 * uses the seed `deriveSeed(seed, f, i)`, so it does not change when other families or
 * counts are requested.
 *
 * ```ts
 * const { cells, families } = generateSyntheticCells({ count: 4, seed: 1 });
 * cells[0]; // { mask: Volume<Uint8Array> 64³, family: 'round', label: 0, id: 'round-0' }
 * ```
 */
export function generateSyntheticCells(options: SyntheticCellsOptions = {}): SyntheticCells {
  const fn = 'generateSyntheticCells';
  const { count, families, ...cellOptions } = withDefaults(
    fn,
    DEFAULT_SYNTHETIC_CELLS_OPTIONS,
    options,
  );
  checkInteger(fn, 'count', count, { min: 1, max: 100_000 });
  const list = resolveFamilies(fn, families);
  const base = resolveCellOptions(fn, cellOptions);
  const cells: SyntheticCell[] = [];
  list.forEach((family, label) => {
    for (let i = 0; i < count; i++) {
      const mask = drawCell(family, { ...base, seed: deriveSeed(base.seed, family, i) });
      cells.push({ mask, family, label, id: `${family}-${i}` });
    }
  });
  return { cells, families: list };
}
