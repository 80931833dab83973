import type { DatasetWarning } from '@cellshape/core';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from '@cellshape/engine';
import type { RunDataset } from './model-plugin.js';

/**
 * A package's dataset as the run layer sees it: the {@link RunDataset} members are the
 * dataset's own, and `skipped` is what reading its folder left out (asked each time: a dataset
 * may skip a file as late as its first batch). Each family subclasses it, so that its plugin
 * can tell its own datasets apart and read back what its report shows (a cell's file, a crop's
 * mask).
 */
export class DatasetView<D extends Dataset<B>, B extends DatasetBatch = DatasetBatch>
  implements RunDataset
{
  constructor(
    readonly dataset: D,
    private readonly skippedOf: () => readonly DatasetWarning[],
  ) {}
  get length(): number {
    return this.dataset.length;
  }
  get ids(): readonly string[] {
    return this.dataset.ids;
  }
  get metadata(): D['metadata'] {
    return this.dataset.metadata;
  }
  get skipped(): readonly DatasetWarning[] {
    return this.skippedOf();
  }
  batches(options: DatasetBatchOptions): AsyncIterable<B> | Iterable<B> {
    return this.dataset.batches(options);
  }
}
