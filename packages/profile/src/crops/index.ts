/**
 * Single-cell crops: S×S windows centred on each cell of a centroid table or label image, with
 * optional mask crops, and a batch over folders.
 *
 * ```ts
 * import { cropCells, readCentroidTable, readImage2D, readLabelImage2D } from '@cellshape/profile';
 * const image = readImage2D('phase_t01.tif');
 * const labels = readLabelImage2D('masks_t01.png');
 * const table = readCentroidTable('tracks.csv');
 * const { crops, skipped } = cropCells(image, table, { frame: 0, labels, dilate: 2 });
 * ```
 */
export {
  type CellCrop,
  type CropCellsOptions,
  type CropCellsResult,
  cropCells,
  DEFAULT_CROP_CELLS_OPTIONS,
  type SkippedCell,
  type SkipReason,
} from './crop-cells.js';
export {
  type CropFolderImage,
  type CropFolderOptions,
  type CropFolderResult,
  cropFolder,
  DEFAULT_CROP_FOLDER_OPTIONS,
} from './crop-folder.js';
export {
  type FindImagesOptions,
  findImages,
  IMAGE_EXTENSIONS,
  type InputImage,
} from './crop-inputs.js';
export { cropsFromLabels, labelCentroids } from './crops-from-labels.js';
