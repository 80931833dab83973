/**
 * Volumes: TIFF and .npy reading/writing, connected components, per-label objects and scijs
 * `ndarray` interop.
 *
 * ```ts
 * import { readVolume, labelConnectedComponents, labelObjects } from '@cellshape/helper';
 * const mask = readVolume('nuclei_binary.tif');          // { data, shape: [z, y, x], spacing? }
 * const labels = labelConnectedComponents(mask);          // Int32 labels 1..n, 26-connected
 * const nuclei = labelObjects(labels, { clearBorder: true, minSize: 100 });
 * nuclei[0]?.mask;                                        // padded 0/1 crop for marching cubes
 * ```
 */
export { isBinaryMask } from './is-binary-mask.js';
export {
  type Connectivity,
  DEFAULT_LABEL_CONNECTED_COMPONENTS_OPTIONS,
  type LabelConnectedComponentsOptions,
  labelConnectedComponents,
} from './label-connected-components.js';
export {
  DEFAULT_LABEL_OBJECTS_OPTIONS,
  type LabelObject,
  type LabelObjectsOptions,
  labelObjects,
} from './label-objects.js';
export { convertLength } from './length-units.js';
export {
  fromNdarray,
  type NdarrayView,
  toNdarray,
  volumeFromNdarray,
} from './ndarray-interop.js';
export { neighbourAgreement } from './neighbour-agreement.js';
export {
  DEFAULT_READ_VOLUME_OPTIONS,
  type ReadVolumeOptions,
  readVolume,
  type VolumeFormat,
} from './read-volume.js';
export {
  DEFAULT_ENCODE_TIFF_OPTIONS,
  type EncodeTiffOptions,
  encodeTiff,
  type TiffCompression,
} from './tiff-encode.js';
export {
  DEFAULT_MAX_VOXELS,
  type DecodeTiffVolumeOptions,
  decodeTiff,
  decodeTiffVolume,
  type TiffPageTags,
  tiffDescription,
  tiffText,
} from './tiff-read.js';
export {
  DEFAULT_WRITE_VOLUME_OPTIONS,
  type WriteVolumeOptions,
  writeVolume,
} from './write-volume.js';
