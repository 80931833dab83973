import type { ManifestRow } from './convert-file.js';

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
] as const;

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(value: string | number): string {
  const text = typeof value === 'number' ? String(Number(value.toPrecision(9))) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The manifest of a conversion as CSV text: a header of {@link MANIFEST_COLUMNS} and one line
 * per object. Numbers keep 9 significant digits; centroids are in voxels (z, y, x), areas in
 * physical units², paths relative to the output folder with `/` separators.
 */
export function encodeManifest(rows: readonly ManifestRow[]): string {
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const r of rows) {
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
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
