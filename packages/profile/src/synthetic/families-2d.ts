import { checkNumber, createRng, invalidArgument, type Rng, withDefaults } from '@cellshape/core';
import type { Image2D } from '../types.js';
import { type LocalMask, type Outline2D, radiusNoise, rasteriseOutline } from './shape-2d.js';

/** The 2-D shape families {@link drawCell2D} can draw. */
export const CELL_FAMILIES_2D = ['round', 'elongated', 'protrusive', 'blebbed', 'lobed'] as const;

/**
 * A 2-D cell family (the outlines of cells spread on a substrate):
 * - `'round'`: a near-circular disc (semi-axes within ±8%).
 * - `'elongated'`: a spindle, a superellipse with aspect 2.2–3.4 and pointed tips (exponent
 *   1.2–1.6), area of the unit disc.
 * - `'protrusive'`: a smaller body with 2–3 long (1.9–2.6 radii), thin, tapering protrusions at
 *   least 60° apart, like a migrating glioblastoma cell.
 * - `'blebbed'`: a round body with 6–10 small discs (0.22–0.34 radii) on its rim.
 * - `'lobed'`: 3–4 overlapping lobes (radius 0.5–0.56, 0.62–0.7 from the centre), like a clover.
 */
export type CellFamily2D = (typeof CELL_FAMILIES_2D)[number];

const jitter = (rng: Rng, amount: number): number => 1 + rng.uniform(-amount, amount);

/** Random angles pairwise at least `minAngle` radians apart (rejection sampling). */
function spreadAngles(rng: Rng, n: number, minAngle: number): number[] {
  const angles: number[] = [];
  // 2–3 angles 60° apart always fit on the circle; the cap only guards a broken generator.
  for (let attempt = 0; angles.length < n && attempt < 10_000; attempt++) {
    const a = rng.uniform(0, 2 * Math.PI);
    const apart = (b: number): boolean => {
      const d = Math.abs(a - b) % (2 * Math.PI);
      return Math.min(d, 2 * Math.PI - d) >= minAngle;
    };
    if (angles.every(apart)) angles.push(a);
  }
  return angles;
}

/** Draws the outline of one cell of `family`; every random choice comes from `rng` in a fixed order. */
export function familyOutline(family: CellFamily2D, rng: Rng, noise: number): Outline2D {
  const harmonics = radiusNoise(rng, noise);
  switch (family) {
    case 'round':
      return {
        body: [jitter(rng, 0.08), jitter(rng, 0.08)],
        exponent: 2,
        harmonics,
        extras: [],
        blend: 0,
      };
    case 'elongated': {
      const aspect = rng.uniform(2.2, 3.4);
      return {
        body: [Math.sqrt(aspect), 1 / Math.sqrt(aspect)],
        exponent: rng.uniform(1.2, 1.6),
        harmonics: harmonics.map((h) => ({ ...h, amplitude: h.amplitude / 2 })),
        extras: [],
        blend: 0,
      };
    }
    case 'protrusive': {
      const r = 0.8 * jitter(rng, 0.08);
      const extras = spreadAngles(rng, 2 + rng.int(2), Math.PI / 3).map((a) => {
        const length = rng.uniform(1.9, 2.6);
        const [c, s] = [Math.cos(a), Math.sin(a)];
        return {
          kind: 'capsule' as const,
          a: [0.3 * c, 0.3 * s] as const,
          b: [length * c, length * s] as const,
          ra: rng.uniform(0.28, 0.34),
          rb: rng.uniform(0.12, 0.16),
        };
      });
      return { body: [r, r], exponent: 2, harmonics, extras, blend: 0.3 };
    }
    case 'blebbed': {
      const count = 6 + rng.int(5);
      const extras = Array.from({ length: count }, () => {
        const a = rng.uniform(0, 2 * Math.PI);
        return {
          kind: 'disc' as const,
          centre: [Math.cos(a), Math.sin(a)] as const,
          radius: rng.uniform(0.22, 0.34),
        };
      });
      return { body: [1, 1], exponent: 2, harmonics, extras, blend: 0.05 };
    }
    case 'lobed': {
      const count = 3 + rng.int(2);
      const start = rng.uniform(0, 2 * Math.PI);
      const extras = Array.from({ length: count }, (_, i) => {
        const a = start + (2 * Math.PI * i) / count + rng.uniform(-0.25, 0.25);
        const distance = rng.uniform(0.62, 0.7);
        return {
          kind: 'disc' as const,
          centre: [distance * Math.cos(a), distance * Math.sin(a)] as const,
          radius: rng.uniform(0.5, 0.56),
        };
      });
      return { body: [0.35, 0.35], exponent: 2, harmonics, extras, blend: 0.08 };
    }
    default: {
      const never: never = family;
      throw invalidArgument('drawCell2D', 'family', `one of ${CELL_FAMILIES_2D.join(', ')}`, never);
    }
  }
}

/** Throws unless `family` is one of {@link CELL_FAMILIES_2D}. */
export function checkFamily2D(fn: string, arg: string, family: unknown): CellFamily2D {
  if (!(CELL_FAMILIES_2D as readonly unknown[]).includes(family))
    throw invalidArgument(fn, arg, `one of ${CELL_FAMILIES_2D.join(', ')}`, family);
  return family as CellFamily2D;
}

/** Keeps the largest 4-connected component of a local mask (in place), so a cell is one object. */
export function keepLargestComponent(mask: LocalMask): void {
  const { data, size } = mask;
  const component = new Int32Array(size * size).fill(-1);
  const stack: number[] = [];
  let best = -1;
  let bestCount = 0;
  let id = 0;
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || component[start]! >= 0) continue;
    let count = 0;
    component[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      count++;
      const x = p % size;
      for (const q of [p - size, p + size, x > 0 ? p - 1 : -1, x < size - 1 ? p + 1 : -1]) {
        if (q < 0 || q >= data.length || data[q] === 0 || component[q]! >= 0) continue;
        component[q] = id;
        stack.push(q);
      }
    }
    if (count > bestCount) [best, bestCount] = [id, count];
    id++;
  }
  for (let p = 0; p < data.length; p++) if (component[p] !== best) data[p] = 0;
}

/** Options of {@link drawCell2D}. */
export interface DrawCell2DOptions {
  /** Seed of the cell's random choices (outline, orientation, size). Default 0. */
  seed?: number;
  /** Nominal body radius in pixels. Default 12. */
  radius?: number;
  /** Amplitude of the smooth radius noise, in body radii (0 = smooth). Default 0.12. */
  noise?: number;
  /** The radius is multiplied by a uniform factor in [1 − j, 1 + j]. Default 0.15. */
  sizeJitter?: number;
}

/** Defaults of {@link DrawCell2DOptions}. */
export const DEFAULT_DRAW_CELL_2D_OPTIONS = {
  seed: 0,
  radius: 12,
  noise: 0.12,
  sizeJitter: 0.15,
} as const satisfies Required<DrawCell2DOptions>;

/** Validated {@link DrawCell2DOptions}. */
export type ResolvedCell2DOptions = Required<DrawCell2DOptions>;

/** Validates merged cell options; shared by {@link drawCell2D} and the experiment generator. */
export function checkCell2DOptions(fn: string, o: ResolvedCell2DOptions): ResolvedCell2DOptions {
  checkNumber(fn, 'seed', o.seed, { min: -(2 ** 53), max: 2 ** 53 });
  checkNumber(fn, 'radius', o.radius, { min: 2, max: 500 });
  checkNumber(fn, 'noise', o.noise, { min: 0, max: 0.5 });
  checkNumber(fn, 'sizeJitter', o.sizeJitter, { min: 0, max: 0.5 });
  return o;
}

/** Draws one local cell mask from validated options: a random size, orientation and outline. */
export function drawLocalMask(family: CellFamily2D, o: ResolvedCell2DOptions): LocalMask {
  const rng = createRng(o.seed);
  const scale = o.radius * rng.uniform(1 - o.sizeJitter, 1 + o.sizeJitter);
  const angle = rng.uniform(0, 2 * Math.PI);
  const mask = rasteriseOutline(familyOutline(family, rng, o.noise), scale, angle);
  keepLargestComponent(mask);
  return mask;
}

/**
 * One synthetic 2-D cell mask of `family`, randomly sized and rotated, centred in the smallest
 * odd square that holds it: a binary (0/1) single-channel image with one 4-connected object.
 * Reproducible: the same family and options give the same pixels.
 *
 * ```ts
 * const mask = drawCell2D('protrusive', { seed: 3, radius: 16 }); // Image2D<Uint8Array>
 * ```
 */
export function drawCell2D(
  family: CellFamily2D,
  options: DrawCell2DOptions = {},
): Image2D<Uint8Array> {
  const fn = 'drawCell2D';
  checkFamily2D(fn, 'family', family);
  const o = checkCell2DOptions(fn, withDefaults(fn, DEFAULT_DRAW_CELL_2D_OPTIONS, options));
  const { data, size } = drawLocalMask(family, o);
  return { data, shape: [size, size, 1] };
}
