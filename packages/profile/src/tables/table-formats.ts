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

/** The first column named `suffix` or ending in `_suffix` (CellProfiler object prefixes). */
function withSuffix(header: readonly string[], suffix: string): string | undefined {
  return header.find((h) => h === suffix) ?? header.find((h) => h.endsWith(`_${suffix}`));
}

const cellprofiler: TableFormat = {
  name: 'cellprofiler',
  idsAreLabels: true,
  pick(header) {
    const id = withSuffix(header, 'ObjectNumber');
    if (!header.includes('ImageNumber') || id === undefined) return undefined;
    for (const prefix of ['Location_Center', 'AreaShape_Center']) {
      const x = withSuffix(header, `${prefix}_X`);
      const y = withSuffix(header, `${prefix}_Y`);
      if (x && y) return { x, y, id, image: 'ImageNumber', unit: 'pixel' };
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
