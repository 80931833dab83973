/**
 * The five synthetic cell families as implicit shapes in a local frame whose unit is the
 * nominal body radius. Every random choice is drawn from the given generator, in a fixed order.
 */
import { invalidArgument, type Rng } from '@cellshape/core';
import {
  type ImplicitShape,
  type Primitive,
  randomDirection,
  randomWaves,
  type Vec3,
} from './implicit-shape.js';

/** The shape families {@link generateSyntheticCells} can draw. */
export const SYNTHETIC_FAMILIES = ['round', 'elongated', 'flat', 'protrusive', 'blebbed'] as const;

/**
 * A synthetic cell family:
 * - `'round'`: a near-spherical ellipsoid (semi-axes within ±8%).
 * - `'elongated'`: a prolate ellipsoid, long/short aspect 2–3, volume of the unit sphere.
 * - `'flat'`: a spread oblate disc (thickness/width 0.25–0.4) with a low central dome, like
 *   a cell on a substrate.
 * - `'protrusive'`: a smaller body with 2–4 long (1.8–2.4 radii from the centre), thin,
 *   tapering protrusions at least 50° apart.
 * - `'blebbed'`: a round body with 5–9 small hemispherical blebs (0.25–0.4 radii) on its surface.
 */
export type SyntheticFamily = (typeof SYNTHETIC_FAMILIES)[number];

/** Random directions pairwise at least `minAngle` radians apart (rejection sampling). */
function spreadDirections(rng: Rng, n: number, minAngle: number): Vec3[] {
  const cosMax = Math.cos(minAngle);
  const dirs: Vec3[] = [];
  // 2–4 directions 50° apart always fit on the sphere, so this ends quickly; the attempt cap
  // only guards against a pathological generator.
  for (let attempt = 0; dirs.length < n && attempt < 10_000; attempt++) {
    const d = randomDirection(rng);
    if (dirs.every((e) => e[0] * d[0] + e[1] * d[1] + e[2] * d[2] < cosMax)) dirs.push(d);
  }
  return dirs;
}

const jitter = (rng: Rng, amount: number): number => 1 + rng.uniform(-amount, amount);

/**
 * Draws one shape of `family` with body-surface noise amplitude `noise` (in body radii).
 * The shape is centred on the origin in its local frame, unit = the nominal body radius.
 */
export function familyShape(family: SyntheticFamily, rng: Rng, noise: number): ImplicitShape {
  const waves = randomWaves(rng);
  let body: Vec3;
  const extras: Primitive[] = [];
  let blend = 0;
  switch (family) {
    case 'round':
      body = [jitter(rng, 0.08), jitter(rng, 0.08), jitter(rng, 0.08)];
      break;
    case 'elongated': {
      const aspect = rng.uniform(2, 3);
      const short = aspect ** (-1 / 3);
      body = [aspect ** (2 / 3), short * jitter(rng, 0.05), short * jitter(rng, 0.05)];
      break;
    }
    case 'flat': {
      const thinness = rng.uniform(0.25, 0.4);
      const spread = thinness ** (-1 / 3);
      body = [spread * jitter(rng, 0.1), spread * jitter(rng, 0.1), thinness ** (2 / 3)];
      const dome: Vec3 = [rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2), 0.15];
      extras.push({ kind: 'sphere', centre: dome, radius: 0.5 });
      blend = 0.25;
      break;
    }
    case 'protrusive': {
      body = [0.85 * jitter(rng, 0.08), 0.85 * jitter(rng, 0.08), 0.85 * jitter(rng, 0.08)];
      const count = 2 + rng.int(3);
      for (const d of spreadDirections(rng, count, (50 * Math.PI) / 180)) {
        const length = rng.uniform(1.8, 2.4);
        extras.push({
          kind: 'capsule',
          a: [0.3 * d[0], 0.3 * d[1], 0.3 * d[2]],
          b: [length * d[0], length * d[1], length * d[2]],
          ra: rng.uniform(0.26, 0.32),
          rb: rng.uniform(0.12, 0.16),
        });
      }
      blend = 0.3;
      break;
    }
    case 'blebbed': {
      body = [jitter(rng, 0.05), jitter(rng, 0.05), jitter(rng, 0.05)];
      const count = 5 + rng.int(5);
      for (let i = 0; i < count; i++) {
        const d = randomDirection(rng);
        // Centre the bleb on the body surface along d, so half of it sticks out.
        const along = 1 / Math.hypot(d[0] / body[0], d[1] / body[1], d[2] / body[2]);
        extras.push({
          kind: 'sphere',
          centre: [along * d[0], along * d[1], along * d[2]],
          radius: rng.uniform(0.25, 0.4),
        });
      }
      blend = 0.06;
      break;
    }
    default: {
      const never: never = family;
      throw invalidArgument(
        'syntheticCell',
        'family',
        `one of ${SYNTHETIC_FAMILIES.join(', ')}`,
        never,
      );
    }
  }
  return { body, extras, blend, waves, amplitude: noise };
}
