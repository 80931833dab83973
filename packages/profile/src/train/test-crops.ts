import { createRng } from '@cellshape/core';
import { CropDataset } from './crop-dataset.js';

/**
 * Test crops of two drawn shape families, `size × size × 1`, seeded: even ids are round cells
 * (disks), odd ids elongated cells (ellipses of axis ratio ~3 at a random angle), at random
 * sizes and small offsets, with Gaussian noise; metadata `{ family: 'round' | 'long' }` and
 * masks of the drawn shape.
 */
export function drawnCropDataset(n: number, size: number, seed = 0): CropDataset {
  const rng = createRng(seed);
  const data = new Float32Array(n * size * size);
  const masks = new Uint8Array(n * size * size);
  const metadata = [];
  for (let i = 0; i < n; i++) {
    const long = i % 2 === 1;
    const r = size * rng.uniform(0.18, 0.26);
    const [a, b] = long ? [r * 1.7, r * 0.55] : [r, r];
    const angle = rng.uniform(0, Math.PI);
    const [cy, cx] = [size / 2 + rng.uniform(-1, 1), size / 2 + rng.uniform(-1, 1)];
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const u = (x - cx) * cos + (y - cy) * sin;
        const v = -(x - cx) * sin + (y - cy) * cos;
        const inside = (u / a) ** 2 + (v / b) ** 2 <= 1;
        masks[i * size * size + y * size + x] = inside ? 1 : 0;
        data[i * size * size + y * size + x] = (inside ? 1 : 0) + 0.1 * rng.normal();
      }
    metadata.push({ family: long ? 'long' : 'round' });
  }
  const ids = Array.from({ length: n }, (_, i) => `cell${i}`);
  return new CropDataset({ data, shape: [n, size, size, 1], ids, masks, metadata });
}
