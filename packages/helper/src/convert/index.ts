/**
 * From masks to meshes and point clouds: one mask at a time, or a whole folder tree in
 * parallel worker threads.
 *
 * ```ts
 * import { convertDirectory, maskToPointCloud, readVolume } from '@cellshape/helper';
 * const cloud = maskToPointCloud(readVolume('cell.tif'), { numPoints: 2048, seed: 0 });
 * const report = await convertDirectory('masks/', 'out/', { onProgress: console.log });
 * // out/meshes/**\/<stem>_<label>.off, out/points/**\/<stem>_<label>.ply, out/manifest.csv
 * ```
 */

export {
  type ConvertDirectoryOptions,
  type ConvertFileResult,
  type ConvertPlan,
  type ConvertResult,
  convertDirectory,
  DEFAULT_CONVERT_DIRECTORY_OPTIONS,
  planConversion,
} from './convert-directory.js';
export type {
  ClassicalMeasures,
  ManifestRow,
  ObjectMode,
  SpacingSource,
} from './convert-file.js';
export { convertFiles, formatDuration } from './convert-files.js';
export {
  type ConvertManifestResult,
  FAILURE_COLUMNS,
  removeTemporaryFiles,
  writeConvertManifest,
} from './convert-manifest.js';
export { encodeManifest, MANIFEST_COLUMNS, MANIFEST_MEASURE_COLUMNS } from './manifest.js';
export {
  DEFAULT_MASK_TO_MESH_OPTIONS,
  DEFAULT_MASK_TO_POINT_CLOUD_OPTIONS,
  type MaskToMeshOptions,
  type MaskToPointCloudOptions,
  maskToMesh,
  maskToPointCloud,
} from './mask-to-mesh.js';
export { runInWorkers, type WorkerModule } from './worker-pool.js';
