import { invalidArgument } from '@cellshape/core';
import { assertImage2D } from '../image/assert-image.js';
import type { CentroidTable } from '../tables/centroid-table.js';
import type { Image2D } from '../types.js';
import { type CropCellsOptions, type CropCellsResult, cropCells } from './crop-cells.js';

/**
 * The centroid of every label of a label image, as a {@link CentroidTable} (format `'columns'`,
 * ids = labels, in increasing order): the mean row and column of the label's pixels, 0-based,
 * as scikit-image's `regionprops` `centroid` and CellProfiler's `Location_Center_X/Y`. Metadata:
 * `label`, `centroid-0` (row), `centroid-1` (column) and `area` (pixels).
 */
export function labelCentroids(labels: Image2D): CentroidTable {
  const fn = 'labelCentroids';
  assertImage2D(fn, 'labels', labels);
  const [height, width, channels] = labels.shape;
  if (channels !== 1)
    throw invalidArgument(fn, 'labels', 'a one-channel label image', `${channels} channels`);
  const sums = new Map<number, [number, number, number]>();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const label = labels.data[y * width + x]!;
      if (label === 0) continue;
      const s = sums.get(label);
      if (s) {
        s[0] += y;
        s[1] += x;
        s[2]++;
      } else sums.set(label, [y, x, 1]);
    }
  const rows = [...sums.keys()]
    .sort((a, b) => a - b)
    .map((label) => {
      const [sy, sx, n] = sums.get(label)!;
      const [y, x] = [sy / n, sx / n];
      const metadata = {
        label: String(label),
        'centroid-0': String(y),
        'centroid-1': String(x),
        area: String(n),
      };
      return { x, y, id: label, metadata };
    });
  return {
    format: 'columns',
    columns: ['label', 'centroid-0', 'centroid-1', 'area'],
    used: { x: 'centroid-1', y: 'centroid-0', id: 'label' },
    unit: 'pixel',
    idsAreLabels: true,
    rows,
  };
}

/**
 * Crops every cell of a label image: centroids from {@link labelCentroids}, then
 * {@link cropCells} with `labels` (masks of each cell's own label; `options.labels` is ignored).
 */
export function cropsFromLabels(
  image: Image2D,
  labels: Image2D,
  options?: Omit<CropCellsOptions, 'labels' | 'frame' | 'image' | 'pixelSize'>,
): CropCellsResult {
  assertImage2D('cropsFromLabels', 'labels', labels);
  return cropCells(image, labelCentroids(labels), { ...options, labels });
}
