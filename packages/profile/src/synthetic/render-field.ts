import type { Rng } from '@cellshape/core';
import type { Image2D } from '../types.js';

/** How a synthetic field looks: a phase-contrast frame (1 channel) or a fluorescence image (2 channels: cell body, nucleus). */
export const SYNTHETIC_MODALITIES_2D = ['phase', 'fluorescence'] as const;

/** One of {@link SYNTHETIC_MODALITIES_2D}. */
export type SyntheticModality2D = (typeof SYNTHETIC_MODALITIES_2D)[number];

/** What the renderer needs to know of each object of the label image. */
export interface RenderedObject {
  /** Value of the object in the label image. */
  value: number;
  /** Centroid `[x, y]` in pixels. */
  centre: readonly [number, number];
  /** Nominal radius in pixels (sets the nucleus size). */
  radius: number;
  /** Relative brightness of the cell, around 1. */
  brightness: number;
}

/** The appearance settings of {@link renderField}. */
export interface RenderSettings {
  modality: SyntheticModality2D;
  /** Standard deviation of the additive noise, relative to the cell signal. */
  noise: number;
  /** Relative amplitude of the linear background gradient across the field. */
  gradient: number;
  /** Extra Gaussian blur σ in pixels (an out-of-focus field), 0 for none. */
  defocus: number;
}

/** Separable Gaussian blur of a `[h, w]` plane (σ in pixels, mirrored edges); σ ≤ 0 copies. */
export function blurPlane(plane: Float32Array, h: number, w: number, sigma: number): Float32Array {
  if (sigma <= 0) return plane.slice();
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += kernel[i + radius]!;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const mirror = (i: number, n: number): number => {
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
    return j;
  };
  const pass = (src: Float32Array, along: 'x' | 'y'): Float32Array => {
    const out = new Float32Array(src.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const v = along === 'x' ? src[y * w + mirror(x + k, w)]! : src[mirror(y + k, h) * w + x]!;
          acc += kernel[k + radius]! * v;
        }
        out[y * w + x] = acc;
      }
    }
    return out;
  };
  return pass(pass(plane, 'x'), 'y');
}

/** A linear ramp of relative amplitude `amount` in a random direction, 1 at the field centre. */
function gradientPlane(rng: Rng, h: number, w: number, amount: number): Float32Array {
  const angle = rng.uniform(0, 2 * Math.PI);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const span = Math.max(h, w);
  const plane = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      plane[y * w + x] = 1 + (amount * ((x - w / 2) * c + (y - h / 2) * s)) / span;
  return plane;
}

/** Smooth random texture around 1 (white noise blurred with σ = 2, relative std ≈ `amount`). */
function texturePlane(rng: Rng, h: number, w: number, amount: number): Float32Array {
  const white = new Float32Array(h * w);
  for (let i = 0; i < white.length; i++) white[i] = rng.normal();
  const smooth = blurPlane(white, h, w, 2);
  // A σ = 2 blur divides the std of white noise by 2σ√π ≈ 7.1.
  for (let i = 0; i < smooth.length; i++) smooth[i] = 1 + amount * 7.1 * smooth[i]!;
  return smooth;
}

const toUint16 = (v: number): number => Math.min(65535, Math.max(0, Math.round(v)));

/**
 * Phase contrast: a grey background, cells slightly darker than it with a bright halo just
 * outside their rim (the difference of a wide and a narrow blur of the cell mask).
 */
function renderPhase(
  cellMask: Float32Array,
  bodies: Float32Array,
  rng: Rng,
  h: number,
  w: number,
  s: RenderSettings,
): Float32Array {
  const background = 30000;
  const narrow = blurPlane(bodies, h, w, 1 + s.defocus);
  const wide = blurPlane(cellMask, h, w, 3.5 + s.defocus);
  const ramp = gradientPlane(rng, h, w, s.gradient);
  const out = new Float32Array(h * w);
  for (let i = 0; i < out.length; i++) {
    const halo = Math.max(0, wide[i]! - Math.min(1, narrow[i]!));
    out[i] = background * ramp[i]! - 9000 * narrow[i]! + 22000 * halo;
    out[i]! += rng.normal(0, s.noise * 9000);
  }
  return out;
}

/**
 * Renders the grey image of a label image: `'phase'` gives one channel, `'fluorescence'` two (a
 * textured cell body, a nucleus disc of 0.45 radii at the centroid). Values are 16-bit.
 */
export function renderField(
  labels: Uint16Array,
  h: number,
  w: number,
  objects: readonly RenderedObject[],
  rng: Rng,
  settings: RenderSettings,
): Image2D<Uint16Array> {
  const byValue = new Map(objects.map((o) => [o.value, o]));
  const cellMask = new Float32Array(h * w);
  const bodies = new Float32Array(h * w);
  const texture = texturePlane(rng, h, w, 0.12);
  for (let i = 0; i < labels.length; i++) {
    const object = byValue.get(labels[i]!);
    if (object === undefined) continue;
    cellMask[i] = 1;
    bodies[i] = object.brightness * texture[i]!;
  }
  if (settings.modality === 'phase') {
    const plane = renderPhase(cellMask, bodies, rng, h, w, settings);
    return { data: Uint16Array.from(plane, toUint16), shape: [h, w, 1] };
  }
  const nuclei = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const object = byValue.get(labels[y * w + x]!);
      if (object === undefined) continue;
      const r = Math.hypot(x - object.centre[0], y - object.centre[1]);
      if (r < 0.45 * object.radius) nuclei[y * w + x] = object.brightness;
    }
  }
  const ramp = gradientPlane(rng, h, w, settings.gradient);
  const planes = [
    blurPlane(bodies, h, w, 1.2 + settings.defocus),
    blurPlane(nuclei, h, w, 1 + settings.defocus),
  ];
  const data = new Uint16Array(h * w * 2);
  const [signal, background] = [3000, 400];
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < 2; c++) {
      const v = background * ramp[i]! + signal * planes[c]![i]!;
      data[i * 2 + c] = toUint16(v + rng.normal(0, settings.noise * signal));
    }
  }
  return { data, shape: [h, w, 2] };
}
