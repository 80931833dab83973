import { invalidArgument } from '@cellshape/core';
import type { PointCloud } from '../types.js';

/**
 * Checks that `cloud` is a point cloud (`data` a Float32Array of n × 3 finite values,
 * `shape` `[n, 3]`, `normals` absent or n × 3) and returns its point count.
 */
export function checkPointCloud(fn: string, arg: string, cloud: unknown, minPoints = 0): number {
  const c = cloud as Partial<PointCloud> | null;
  if (typeof c !== 'object' || c === null)
    throw invalidArgument(fn, arg, 'a point cloud { data, shape: [n, 3] }', cloud);
  if (!(c.data instanceof Float32Array))
    throw invalidArgument(fn, `${arg}.data`, 'a Float32Array', c.data);
  const shape = c.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || shape[1] !== 3 || !Number.isInteger(shape[0]))
    throw invalidArgument(fn, `${arg}.shape`, '[n, 3]', shape);
  const n = shape[0] as number;
  if (c.data.length !== n * 3)
    throw invalidArgument(fn, `${arg}.data`, `of length n × 3 = ${n * 3}`, c.data.length);
  if (n < minPoints)
    throw invalidArgument(fn, arg, `a cloud of at least ${minPoints} points`, `${n} points`);
  for (let i = 0; i < c.data.length; i++)
    if (!Number.isFinite(c.data[i]))
      throw invalidArgument(
        fn,
        `${arg}.data`,
        'finite',
        `${c.data[i]} at point ${Math.floor(i / 3)}`,
      );
  if (c.normals !== undefined) {
    if (!(c.normals instanceof Float32Array) || c.normals.length !== n * 3)
      throw invalidArgument(fn, `${arg}.normals`, `a Float32Array of length ${n * 3}`, c.normals);
    if (!c.normals.every(Number.isFinite)) throw invalidArgument(fn, `${arg}.normals`, 'finite');
  }
  return n;
}
