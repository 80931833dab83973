import type { CentroidFormat } from './centroid-table.js';

/**
 * How each known format names its columns. A format is detected when its `detect` columns are
 * all present; the first detected one wins, in the order of {@link TABLE_FORMATS}.
 */
export interface TableFormat {
  name: Exclude<CentroidFormat, 'columns'>;
  /** Picks the columns from a header, or undefined when the header is not of this format. */
  pick(header: readonly string[]): PickedColumns | undefined;
  /** Whether ids name label-image objects. */
  idsAreLabels: boolean;
}

/** Columns chosen for coordinates, id, frame and image. */
export interface PickedColumns {
  x: string;
  y: string;
  id?: string;
  frame?: string;
  image?: string;
  /** The unit of x and y when the format fixes it (else from the file or `options.unit`). */
  unit?: string;
  /**
   * The objects of a table that holds several (CellProfiler `Nuclei_…`, `Cells_…`) when the
   * columns picked are the first one's: the caller must ask which is meant.
   */
  otherObjects?: string[];
}

/** The first of `names` in the header (exact, then case-insensitive). */
export function findColumn(header: readonly string[], ...names: string[]): string | undefined {
  for (const name of names) if (header.includes(name)) return name;
  const lower = header.map((h) => h.toLowerCase());
  for (const name of names) {
    const i = lower.indexOf(name.toLowerCase());
    if (i >= 0) return header[i];
  }
  return undefined;
}

/**
 * The CellProfiler objects of a header with a `<measure>_X` and `_Y` column and an ObjectNumber:
 * each as its column prefix (`''` for a per-object file, `Nuclei_` in a table of several
 * objects) and its ObjectNumber column (the object's own, else the unprefixed one).
 */
function cellProfilerObjects(header: readonly string[], measure: string) {
  return header.flatMap((h) => {
    if (!(h === `${measure}_X` || h.endsWith(`_${measure}_X`))) return [];
    const prefix = h.slice(0, h.length - `${measure}_X`.length);
    const id = [`${prefix}ObjectNumber`, 'ObjectNumber'].find((name) => header.includes(name));
    return header.includes(`${prefix}${measure}_Y`) && id ? [{ prefix, id }] : [];
  });
}

const cellprofiler: TableFormat = {
  name: 'cellprofiler',
  idsAreLabels: true,
  pick(header) {
    if (!header.includes('ImageNumber')) return undefined;
    for (const measure of ['Location_Center', 'AreaShape_Center']) {
      // An object's centre and its ObjectNumber share its prefix: taken separately (the first
      // `…_Location_Center_X`, the first `…_ObjectNumber`), a table of several objects paired
      // one object's ids with another's centres.
      const [first, ...others] = cellProfilerObjects(header, measure);
      if (first === undefined) continue;
      const { prefix, id } = first;
      const picked: PickedColumns = {
        x: `${prefix}${measure}_X`,
        y: `${prefix}${measure}_Y`,
        id,
        image: 'ImageNumber',
        unit: 'pixel',
      };
      if (others.length > 0) picked.otherObjects = [prefix, ...others.map((o) => o.prefix)];
      return picked;
    }
    return undefined;
  },
};

const trackmate: TableFormat = {
  name: 'trackmate',
  idsAreLabels: false,
  pick(header) {
    if (!(header.includes('POSITION_X') && header.includes('POSITION_Y'))) return undefined;
    const picked: PickedColumns = { x: 'POSITION_X', y: 'POSITION_Y' };
    if (header.includes('ID')) picked.id = 'ID';
    if (header.includes('FRAME')) picked.frame = 'FRAME';
    return picked;
  },
};

const usiigaci: TableFormat = {
  name: 'usiigaci',
  idsAreLabels: true,
  pick(header) {
    const has = (...names: string[]) => names.every((n) => header.includes(n));
    if (!has('particle', 'frame', 'x', 'y')) return undefined;
    // x and y are in µm (pixel × pixel_scale); wtd_x and wtd_y hold the same centres in pixels.
    if (has('wtd_x', 'wtd_y'))
      return { x: 'wtd_x', y: 'wtd_y', id: 'particle', frame: 'frame', unit: 'pixel' };
    return { x: 'x', y: 'y', id: 'particle', frame: 'frame', unit: 'µm' };
  },
};

/** The known formats, in detection order. */
export const TABLE_FORMATS: readonly TableFormat[] = [cellprofiler, trackmate, usiigaci];

/** Column names tried for a table of no known format (scikit-image, pandas, ImageJ habits). */
export const GENERIC_COLUMNS = {
  x: ['x', 'X', 'centroid_x', 'Centroid_X', 'center_x', 'centroid-1', 'XM', 'cx'],
  y: ['y', 'Y', 'centroid_y', 'Centroid_Y', 'center_y', 'centroid-0', 'YM', 'cy'],
  id: ['id', 'label', 'ID', 'Label', 'object_id', 'ObjectNumber'],
  frame: ['frame', 'FRAME', 't', 'T', 'time_point', 'timepoint'],
  image: ['image', 'filename', 'file_name', 'FileName', 'ImageNumber', 'image_name'],
} as const;
