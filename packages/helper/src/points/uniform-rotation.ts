import type { Rng } from '@cellshape/core';

/**
 * A rotation matrix (row-major 3 × 3) uniformly distributed over SO(3): Shoemake's unit
 * quaternion from three uniform numbers of `rng`.
 */
export function uniformRotationMatrix(rng: Rng): number[] {
  const u1 = rng.next();
  const u2 = rng.uniform(0, 2 * Math.PI);
  const u3 = rng.uniform(0, 2 * Math.PI);
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const [x, y, z, w] = [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  ];
}
