import type { Rng } from '@cellshape/core';

/**
 * Implicit 2-D cell outlines in a local frame whose unit is the nominal body radius: a star-shaped
 * body (a superellipse with smooth low-frequency noise on its radius) smoothly united with extra
 * primitives (discs, tapered capsules). A point is inside when the shape's distance-like
 * function is negative.
 */

/** A disc `{ centre, radius }` or a capsule tapering from radius `ra` at `a` to `rb` at `b`. */
export type Primitive2D =
  | { kind: 'disc'; centre: readonly [number, number]; radius: number }
  | {
      kind: 'capsule';
      a: readonly [number, number];
      b: readonly [number, number];
      ra: number;
      rb: number;
    };

/** One harmonic `amplitude · cos(k θ + phase)` of the body radius. */
export interface Harmonic {
  k: number;
  amplitude: number;
  phase: number;
}

/** An implicit 2-D outline, unit = nominal body radius, centred on the origin. */
export interface Outline2D {
  /** Semi-axes `[x, y]` of the body before noise. */
  body: readonly [number, number];
  /** Superellipse exponent of the body: 2 = ellipse, below 2 pointed tips (a spindle). */
  exponent: number;
  /** Relative perturbations of the body radius. */
  harmonics: readonly Harmonic[];
  extras: readonly Primitive2D[];
  /** Smooth-union width (same unit); 0 = a hard union. */
  blend: number;
}

/** Smooth low-frequency radius noise: harmonics 2–6 with amplitude `noise / k`, random phases. */
export function radiusNoise(rng: Rng, noise: number): Harmonic[] {
  const harmonics: Harmonic[] = [];
  for (let k = 2; k <= 6; k++)
    harmonics.push({
      k,
      amplitude: (noise / k) * rng.uniform(0.5, 1),
      phase: rng.uniform(0, 2 * Math.PI),
    });
  return harmonics;
}

function bodyRadius(outline: Outline2D, theta: number): number {
  const [a, b] = outline.body;
  const n = outline.exponent;
  const c = Math.abs(Math.cos(theta)) / a;
  const s = Math.abs(Math.sin(theta)) / b;
  let r = (c ** n + s ** n) ** (-1 / n);
  for (const h of outline.harmonics) r *= 1 + h.amplitude * Math.cos(h.k * theta + h.phase);
  return r;
}

function primitiveDistance(p: Primitive2D, x: number, y: number): number {
  switch (p.kind) {
    case 'disc':
      return Math.hypot(x - p.centre[0], y - p.centre[1]) - p.radius;
    case 'capsule': {
      const dx = p.b[0] - p.a[0];
      const dy = p.b[1] - p.a[1];
      const t = Math.min(
        1,
        Math.max(0, ((x - p.a[0]) * dx + (y - p.a[1]) * dy) / (dx * dx + dy * dy)),
      );
      const d = Math.hypot(x - p.a[0] - t * dx, y - p.a[1] - t * dy);
      return d - (p.ra + t * (p.rb - p.ra));
    }
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** Polynomial smooth minimum of width `k` (the hard minimum when `k` is 0). */
function smoothMin(a: number, b: number, k: number): number {
  if (k <= 0) return Math.min(a, b);
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - (h * h * k) / 4;
}

/** The outline's distance-like function at local point `(x, y)`: negative inside. */
export function outlineDistance(outline: Outline2D, x: number, y: number): number {
  const rho = Math.hypot(x, y);
  let d = rho - bodyRadius(outline, Math.atan2(y, x));
  for (const p of outline.extras) d = smoothMin(d, primitiveDistance(p, x, y), outline.blend);
  return d;
}

/** A radius (same unit) of a disc around the origin that holds the whole outline. */
export function outlineExtent(outline: Outline2D): number {
  let noise = 1;
  for (const h of outline.harmonics) noise *= 1 + Math.abs(h.amplitude);
  let extent = Math.max(outline.body[0], outline.body[1]) * noise;
  for (const p of outline.extras) {
    const reach =
      p.kind === 'disc'
        ? Math.hypot(p.centre[0], p.centre[1]) + p.radius
        : Math.max(Math.hypot(p.a[0], p.a[1]) + p.ra, Math.hypot(p.b[0], p.b[1]) + p.rb);
    extent = Math.max(extent, reach);
  }
  return extent + outline.blend;
}

/** A binary mask of a rasterised outline: `data[y * size + x]`, its centre at `(size − 1) / 2`. */
export interface LocalMask {
  data: Uint8Array;
  size: number;
}

/**
 * Rasterises `outline` scaled by `scale` pixels per unit and rotated by `angle` radians,
 * sampling each pixel at its centre, into the smallest odd square that holds it.
 */
export function rasteriseOutline(outline: Outline2D, scale: number, angle: number): LocalMask {
  const half = Math.ceil(outlineExtent(outline) * scale) + 1;
  const size = 2 * half + 1;
  const data = new Uint8Array(size * size);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = (x - half) / scale;
      const py = (y - half) / scale;
      // Rotate the sample point by −angle into the outline's frame.
      const lx = cos * px + sin * py;
      const ly = -sin * px + cos * py;
      if (outlineDistance(outline, lx, ly) < 0) data[y * size + x] = 1;
    }
  }
  return { data, size };
}
