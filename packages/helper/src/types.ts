import type { TypedArray } from '@cellshape/core';

/**
 * A 3-D image in C order with axes (z, y, x): voxel (z, y, x) is
 * `data[(z * shape[1] + y) * shape[2] + x]`. A 2-D image has `shape[0] === 1`.
 * `spacing` is the physical size of a voxel along (z, y, x), e.g. `[2.18, 1, 1]`.
 */
export interface Volume<T extends TypedArray = TypedArray> {
  data: T;
  shape: [number, number, number];
  spacing?: [number, number, number];
}

/**
 * An indexed triangle mesh. `positions` holds x, y, z per vertex (physical units, x fastest
 * image axis); `faces` holds three vertex indices per triangle, counter-clockwise seen from
 * outside (normals point outward).
 */
export interface Mesh {
  positions: Float32Array;
  faces: Uint32Array;
}

/**
 * A point cloud of n points: `data` is n × 3, row-major, x, y, z per point unless a function
 * says otherwise. `normals`, when present, is n × 3 unit vectors.
 */
export interface PointCloud {
  data: Float32Array;
  shape: [number, 3];
  normals?: Float32Array;
}

/** The order of the three coordinates in a file or array. Image stacks are `'zyx'`. */
export type AxisOrder = 'xyz' | 'zyx';
