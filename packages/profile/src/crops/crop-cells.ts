import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkOneOf,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  withDefaults,
} from '@cellshape/core';
import { assertImage2D, firstNonFinite } from '../image/assert-image.js';
import type { CentroidRow, CentroidTable } from '../tables/centroid-table.js';
import type { Image2D } from '../types.js';
import { copyWindow, cropWindow, windowInside } from './crop-window.js';
import { componentMask, dilateDisk, labelAt, labelMask, nearestPixelOf } from './label-mask.js';

/** Options of {@link cropCells}. */
export interface CropCellsOptions {
  /** Crop side S in pixels. Default 128. */
  size?: number;
  /**
   * Crops that leave the image: `'skip'` (default) — left out and listed in `skipped`;
   * `'pad'` — kept, the missing pixels set to {@link CropCellsOptions.fill}.
   */
  edge?: 'skip' | 'pad';
  /** Value of padded pixels. Default 0. */
  fill?: number;
  /** A label image of the same height and width (0 background, one id per cell): gives masks. */
  labels?: Image2D;
  /**
   * With `labels`, the mask crop of each cell: `'component'` (default) — the 8-connected
   * component of the cell's label that holds the crop centre; `'label'` — every pixel of the
   * cell's label in the crop; `'none'` — no mask.
   */
  mask?: 'component' | 'label' | 'none';
  /**
   * Which label is the cell's: `'id'` — the row's id (CellProfiler ObjectNumber, Usiigaci
   * particle); `'centre'` — the label under the crop centre (TrackMate, whose spot ids are not
   * labels). Default `'auto'`: `'id'` when the ids equal the labels under the centres for at
   * least half of the cells not centred on background, else `'centre'`.
   */
  maskLabel?: 'auto' | 'id' | 'centre';
  /** Dilate masks by a disk of this radius in pixels (2 gives the 5×5 disk). Default 0. */
  dilate?: number;
  /**
   * With `labels` and `maskLabel` `'id'`: when the rounded centroid is not a pixel of the cell
   * (a concave cell whose centroid lies outside it), move the centre to the cell's pixel nearest
   * the centroid, so the crop centre always lies in the cell. Default true.
   */
  centreInCell?: boolean;
  /** Crop only the rows of this frame (tables that span frames must name one). */
  frame?: number;
  /** Crop only the rows of this image (CellProfiler ImageNumber, or the image column). */
  image?: string | number;
  /**
   * Size of a pixel `[y, x]` (or one number for both) in the table's unit, for tables in
   * physical units (TrackMate). Default: the image's `pixelSize`.
   */
  pixelSize?: number | readonly [number, number];
}

/** Defaults of {@link CropCellsOptions}. */
export const DEFAULT_CROP_CELLS_OPTIONS = {
  size: 128,
  edge: 'skip',
  fill: 0,
  mask: 'component',
  maskLabel: 'auto',
  dilate: 0,
  centreInCell: true,
} as const satisfies CropCellsOptions;

/** One crop of {@link cropCells}. */
export interface CellCrop {
  /** The table row (its id, frame, image and every metadata column). */
  row: CentroidRow;
  /** The S×S crop, all channels, the image's sample type. */
  image: Image2D;
  /** The 0/1 mask crop, when `labels` were given and `mask` is not `'none'`. */
  mask?: Image2D<Uint8Array>;
  /** The label the mask keeps. */
  label?: number;
  /** The image pixel `[row, column]` at crop index `[floor(S/2), floor(S/2)]`. */
  centre: [number, number];
  /** Distance in pixels the centre was moved into the cell (`centreInCell`), 0 when not. */
  moved: number;
  /** Whether part of the crop lies outside the image (only with `edge: 'pad'`). */
  padded: boolean;
}

/** Why a row gave no crop. */
export type SkipReason = 'edge' | 'no-label' | 'background';

/** A row of the table that gave no crop. */
export interface SkippedCell {
  row: CentroidRow;
  reason: SkipReason;
  /** A sentence for a report, e.g. `cell 3 at (5, 1000): the 128×128 crop leaves the image`. */
  detail: string;
}

/** What {@link cropCells} returns: the crops in table order and the rows skipped. */
export interface CropCellsResult {
  crops: CellCrop[];
  skipped: SkippedCell[];
}

type Resolved = ReturnType<typeof resolveOptions>;

function resolveOptions(fn: string, image: Image2D, options: CropCellsOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_CROP_CELLS_OPTIONS, options);
  const [height, width] = image.shape;
  checkInteger(fn, 'options.size', o.size, { min: 1 });
  if (o.size > height || o.size > width)
    throw invalidArgument(
      fn,
      'options.size',
      `at most the image's height and width (${height} × ${width})`,
      o.size,
    );
  checkOneOf(fn, 'options.edge', o.edge, ['skip', 'pad']);
  checkNumber(fn, 'options.fill', o.fill);
  checkOneOf(fn, 'options.mask', o.mask, ['component', 'label', 'none']);
  checkOneOf(fn, 'options.maskLabel', o.maskLabel, ['auto', 'id', 'centre']);
  checkInteger(fn, 'options.dilate', o.dilate, { min: 0, max: 64 });
  checkBoolean(fn, 'options.centreInCell', o.centreInCell);
  if (o.labels !== undefined) {
    assertImage2D(fn, 'options.labels', o.labels);
    const [lh, lw, lc] = o.labels.shape;
    if (lh !== height || lw !== width || lc !== 1)
      throw invalidArgument(
        fn,
        'options.labels',
        `a one-channel label image of the image's size [${height}, ${width}, 1]`,
        `shape [${o.labels.shape.join(', ')}]`,
      );
  }
  return o;
}

/** Checks the image: rank 3, matching data, no NaN or infinite pixel. */
function checkImage(fn: string, image: unknown): asserts image is Image2D {
  assertImage2D(fn, 'image', image);
  const bad = firstNonFinite(image);
  if (bad >= 0) {
    const [, width, channels] = image.shape;
    const pixel = Math.floor(bad / channels);
    throw invalidArgument(
      fn,
      'image',
      'free of NaN and infinite values (clean or fill them first)',
      `${image.data[bad]} at row ${Math.floor(pixel / width)}, column ${pixel % width}, channel ${bad % channels}`,
    );
  }
}

/** The table's rows for this image: `options.frame` / `options.image`, required when several. */
function selectRows(fn: string, table: CentroidTable, o: Resolved): CentroidRow[] {
  let rows = table.rows;
  for (const key of ['frame', 'image'] as const) {
    const wanted = o[key];
    const values = new Set(rows.map((r) => r[key]).filter((v) => v !== undefined));
    if (wanted === undefined) {
      if (values.size > 1) {
        const listed = [...values].slice(0, 6).join(', ');
        throw invalidArgument(
          fn,
          `options.${key}`,
          `set: the table holds rows of ${values.size} ${key}s (${listed}${values.size > 6 ? ', …' : ''}); name the one this image shows`,
        );
      }
      continue;
    }
    rows = rows.filter((r) => String(r[key]) === String(wanted));
    if (rows.length === 0)
      throw invalidArgument(
        fn,
        `options.${key}`,
        `a ${key} of the table (${[...values].slice(0, 6).join(', ')})`,
        wanted,
      );
  }
  return rows;
}

/** Pixels per table unit along y and x. */
function pixelScale(fn: string, table: CentroidTable, image: Image2D, o: Resolved) {
  if (table.unit === 'pixel') return [1, 1] as const;
  const given = o.pixelSize;
  if (given !== undefined) {
    const [py, px] = typeof given === 'number' ? [given, given] : given;
    checkNumber(fn, 'options.pixelSize', py, { min: 0, exclusiveMin: true });
    checkNumber(fn, 'options.pixelSize', px, { min: 0, exclusiveMin: true });
    return [1 / py!, 1 / px!] as const;
  }
  if (!image.pixelSize)
    throw invalidArgument(
      fn,
      'options.pixelSize',
      `given: the table's coordinates are in ${table.unit} and the image states no pixel size`,
    );
  if (image.unit !== undefined && image.unit !== table.unit)
    throw new IncompatibleError(
      `${fn}: the table's coordinates are in ${table.unit} but the image's pixel size is in ${image.unit}; pass options.pixelSize in ${table.unit}`,
      { fn, arg: 'options.pixelSize' },
    );
  return [1 / image.pixelSize[0], 1 / image.pixelSize[1]] as const;
}

/** Round half up: the pixel whose square `[i - 0.5, i + 0.5)` holds the coordinate. */
const nearestPixel = (v: number): number => Math.floor(v + 0.5);

/** Crops one cell, or says why it cannot. */
function cropOne(
  image: Image2D,
  row: CentroidRow,
  centre: [number, number],
  o: Resolved,
  labelMode: 'id' | 'centre',
): CellCrop | SkippedCell {
  const [height, width] = image.shape;
  const { labels, size } = o;
  let [cy, cx] = centre;
  let moved = 0;
  const name = `cell ${row.id} at (x ${row.x}, y ${row.y})`;
  let label: number | undefined;
  if (labels && o.mask !== 'none') {
    label = labelMode === 'id' ? row.id : labelAt(labels, cy, cx);
    if (label === 0)
      return {
        row,
        reason: 'background',
        detail: `${name}: the label under the centre is 0 (background)`,
      };
    if (labelMode === 'id' && o.centreInCell && labelAt(labels, cy, cx) !== label) {
      const inside = nearestPixelOf(labels, label, cy, cx, Math.floor(size / 2));
      if (!inside)
        return {
          row,
          reason: 'no-label',
          detail: `${name}: label ${label} has no pixel within the crop`,
        };
      moved = Math.hypot(inside[0] - cy, inside[1] - cx);
      [cy, cx] = inside;
    }
  }
  const window = cropWindow(cy, cx, size);
  const inside = windowInside(window, height, width);
  if (!inside && o.edge === 'skip')
    return {
      row,
      reason: 'edge',
      detail: `${name}: the ${size}×${size} crop centred on pixel (${cy}, ${cx}) leaves the ${height}×${width} image`,
    };
  const crop: CellCrop = {
    row,
    image: copyWindow(image, window, o.fill),
    centre: [cy, cx],
    moved,
    padded: !inside,
  };
  if (labels && label !== undefined) {
    const half = Math.floor(size / 2);
    let mask =
      o.mask === 'label'
        ? labelMask(labels, window, label)
        : componentMask(labels, window, label, [half, half]);
    if (o.mask === 'component' && mask[half * size + half] === 0) {
      const seed = nearestPixelOf(labels, label, cy, cx, half);
      mask = seed
        ? componentMask(labels, window, label, [seed[0] - window.top, seed[1] - window.left])
        : mask;
    }
    if (!mask.includes(1))
      return {
        row,
        reason: 'no-label',
        detail: `${name}: label ${label} has no pixel within the crop`,
      };
    crop.mask = { data: dilateDisk(mask, size, o.dilate), shape: [size, size, 1] };
    crop.label = label;
  }
  return crop;
}

/**
 * The label mode of `'auto'`: `'id'` when the ids agree with the labels under the centres for at
 * least half of the cells whose centre is not background, else `'centre'`. The data decide, not
 * the format alone: a CellProfiler table with a relabelled mask, or a TrackMate table whose spot
 * ids were made the labels, is read the way its labels are.
 */
function labelModeOf(
  o: Resolved,
  rows: CentroidRow[],
  centres: [number, number][],
  labels: Image2D,
): 'id' | 'centre' {
  if (o.maskLabel !== 'auto') return o.maskLabel;
  let agree = 0;
  let labelled = 0;
  rows.forEach((row, i) => {
    const label = labelAt(labels, centres[i]![0], centres[i]![1]);
    if (label === 0) return;
    labelled++;
    if (label === row.id) agree++;
  });
  return labelled > 0 && agree * 2 >= labelled ? 'id' : 'centre';
}

/** Throws when labels are given, ids are labels, and no id of `rows` is a label of the image. */
function checkIdsMatchLabels(fn: string, rows: CentroidRow[], labels: Image2D) {
  const present = new Set(labels.data);
  if (rows.some((r) => present.has(r.id))) return;
  const ids = rows.slice(0, 6).map((r) => r.id);
  const some = [...present].filter((v) => v !== 0).slice(0, 6);
  throw new InvalidArgumentError(
    `${fn}: no id of 'table' (${ids.join(', ')}${rows.length > 6 ? ', …' : ''}) is a label of 'options.labels' (${some.join(', ') || 'none but 0'}${present.size > 7 ? ', …' : ''}); is it the label image of this table (frame, image), or should masks use maskLabel: 'centre'?`,
    { fn, arg: 'table' },
  );
}

/** The table's centres in pixels, each checked to lie in the image. */
function pixelCentres(
  fn: string,
  table: CentroidTable,
  rows: CentroidRow[],
  image: Image2D,
  o: Resolved,
) {
  const [sy, sx] = pixelScale(fn, table, image, o);
  const [height, width] = image.shape;
  return rows.map((row): [number, number] => {
    const centre: [number, number] = [nearestPixel(row.y * sy), nearestPixel(row.x * sx)];
    if (centre[0] < 0 || centre[0] >= height || centre[1] < 0 || centre[1] >= width)
      throw invalidArgument(
        fn,
        'table',
        `centres inside the ${height}×${width} image (check the table's unit${table.unit === 'pixel' ? '' : ' and options.pixelSize'}, frame and image)`,
        `cell ${row.id} at (x ${row.x}, y ${row.y}) ${table.unit === 'pixel' ? '' : `= pixel (${centre[1]}, ${centre[0]}) `}outside`,
      );
    return centre;
  });
}

/**
 * Cuts an S×S crop (S = `options.size`, 128 by default) centred on each cell of a centroid
 * table. The centre pixel of a crop is the cell's centroid rounded half up
 * (`floor(x + 0.5)`, `floor(y + 0.5)`: the pixel whose square holds it) and sits at crop index
 * `floor(S / 2)` along both axes — `(64, 64)` for S = 128. Crops that leave the image are skipped
 * and listed in `skipped` (or padded with `options.fill` when `edge: 'pad'`). With
 * `options.labels`, each crop gets a 0/1 mask of its cell (the component under the centre,
 * optionally dilated by a disk), and the centre is moved into the cell when the centroid of a
 * concave cell falls outside it (`centreInCell`).
 *
 * Tables in physical units (TrackMate) are converted with `options.pixelSize` or the image's.
 * A table spanning several frames or images needs `options.frame` / `options.image`.
 *
 * ```ts
 * const { crops, skipped } = cropCells(image, table, { frame: 0, labels, dilate: 2 });
 * ```
 *
 * @throws InvalidArgumentError naming the argument: an image that is not rank 3 or holds NaN,
 *   a crop larger than the image, a centroid outside the image, labels of another size, ids
 *   that match no label; IncompatibleError for a pixel size in another unit than the table.
 */
export function cropCells(
  image: Image2D,
  table: CentroidTable,
  options?: CropCellsOptions,
): CropCellsResult {
  const fn = 'cropCells';
  checkImage(fn, image);
  if (table === null || typeof table !== 'object' || !Array.isArray(table.rows))
    throw invalidArgument(fn, 'table', 'a CentroidTable (see readCentroidTable)', table);
  const o = resolveOptions(fn, image, options);
  const rows = selectRows(fn, table, o);
  const centres = pixelCentres(fn, table, rows, image, o);
  // Ids meant as labels (CellProfiler ObjectNumber, …) of which none is a label of the image:
  // the label image belongs to another table, frame or image.
  if (
    o.labels &&
    o.mask !== 'none' &&
    rows.length > 0 &&
    (o.maskLabel === 'id' || (o.maskLabel === 'auto' && table.idsAreLabels))
  )
    checkIdsMatchLabels(fn, rows, o.labels);
  const labelMode = o.labels ? labelModeOf(o, rows, centres, o.labels) : 'centre';
  const result: CropCellsResult = { crops: [], skipped: [] };
  rows.forEach((row, i) => {
    const out = cropOne(image, row, centres[i]!, o, labelMode);
    if ('reason' in out) result.skipped.push(out);
    else result.crops.push(out);
  });
  return result;
}
