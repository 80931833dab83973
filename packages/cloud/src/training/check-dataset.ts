import { invalidArgument } from '@cellshape/core';
import type { Dataset } from '@cellshape/engine';

/**
 * Throws unless `dataset` has what training and extraction use of the engine's `Dataset`
 * contract: an integer `length` and a `batches` method. `fn` names the public function.
 */
export function checkDataset(fn: string, dataset: unknown): asserts dataset is Dataset {
  const d = dataset as Partial<Dataset> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    !Number.isInteger(d.length) ||
    typeof d.batches !== 'function'
  )
    throw invalidArgument(
      fn,
      'dataset',
      'a Dataset (length, ids, metadata, batches), e.g. a PointCloudDataset',
      dataset,
    );
}
