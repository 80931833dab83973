/**
 * Centroid tables: one row per object with its centre in an image, as CellProfiler, TrackMate,
 * Usiigaci or any CSV with named columns give it.
 */

/** The table formats {@link parseCentroidTable} knows. */
export type CentroidFormat = 'cellprofiler' | 'trackmate' | 'usiigaci' | 'columns';

/** One object of a {@link CentroidTable}. */
export interface CentroidRow {
  /**
   * Centre, column and row, 0-based with pixel `i` covering `[i - 0.5, i + 0.5)` (the convention
   * of CellProfiler, scikit-image, TrackMate and ImageJ's centroids), in {@link CentroidTable.unit}.
   */
  x: number;
  y: number;
  /**
   * The object's id: CellProfiler `ObjectNumber`, Usiigaci `particle`, TrackMate spot `ID`, the
   * `id` column of other tables, else the row's 1-based position.
   */
  id: number;
  /** Time point: TrackMate `FRAME`, Usiigaci `frame`, the `frame` column of other tables. */
  frame?: number;
  /** CellProfiler `ImageNumber` (1-based), or the `image` column of other tables. */
  image?: string;
  /** Every column of the row as written in the file, keyed by column name. */
  metadata: Record<string, string>;
}

/** A parsed centroid table. */
export interface CentroidTable {
  format: CentroidFormat;
  /** Every column name of the file, in file order (the metadata keys). */
  columns: string[];
  /** The columns the coordinates, ids, frames and images were read from. */
  used: { x: string; y: string; id?: string; frame?: string; image?: string };
  /**
   * The unit of x and y: `'pixel'`, or a physical unit (TrackMate's calibrated `micron`, say),
   * which crops convert to pixels with the image's pixel size.
   */
  unit: string;
  /**
   * Whether ids name the objects of a label image (CellProfiler `ObjectNumber`, Usiigaci
   * `particle`, an `id` column): mask crops then keep the label equal to the id. TrackMate spot
   * ids do not: mask crops keep the label under the centre.
   */
  idsAreLabels: boolean;
  rows: CentroidRow[];
}
