import type { Volume } from '../types.js';
import { assertVolume } from './assert-volume.js';

/**
 * The share of face-adjacent pairs of non-zero voxels that hold the same value: 1 for a binary
 * mask, close to 1 for a label image (only where two objects touch do neighbours differ), small
 * for an intensity image, whose neighbouring grey levels rarely coincide (measured values:
 * docs/concepts.md, "Masks and objects"). NaN when no two non-zero voxels touch.
 */
export function neighbourAgreement(volume: Volume): number {
  assertVolume('neighbourAgreement', 'volume', volume);
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  const strides = [ny * nx, nx, 1];
  let pairs = 0;
  let equal = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x;
        const v = data[i]!;
        if (v === 0) continue;
        // The next voxel along each axis, where there is one.
        const next = [z + 1 < nz, y + 1 < ny, x + 1 < nx];
        for (let axis = 0; axis < 3; axis++) {
          if (!next[axis]) continue;
          const w = data[i + strides[axis]!]!;
          if (w === 0) continue;
          pairs++;
          if (w === v) equal++;
        }
      }
  return pairs === 0 ? Number.NaN : equal / pairs;
}
