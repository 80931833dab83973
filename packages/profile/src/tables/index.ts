/**
 * Centroid tables: CellProfiler per-object CSV, TrackMate spots CSV, Usiigaci `tracks.csv` or
 * any CSV with named x/y/id/frame/image columns, detected from the header.
 *
 * ```ts
 * import { readCentroidTable } from '@cellshape/profile';
 * const table = readCentroidTable('Nuclei.csv');  // format 'cellprofiler', unit 'pixel'
 * table.rows[0];                                  // { x, y, id, image: '1', metadata: { … every column } }
 * ```
 */
export type { CentroidFormat, CentroidRow, CentroidTable } from './centroid-table.js';
export {
  type CentroidTableOptions,
  DEFAULT_CENTROID_TABLE_OPTIONS,
  parseCentroidTable,
  readCentroidTable,
} from './parse-centroid-table.js';
export { readUsiigaciParameters, type UsiigaciParameters } from './usiigaci-parameters.js';
