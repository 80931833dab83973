import type { ClassicalMeasures, ManifestRow } from './convert-file.js';

/**
 * The classical-measure columns of `manifest.csv`, in order, each with the
 * {@link ClassicalMeasures} key it holds. Lengths are in the units of the object's spacing
 * (`spacing_from` `none`: voxels), volumes in units³; sphericity, elongation, flatness and
 * solidity have no unit.
 */
export const MANIFEST_MEASURE_COLUMNS = [
  ['volume', 'volume'],
  ['sphericity', 'sphericity'],
  ['extent_x', 'extentX'],
  ['extent_y', 'extentY'],
  ['extent_z', 'extentZ'],
  ['axis_major', 'axisMajor'],
  ['axis_intermediate', 'axisIntermediate'],
  ['axis_minor', 'axisMinor'],
  ['elongation', 'elongation'],
  ['flatness', 'flatness'],
  ['convex_hull_volume', 'convexHullVolume'],
  ['solidity', 'solidity'],
] as const satisfies readonly (readonly [string, keyof ClassicalMeasures])[];

/** Columns of `manifest.csv`, in order. */
export const MANIFEST_COLUMNS = [
  'id',
  'source',
  'label',
  'voxel_count',
  'centroid_z',
  'centroid_y',
  'centroid_x',
  'vertices',
  'faces',
  'area',
  'mesh',
  'points',
  'spacing_z',
  'spacing_y',
  'spacing_x',
  'spacing_from',
  ...MANIFEST_MEASURE_COLUMNS.map(([column]) => column),
] as const;

/**
 * A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). Integers are
 * written whole (9 digits made the label 4294967295 `4294967300`, an object never found again),
 * other numbers with 9 significant digits.
 */
function field(value: string | number): string {
  const text =
    typeof value !== 'number'
      ? value
      : Number.isSafeInteger(value)
        ? String(value)
        : String(Number(value.toPrecision(9)));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The manifest of a conversion as CSV text: a header of {@link MANIFEST_COLUMNS} and one line
 * per object. Integers are written whole, other numbers keep 9 significant digits; centroids are in voxels (z, y, x), areas in
 * physical units², paths relative to the output folder with `/` separators; the spacing
 * (z, y, x) and where it came from (`option`, `file`, or `none`: lengths in voxels) precede the
 * classical measures ({@link MANIFEST_MEASURE_COLUMNS}; empty for an object whose mesh encloses
 * no volume).
 */
export function encodeManifest(rows: readonly ManifestRow[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const r of rows) {
    const measures = MANIFEST_MEASURE_COLUMNS.map(([, key]) =>
      r.measures === null ? '' : r.measures[key],
    );
    lines.push(
      [
        r.id,
        r.source,
        r.label,
        r.voxelCount,
        ...r.centroid,
        r.vertices,
        r.faces,
        r.area,
        r.mesh,
        r.points,
        ...r.spacing,
        r.spacingFrom,
        ...measures,
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
