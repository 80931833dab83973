import { join, resolve } from 'node:path';
import { createRng, invalidArgument, withDefaults, writeFileAtomic } from '@cellshape/core';
import { type SyntheticFamily, syntheticCell, writeVolume } from '@cellshape/helper';

/**
 * The demo's synthetic experiment: shape families whose proportions differ between
 * treatments, imaged as one 3-D label TIFF per (plate, treatment) well, with a metadata CSV in
 * the layout of the cellshape paper (Treatment, PlateNumber, serialNumber).
 */

/** A treatment of the demo and the share of each family among its cells. */
export interface DemoTreatment {
  name: string;
  /** Relative frequency of each family, in `DEMO_FAMILIES` order. */
  proportions: readonly number[];
}

/** The families the demo draws (four of the helper's synthetic families). */
export const DEMO_FAMILIES: readonly SyntheticFamily[] = [
  'round',
  'elongated',
  'flat',
  'protrusive',
];

/** The demo's treatments: a balanced control and three that favour one family each. */
export const DEMO_TREATMENTS: readonly DemoTreatment[] = [
  { name: 'Control', proportions: [1, 1, 1, 1] },
  { name: 'Drug-A', proportions: [4, 1, 1, 1] },
  { name: 'Drug-B', proportions: [1, 4, 1, 1] },
  { name: 'Drug-C', proportions: [1, 1, 1, 4] },
];

/** Options of {@link generateDemoData}. */
export interface DemoDataOptions {
  /** Plates (each holds one well per treatment). Default 2. */
  plates?: number;
  /** Cells per well (per label image). Default 8. */
  cellsPerWell?: number;
  /** Edge of each cell's cubic slot in voxels. Default 40. */
  cellSize?: number;
  /** Seed of every random choice. Default 0. */
  seed?: number;
}

/** Defaults of {@link DemoDataOptions}. */
export const DEFAULT_DEMO_DATA_OPTIONS = {
  plates: 2,
  cellsPerWell: 8,
  cellSize: 40,
  seed: 0,
} as const;

/** One cell of the demo experiment. */
export interface DemoCell {
  /** The id `convert` gives the cell: `plate<p>/<treatment>_<label>`. */
  serialNumber: string;
  Treatment: string;
  PlateNumber: number;
  /** The true shape family (what the clustering should recover). */
  Family: SyntheticFamily;
}

/** What {@link generateDemoData} wrote. */
export interface DemoData {
  /** Folder of label TIFFs, `plate<p>/<treatment>.tif`. */
  masks: string;
  /** Metadata CSV: serialNumber, Treatment, PlateNumber, Family. */
  metadata: string;
  cells: DemoCell[];
}

/** Draws an index with probability proportional to `weights`. */
function draw(weights: readonly number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]! / total;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * Writes the demo experiment under `dir`: `masks/plate<p>/<treatment>.tif` (uint16 label
 * images, one cell per slot of a row of `cellSize`³ slots, labels 1…n) and `metadata.csv`.
 * Deterministic for a seed.
 */
export async function generateDemoData(
  dir: string,
  options: DemoDataOptions = {},
): Promise<DemoData> {
  const fn = 'generateDemoData';
  if (typeof dir !== 'string' || dir.length === 0)
    throw invalidArgument(fn, 'dir', 'a folder path', dir);
  const o = withDefaults(fn, DEFAULT_DEMO_DATA_OPTIONS, options);
  for (const [name, value, min] of [
    ['plates', o.plates, 1],
    ['cellsPerWell', o.cellsPerWell, 1],
    ['cellSize', o.cellSize, 16],
  ] as const)
    if (!Number.isInteger(value) || value < min)
      throw invalidArgument(fn, `options.${name}`, `an integer ≥ ${min}`, value);
  if (!Number.isInteger(o.seed)) throw invalidArgument(fn, 'options.seed', 'an integer', o.seed);
  const root = resolve(dir);
  const masks = join(root, 'masks');
  const rng = createRng(o.seed);
  const s = o.cellSize;
  const cells: DemoCell[] = [];
  for (let plate = 1; plate <= o.plates; plate++) {
    for (const treatment of DEMO_TREATMENTS) {
      const n = o.cellsPerWell;
      const shape: [number, number, number] = [s, s, s * n];
      const data = new Uint16Array(s * s * s * n);
      for (let c = 0; c < n; c++) {
        const family = DEMO_FAMILIES[draw(treatment.proportions, rng.next())]!;
        const mask = syntheticCell(family, { seed: rng.int(2 ** 31), size: s });
        for (let z = 0; z < s; z++)
          for (let y = 0; y < s; y++)
            for (let x = 0; x < s; x++)
              if (mask.data[(z * s + y) * s + x]) data[(z * s + y) * s * n + c * s + x] = c + 1;
        cells.push({
          serialNumber: `plate${plate}/${treatment.name}_${c + 1}`,
          Treatment: treatment.name,
          PlateNumber: plate,
          Family: family,
        });
      }
      await writeVolume(join(masks, `plate${plate}`, `${treatment.name}.tif`), { data, shape });
    }
  }
  const metadata = join(root, 'metadata.csv');
  const lines = [
    'serialNumber,Treatment,PlateNumber,Family',
    ...cells.map((c) => `${c.serialNumber},${c.Treatment},${c.PlateNumber},${c.Family}`),
  ];
  await writeFileAtomic(metadata, `${lines.join('\n')}\n`);
  return { masks, metadata, cells };
}
