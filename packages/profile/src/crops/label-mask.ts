import type { Image2D } from '../types.js';
import type { CropWindow } from './crop-window.js';

/** The label of pixel `(y, x)`, 0 outside the image. */
export function labelAt(labels: Image2D, y: number, x: number): number {
  const [height, width] = labels.shape;
  return y >= 0 && y < height && x >= 0 && x < width ? labels.data[y * width + x]! : 0;
}

/**
 * The pixel of label `label` nearest to `(y, x)` (Euclidean; ties: the first in raster order),
 * or undefined when the label has no pixel within `radius` (a square search, so the cost stays
 * that of one crop).
 */
export function nearestPixelOf(
  labels: Image2D,
  label: number,
  y: number,
  x: number,
  radius: number,
): [number, number] | undefined {
  const [height, width] = labels.shape;
  let best: [number, number] | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (let py = Math.max(0, y - radius); py <= Math.min(height - 1, y + radius); py++)
    for (let px = Math.max(0, x - radius); px <= Math.min(width - 1, x + radius); px++) {
      if (labels.data[py * width + px] !== label) continue;
      const d = (py - y) ** 2 + (px - x) ** 2;
      if (d < bestD) [best, bestD] = [[py, px], d];
    }
  return best;
}

/**
 * The 0/1 mask, in crop coordinates, of the 8-connected component of `label` that holds crop
 * pixel `seed` (flood fill inside the window: parts of the component joined only outside the
 * window are left out). Pixels outside the image are 0.
 */
export function componentMask(
  labels: Image2D,
  window: CropWindow,
  label: number,
  seed: [number, number],
): Uint8Array {
  const { top, left, size } = window;
  const mask = new Uint8Array(size * size);
  const inLabel = (r: number, c: number) => labelAt(labels, top + r, left + c) === label;
  if (!inLabel(seed[0], seed[1])) return mask;
  const stack = [seed[0] * size + seed[1]];
  mask[stack[0]!] = 1;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const r = Math.floor(i / size);
    const c = i - r * size;
    for (let dr = -1; dr <= 1; dr++)
      for (let dc = -1; dc <= 1; dc++) {
        const nr = r + dr;
        const nc = c + dc;
        if (nr < 0 || nc < 0 || nr >= size || nc >= size) continue;
        const j = nr * size + nc;
        if (mask[j] === 0 && inLabel(nr, nc)) {
          mask[j] = 1;
          stack.push(j);
        }
      }
  }
  return mask;
}

/** The 0/1 mask, in crop coordinates, of every pixel of `label` in the window. */
export function labelMask(labels: Image2D, window: CropWindow, label: number): Uint8Array {
  const { top, left, size } = window;
  const mask = new Uint8Array(size * size);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++)
      mask[r * size + c] = labelAt(labels, top + r, left + c) === label ? 1 : 0;
  return mask;
}

/**
 * Binary dilation of a square `size × size` mask by a disk of `radius` pixels (the offsets
 * `(dy, dx)` with `dy² + dx² ≤ radius²`; radius 2 is the 5×5 disk of scikit-image's
 * `disk(2)`). Radius 0 returns the mask unchanged.
 */
export function dilateDisk(mask: Uint8Array, size: number, radius: number): Uint8Array {
  if (radius === 0) return mask;
  const offsets: [number, number][] = [];
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++)
      if (dy * dy + dx * dx <= radius * radius) offsets.push([dy, dx]);
  const out = new Uint8Array(mask.length);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      if (mask[r * size + c] === 0) continue;
      for (const [dy, dx] of offsets) {
        const nr = r + dy;
        const nc = c + dx;
        if (nr >= 0 && nc >= 0 && nr < size && nc < size) out[nr * size + nc] = 1;
      }
    }
  return out;
}
