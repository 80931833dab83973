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
  const plane = ny * nx;
  let pairs = 0;
  let equal = 0;
  // Each axis written out (no array per voxel): this runs over every voxel of every file.
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const v = data[i]!;
        if (v === 0) continue;
        // The next voxel along each axis, where there is one.
        if (z + 1 < nz) {
          const w = data[i + plane]!;
          if (w !== 0) {
            pairs++;
            if (w === v) equal++;
          }
        }
        if (y + 1 < ny) {
          const w = data[i + nx]!;
          if (w !== 0) {
            pairs++;
            if (w === v) equal++;
          }
        }
        if (x + 1 < nx) {
          const w = data[i + 1]!;
          if (w !== 0) {
            pairs++;
            if (w === v) equal++;
          }
        }
      }
  return pairs === 0 ? Number.NaN : equal / pairs;
}
