import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type DenseMatrix, standardise } from '@cellshape/cluster';
import { InvalidArgumentError, parseCsv } from '@cellshape/core';
import {
  type ClassicalMeasures,
  convexHull,
  MANIFEST_MEASURE_COLUMNS,
  meshShapeMeasures,
  type SpacingSource,
} from '@cellshape/helper';
import type { ModelPlugin, RunDataset } from './model-plugin.js';

/** The feature sets a run compares: the model's, the classical measures, and both side by side. */
export const FEATURE_SETS = ['learned', 'classical', 'both'] as const;

/** A feature set's name. */
export type FeatureSetName = (typeof FEATURE_SETS)[number];

/**
 * The classical measures' names, as `manifest.csv` columns: helper's `MANIFEST_MEASURE_COLUMNS`
 * and the mesh's surface `area`.
 */
export const CLASSICAL_COLUMNS: readonly string[] = [
  ...MANIFEST_MEASURE_COLUMNS.map(([c]) => c),
  'area',
];

/**
 * Measures that grow with the object's size (lengths, volumes): compared on a log scale, so that
 * a cell twice as large is as far from its neighbour as one twice as small, and a few giants do
 * not squeeze everyone else into one standard deviation.
 */
const SIZE_COLUMNS = new Set([
  'volume',
  'area',
  'extent_x',
  'extent_y',
  'extent_z',
  'axis_major',
  'axis_intermediate',
  'axis_minor',
  'convex_hull_volume',
  'perimeter',
]);

/** Where a run's classical measures came from. */
export type ClassicalSource =
  /** `manifest.csv` of `cellshape convert` (the object's mesh, in the spacing's units). */
  | 'manifest'
  /** The convex hull of each cell's points (no manifest: solidity is 1 by construction). */
  | 'hull'
  /** Some cells from each. */
  | 'mixed'
  /** Shape measures of each 2-D crop's mask, in pixels (the family's `classicalMeasures`). */
  | 'masks';

/** The classical measures of a run's cells, raw (in the units of the spacing). */
export interface ClassicalTable {
  /** Column names: {@link CLASSICAL_COLUMNS}, or the family's own (2-D: `MASK_MEASURES`). */
  columns: readonly string[];
  /** `n × columns` raw measures in dataset order (zeros for a cell in `missing`). */
  values: DenseMatrix<Float64Array>;
  source: ClassicalSource;
  /** The manifest read, when one was. */
  manifest: string | null;
  /**
   * The voxel size (z, y, x) the measures were made with when every cell shares one, else null
   * (several, or unknown: the hull measures are in the units of the point clouds).
   */
  spacing: [number, number, number] | null;
  /** Where the spacing came from (`'none'`: lengths in voxels), or `'mixed'`/`'unknown'`. */
  spacingFrom: SpacingSource | 'mixed' | 'unknown';
  /** Cells that have no measures at all (neither in the manifest nor a hull): left out of comparisons. */
  missing: number[];
}

interface ManifestEntry {
  values: number[];
  spacing: [number, number, number];
  spacingFrom: SpacingSource;
}

/** `manifest.csv` in the input folder or next to it (`<out>/points` → `<out>/manifest.csv`). */
export function findManifest(input: string): string | null {
  for (const dir of [input, dirname(input)]) {
    const path = join(dir, 'manifest.csv');
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * The manifest's measures by cell id: by the manifest id (`<dir>/<stem>_<label>`) and, where
 * unique, by its last part alone (the dataset's ids are file stems when those are unique).
 */
function readManifest(path: string): Map<string, ManifestEntry> | null {
  const table = parseCsv(readFileSync(path, 'utf8'), { source: path, caller: 'classicalTable' });
  const at = (name: string) => table.header.indexOf(name);
  const measureAt = CLASSICAL_COLUMNS.map(at);
  if (at('id') < 0 || measureAt.some((c) => c < 0)) return null;
  const entries = new Map<string, ManifestEntry>();
  const stems = new Map<string, ManifestEntry | null>();
  for (const row of table.rows) {
    const values = measureAt.map((c) => (row[c] === '' ? Number.NaN : Number(row[c])));
    if (!values.every(Number.isFinite)) continue;
    const spacing = ['spacing_z', 'spacing_y', 'spacing_x'].map((c) => Number(row[at(c)])) as [
      number,
      number,
      number,
    ];
    const entry = { values, spacing, spacingFrom: row[at('spacing_from')] as SpacingSource };
    const id = row[at('id')]!;
    entries.set(id, entry);
    const stem = basename(id);
    stems.set(stem, stems.has(stem) ? null : entry);
  }
  for (const [stem, entry] of stems)
    if (entry !== null && !entries.has(stem)) entries.set(stem, entry);
  return entries;
}

/**
 * Classical measures of the convex hull of a cell's points (x, y, z rows): what is left when no
 * mesh is known. Volume and area are the hull's, so solidity is 1 and sphericity that of the hull.
 */
export function hullMeasures(points: readonly number[][]): number[] | null {
  try {
    const m = meshShapeMeasures(convexHull(Float32Array.from(points.flat())));
    const c: ClassicalMeasures = {
      volume: m.volume,
      sphericity: m.sphericity,
      extentX: m.extents[0],
      extentY: m.extents[1],
      extentZ: m.extents[2],
      axisMajor: m.principalAxisLengths[0],
      axisIntermediate: m.principalAxisLengths[1],
      axisMinor: m.principalAxisLengths[2],
      elongation: m.elongation,
      flatness: m.flatness,
      convexHullVolume: m.convexHullVolume,
      solidity: m.solidity,
    };
    // 9 significant digits, as the manifest keeps: a solidity of 1 − 1e-16 is 1, not a feature.
    return [...MANIFEST_MEASURE_COLUMNS.map(([, key]) => c[key]), m.surfaceArea].map((v) =>
      Number(v.toPrecision(9)),
    );
  } catch {
    return null;
  }
}

/** Points per cell the hull measures are computed from. */
const HULL_POINTS = 2048;

/**
 * The classical measures of every cell of a run's dataset: the family's own when it has them
 * (`classicalMeasures`: the 2-D families measure the mask crops), else from the `manifest.csv`
 * of `cellshape convert` found in or next to `input` (matched by id), else from the convex hull
 * of the cell's points (families that show points: `report.exemplarPoints`). Null when no cell
 * has any.
 */
export async function classicalTable(
  input: string,
  dataset: RunDataset,
  plugin: ModelPlugin<object>,
): Promise<ClassicalTable | null> {
  if (plugin.classicalMeasures) return plugin.classicalMeasures(dataset);
  const manifest = findManifest(input);
  const entries = manifest ? readManifest(manifest) : null;
  const n = dataset.length;
  const d = CLASSICAL_COLUMNS.length;
  const values = new Float64Array(n * d);
  const missing: number[] = [];
  const spacings = new Set<string>();
  const froms = new Set<string>();
  let fromManifest = 0;
  let fromHull = 0;
  const view = plugin.report?.exemplarPoints;
  for (let i = 0; i < n; i++) {
    const entry = entries?.get(dataset.ids[i]!);
    let row: number[] | null = null;
    if (entry) {
      row = entry.values;
      fromManifest++;
      spacings.add(entry.spacing.join(','));
      froms.add(entry.spacingFrom);
    } else if (view) {
      row = hullMeasures(await view(dataset, i, HULL_POINTS));
      if (row) fromHull++;
    }
    if (row) values.set(row, i * d);
    else missing.push(i);
  }
  if (fromManifest + fromHull === 0) return null;
  const oneSpacing = fromHull === 0 && spacings.size === 1;
  return {
    columns: CLASSICAL_COLUMNS,
    values: { data: values, shape: [n, d] },
    source: fromHull === 0 ? 'manifest' : fromManifest === 0 ? 'hull' : 'mixed',
    manifest: fromManifest > 0 ? manifest : null,
    spacing: oneSpacing
      ? ([...spacings][0]!.split(',').map(Number) as [number, number, number])
      : null,
    spacingFrom:
      fromHull > 0 ? 'unknown' : froms.size === 1 ? ([...froms][0] as SpacingSource) : 'mixed',
    missing,
  };
}

/**
 * Z-scores the columns of a block and divides it by √(columns), so that every block weighs alike
 * in euclidean distances however many columns it has (128 learned features do not drown 12
 * classical measures).
 */
export function standardBlock(m: DenseMatrix): DenseMatrix<Float64Array> {
  const z = standardise(m);
  const w = 1 / Math.sqrt(m.shape[1]);
  for (let i = 0; i < z.data.length; i++) z.data[i]! *= w;
  return z;
}

/** The classical measures as features: size measures on a log scale (see {@link SIZE_COLUMNS}). */
export function classicalFeatures(table: {
  columns: readonly string[];
  values: DenseMatrix;
}): DenseMatrix {
  const [n, d] = table.values.shape;
  const data = Float64Array.from(table.values.data);
  table.columns.forEach((name, c) => {
    if (!SIZE_COLUMNS.has(name)) return;
    for (let i = 0; i < n; i++) data[i * d + c] = Math.log(Math.max(data[i * d + c]!, 1e-12));
  });
  return { data, shape: [n, d] };
}

/** Rows `rows` of a matrix. */
export function selectRows(m: DenseMatrix, rows: readonly number[]): DenseMatrix<Float64Array> {
  const d = m.shape[1];
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    data.set(m.data.subarray(r * d, (r + 1) * d), i * d);
  });
  return { data, shape: [rows.length, d] };
}

/** Two matrices of the same rows side by side. */
function sideBySide(a: DenseMatrix, b: DenseMatrix): DenseMatrix<Float64Array> {
  const [n, da] = a.shape;
  const db = b.shape[1];
  const data = new Float64Array(n * (da + db));
  for (let i = 0; i < n; i++) {
    data.set(a.data.subarray(i * da, (i + 1) * da), i * (da + db));
    data.set(b.data.subarray(i * db, (i + 1) * db), i * (da + db) + da);
  }
  return { data, shape: [n, da + db] };
}

/**
 * The feature sets of the same cells, each ready for distances: `learned` (the model's
 * features), `classical` (the classical measures, sizes on a log scale) — each z-scored per
 * column and scaled to equal weight ({@link standardBlock}) — and `both`, the two side by side.
 * Without classical measures only `learned`.
 */
export function featureSets(
  learned: DenseMatrix,
  classical: DenseMatrix | null,
): Partial<Record<FeatureSetName, DenseMatrix<Float64Array>>> {
  const l = standardBlock(learned);
  if (classical === null) return { learned: l };
  const c = standardBlock(classicalFeatures({ columns: CLASSICAL_COLUMNS, values: classical }));
  return { learned: l, classical: c, both: sideBySide(l, c) };
}

/**
 * The classical measures of a dataset's cells as CSV fields to append to a per-cell table:
 * line 0 the header (`classical_volume,…`), then one line per cell in dataset order — sizes on a
 * log scale, each column z-scored over the cells; a cell without measures gets 0 (the mean).
 *
 * @throws InvalidArgumentError when no cell has classical measures.
 */
export async function classicalColumnsCsv(
  input: string,
  dataset: RunDataset,
  plugin: ModelPlugin<object>,
): Promise<{ columns: number; lines: string[] }> {
  const table = await classicalTable(input, dataset, plugin);
  if (table === null)
    throw new InvalidArgumentError(
      `extractRun: no classical measures for the cells of ${input} (no manifest.csv of cellshape convert beside it, and the model family shows no points)`,
      { fn: 'extractRun', arg: 'featuresWith' },
    );
  const d = table.columns.length;
  const present = Array.from({ length: dataset.length }, (_, i) => i).filter(
    (i) => !table.missing.includes(i),
  );
  const z = standardise(selectRows(classicalFeatures(table), present));
  const rows = new Map(present.map((cell, r) => [cell, r]));
  const lines = [table.columns.map((c) => `classical_${c}`).join(',')];
  for (let i = 0; i < dataset.length; i++) {
    const r = rows.get(i);
    lines.push(
      table.columns
        .map((_, c) => (r === undefined ? '0' : String(Number(z.data[r * d + c]!.toPrecision(7)))))
        .join(','),
    );
  }
  return { columns: d, lines };
}
