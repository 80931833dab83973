/**
 * Point clouds: PLY / CSV / `.npy` files, normalising transforms, a canonical PCA pose and
 * seeded augmentations. Clouds are `{ data: Float32Array, shape: [n, 3], normals? }`, x, y, z
 * per point.
 *
 * ```ts
 * import { readPointCloud, normalisePointCloud, randomRotation } from '@cellshape/helper';
 * const cloud = readPointCloud('cell.ply');                  // pyntcloud-style binary PLY
 * const input = normalisePointCloud(cloud, 'fixed20');       // (p − centroid) / 20
 * const augmented = randomRotation(input, { seed: 1 });     // uniform over SO(3)
 * ```
 */
export {
  DEFAULT_JITTER_OPTIONS,
  DEFAULT_RANDOM_ROTATION_OPTIONS,
  DEFAULT_RANDOM_SCALE_TRANSLATE_OPTIONS,
  type JitterOptions,
  jitter,
  type RandomRotationOptions,
  type RandomScaleTranslateOptions,
  randomRotation,
  randomRotationMatrix,
  randomScaleTranslate,
} from './augment.js';
export { type PcaPose, pcaPose } from './pca-pose.js';
export {
  DEFAULT_POINT_CLOUD_IO_OPTIONS,
  type EncodePointCloudOptions,
  encodePointCloud,
  type PointCloudFormat,
  parsePointCloud,
  type ReadPointCloudOptions,
  readPointCloud,
  writePointCloud,
} from './point-cloud-io.js';
export {
  DEFAULT_RESAMPLE_POINT_CLOUD_OPTIONS,
  type ResamplePointCloudOptions,
  resamplePointCloud,
} from './resample.js';
export {
  centre,
  NORMALISE_PRESETS,
  type NormalisePreset,
  normalisePointCloud,
  pointCloudCentroid,
  scaleFixed,
  scaleToUnitSphere,
  standardisePointCloud,
} from './transforms.js';
