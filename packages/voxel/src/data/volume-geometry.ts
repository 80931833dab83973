import { invalidArgument } from '@cellshape/core';
import type { Volume } from '@cellshape/helper';

/**
 * Where a mask's foreground is: its bounding box and centre of mass, in voxels of the volume
 * (axes z, y, x). Foreground is every non-zero voxel.
 */

/** Bounding box of the non-zero voxels: `min` inclusive, `max` exclusive, per axis (z, y, x). */
export interface BoundingBox {
  min: [number, number, number];
  max: [number, number, number];
}

/** The bounding box of the non-zero voxels, or `undefined` when there are none. */
export function boundingBox(volume: Volume): BoundingBox | undefined {
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  const min: [number, number, number] = [nz, ny, nx];
  const max: [number, number, number] = [0, 0, 0];
  let any = false;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (data[i] === 0) continue;
        any = true;
        if (z < min[0]) min[0] = z;
        if (y < min[1]) min[1] = y;
        if (x < min[2]) min[2] = x;
        if (z >= max[0]) max[0] = z + 1;
        if (y >= max[1]) max[1] = y + 1;
        if (x >= max[2]) max[2] = x + 1;
      }
  return any ? { min, max } : undefined;
}

/**
 * The centre of mass of the non-zero voxels (each weighs 1, whatever its value), in voxel
 * coordinates (z, y, x) where voxel centres are integers.
 *
 * @throws InvalidArgumentError when the volume has no non-zero voxel.
 */
export function centreOfMass(volume: Volume): [number, number, number] {
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  let count = 0;
  let sz = 0;
  let sy = 0;
  let sx = 0;
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        if (data[i] === 0) continue;
        count++;
        sz += z;
        sy += y;
        sx += x;
      }
  if (count === 0) throw invalidArgument('centreOfMass', 'volume', 'a mask with foreground voxels');
  return [sz / count, sy / count, sx / count];
}

/** Number of non-zero voxels. */
export function foregroundCount(volume: Volume): number {
  let count = 0;
  for (let i = 0; i < volume.data.length; i++) if (volume.data[i] !== 0) count++;
  return count;
}

/** Throws unless `volume` is a `{ data, shape: [z, y, x] }` whose data length matches. */
export function checkVolume(fn: string, arg: string, volume: unknown): Volume {
  const v = volume as Partial<Volume> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    !ArrayBuffer.isView(v.data) ||
    !Array.isArray(v.shape) ||
    v.shape.length !== 3 ||
    !v.shape.every((n) => Number.isInteger(n) && n > 0) ||
    v.shape[0]! * v.shape[1]! * v.shape[2]! !== (v.data as Uint8Array).length
  )
    throw invalidArgument(
      fn,
      arg,
      'a volume { data, shape: [z, y, x] } with matching length',
      volume,
    );
  return v as Volume;
}
