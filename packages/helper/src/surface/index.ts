/**
 * Surfaces: marching cubes on volumes, mesh measures and smoothing, and area-uniform sampling
 * of point clouds on meshes.
 *
 * ```ts
 * const mesh = marchingCubes(mask, { spacing: [2.18, 1, 1] }); // x, y, z in physical units
 * meshArea(mesh); meshVolume(mesh);
 * const cloud = samplePoints(smoothMesh(mesh), 2048, { seed: 0 });
 * ```
 */
export {
  DEFAULT_MARCHING_CUBES_OPTIONS,
  type MarchingCubesOptions,
  marchingCubes,
} from './marching-cubes.js';
export { faceAreas, meshArea, meshVolume, vertexNormals } from './mesh-measures.js';
export {
  DEFAULT_SAMPLE_COUNT,
  DEFAULT_SAMPLE_POINTS_OPTIONS,
  type SamplePointsOptions,
  samplePoints,
} from './sample-points.js';
export {
  DEFAULT_SMOOTH_MESH_OPTIONS,
  type SmoothMeshOptions,
  type SmoothMethod,
  smoothMesh,
} from './smooth-mesh.js';
export { validateMesh } from './validate-mesh.js';
