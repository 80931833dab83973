import { MASK_MEASURES, maskMeasures } from '@cellshape/profile';
import type { ClassicalTable } from './feature-sets.js';
import type { RunDataset } from './model-plugin.js';
import { ProfileRunDataset } from './profile-run-dataset.js';

/**
 * The classical measures of a crop folder: `MASK_MEASURES` (area, perimeter, axes, eccentricity,
 * solidity, extent, circularity; scikit-image's regionprops, in pixels) of each crop's mask. Null
 * without mask crops (`cellshape profile crop` without `--labels`); a crop whose mask is empty is
 * listed in `missing`.
 */
export function cropMaskMeasures(dataset: RunDataset): ClassicalTable | null {
  if (!(dataset instanceof ProfileRunDataset) || !dataset.hasMasks) return null;
  const n = dataset.length;
  const d = MASK_MEASURES.length;
  const values = new Float64Array(n * d);
  const missing: number[] = [];
  for (let i = 0; i < n; i++) {
    const mask = dataset.mask(i)!;
    const m = maskMeasures(mask.data, mask.height, mask.width);
    if (m === null) missing.push(i);
    else
      values.set(
        MASK_MEASURES.map((name) => m[name]),
        i * d,
      );
  }
  if (missing.length === n) return null;
  return {
    columns: MASK_MEASURES,
    values: { data: values, shape: [n, d] },
    source: 'masks',
    manifest: null,
    spacing: null,
    spacingFrom: 'unknown',
    missing,
  };
}
