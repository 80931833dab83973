import {
  checkInteger,
  checkNumber,
  checkOneOf,
  checkString,
  createRng,
  deriveSeed,
  invalidArgument,
  type ProgressCallback,
  type Rng,
  reportProgress,
  withDefaults,
} from '@cellshape/core';
import type { Image2D } from '../types.js';
import {
  type CellFamily2D,
  checkCell2DOptions,
  checkFamily2D,
  DEFAULT_DRAW_CELL_2D_OPTIONS,
  drawLocalMask,
} from './families-2d.js';
import {
  type RenderedObject,
  renderField,
  SYNTHETIC_MODALITIES_2D,
  type SyntheticModality2D,
} from './render-field.js';
import type { LocalMask } from './shape-2d.js';

/** A treatment of a synthetic experiment: its name and the relative frequency of each family under it. */
export interface Treatment2D {
  name: string;
  /** Relative weights (≥ 0) of the families drawn under this treatment; missing families are never drawn. */
  weights: Partial<Record<CellFamily2D, number>>;
}

/**
 * Three treatments that shift the family mix: `'control'` is mostly round, `'migratory'` mostly
 * elongated and protrusive, `'stressed'` mostly blebbed and lobed.
 */
export const DEFAULT_TREATMENTS_2D: readonly Treatment2D[] = [
  { name: 'control', weights: { round: 6, elongated: 1, protrusive: 1, blebbed: 1, lobed: 1 } },
  {
    name: 'migratory',
    weights: { round: 1, elongated: 4, protrusive: 4, blebbed: 0.5, lobed: 0.5 },
  },
  {
    name: 'stressed',
    weights: { round: 1, elongated: 0.5, protrusive: 0.5, blebbed: 4, lobed: 4 },
  },
];

/** Options of {@link syntheticExperiment2D}. */
export interface SyntheticExperiment2DOptions {
  /** Seed of every random choice. Default 0. */
  seed?: number;
  /** `'phase'` (1 channel) or `'fluorescence'` (2 channels: cell body, nucleus). Default `'phase'`. */
  modality?: SyntheticModality2D;
  /** Treatments and their family mixes. Default {@link DEFAULT_TREATMENTS_2D}. */
  treatments?: readonly Treatment2D[];
  /** Wells per treatment. Default 2. */
  wellsPerTreatment?: number;
  /** Fields of view (images) per well. Default 2. */
  fieldsPerWell?: number;
  /** Cells placed wholly inside each field (fewer when they do not fit). Default 12. */
  cellsPerField?: number;
  /** Extra cells per field placed across the field's border, so they are cut off. Default 2. */
  edgeCells?: number;
  /** Field width and height in pixels. Default 256. */
  size?: number;
  /** Nominal cell body radius in pixels. Default 12. */
  radius?: number;
  /** Smooth outline noise in body radii. Default 0.12. */
  shapeNoise?: number;
  /** Cell size jitter, relative. Default 0.15. */
  sizeJitter?: number;
  /** Pixels of background kept between two cells. Default 3. */
  gap?: number;
  /** Pixel noise standard deviation relative to the cell signal. Default 0.03. */
  imageNoise?: number;
  /** Relative amplitude of a linear background gradient across each field. Default 0.3. */
  gradient?: number;
  /** Fraction of fields rendered out of focus (an extra blur of σ = 3 px), for QC. Default 0. */
  outOfFocus?: number;
  /** Called after each field. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link SyntheticExperiment2DOptions}. */
export const DEFAULT_SYNTHETIC_EXPERIMENT_2D_OPTIONS = {
  seed: 0,
  modality: 'phase',
  treatments: DEFAULT_TREATMENTS_2D,
  wellsPerTreatment: 2,
  fieldsPerWell: 2,
  cellsPerField: 12,
  edgeCells: 2,
  size: 256,
  radius: DEFAULT_DRAW_CELL_2D_OPTIONS.radius,
  shapeNoise: DEFAULT_DRAW_CELL_2D_OPTIONS.noise,
  sizeJitter: DEFAULT_DRAW_CELL_2D_OPTIONS.sizeJitter,
  gap: 3,
  imageNoise: 0.03,
  gradient: 0.3,
  outOfFocus: 0,
} as const satisfies Omit<Required<SyntheticExperiment2DOptions>, 'onProgress'>;

/** One object of a synthetic field, with the columns a CellProfiler object table would hold. */
export interface SyntheticCell2D {
  /** 1-based index of the field in the experiment (CellProfiler's `ImageNumber`). */
  imageNumber: number;
  /** Value of the object in the field's label image (CellProfiler's `ObjectNumber`). */
  objectNumber: number;
  family: CellFamily2D;
  /** Centroid (mean pixel position, pixel centres at integers) in pixels. */
  x: number;
  y: number;
  /** Pixels of the object inside the field. */
  area: number;
  /** The object touches the field's border (it was placed across it). */
  edge: boolean;
  treatment: string;
  well: string;
  /** 1-based field index within the well. */
  field: number;
}

/** One field of view: its grey image, its label image and its objects. */
export interface SyntheticField2D {
  imageNumber: number;
  /** File stem, `<well>_s<field>` (e.g. `'A01_s1'`), used by the centroid table's `FileName_Image`. */
  name: string;
  treatment: string;
  well: string;
  field: number;
  /** Rendered with an extra blur (see {@link SyntheticExperiment2DOptions.outOfFocus}). */
  outOfFocus: boolean;
  /** 16-bit grey image, `[size, size, 1]` (phase) or `[size, size, 2]` (fluorescence). */
  image: Image2D<Uint16Array>;
  /** Label image `[size, size, 1]`: 0 background, object `k` has value `cells[k].objectNumber`. */
  labels: Image2D<Uint16Array>;
  cells: SyntheticCell2D[];
}

/** The result of {@link syntheticExperiment2D}. */
export interface SyntheticExperiment2D {
  fields: SyntheticField2D[];
  /** Every object of every field, in field then object order. */
  cells: SyntheticCell2D[];
  modality: SyntheticModality2D;
}

type Resolved = ReturnType<typeof resolveOptions>;

function resolveOptions(fn: string, options: SyntheticExperiment2DOptions | undefined) {
  const o = withDefaults(fn, DEFAULT_SYNTHETIC_EXPERIMENT_2D_OPTIONS, options);
  checkNumber(fn, 'seed', o.seed, { min: -(2 ** 53), max: 2 ** 53 });
  checkOneOf(fn, 'modality', o.modality, SYNTHETIC_MODALITIES_2D);
  checkInteger(fn, 'wellsPerTreatment', o.wellsPerTreatment, { min: 1, max: 1000 });
  checkInteger(fn, 'fieldsPerWell', o.fieldsPerWell, { min: 1, max: 1000 });
  checkInteger(fn, 'cellsPerField', o.cellsPerField, { min: 0, max: 10_000 });
  checkInteger(fn, 'edgeCells', o.edgeCells, { min: 0, max: 10_000 });
  checkInteger(fn, 'size', o.size, { min: 16, max: 8192 });
  checkInteger(fn, 'gap', o.gap, { min: 0, max: 100 });
  checkNumber(fn, 'imageNoise', o.imageNoise, { min: 0, max: 10 });
  checkNumber(fn, 'gradient', o.gradient, { min: 0, max: 1.5 });
  checkNumber(fn, 'outOfFocus', o.outOfFocus, { min: 0, max: 1 });
  const cell = checkCell2DOptions(fn, {
    seed: o.seed,
    radius: o.radius,
    noise: o.shapeNoise,
    sizeJitter: o.sizeJitter,
  });
  if (cell.radius * 6 > o.size)
    throw invalidArgument(fn, 'radius', `at most size / 6 = ${o.size / 6} pixels`, cell.radius);
  return { ...o, treatments: checkTreatments(fn, o.treatments) };
}

function checkTreatments(fn: string, treatments: unknown): Treatment2D[] {
  if (!Array.isArray(treatments) || treatments.length === 0)
    throw invalidArgument(fn, 'treatments', 'a non-empty array of { name, weights }', treatments);
  const names = new Set<string>();
  return treatments.map((t: Treatment2D, i) => {
    checkString(fn, `treatments[${i}].name`, t?.name);
    if (names.has(t.name)) throw invalidArgument(fn, 'treatments', 'distinct names', t.name);
    names.add(t.name);
    let total = 0;
    for (const [family, w] of Object.entries(t.weights ?? {})) {
      checkFamily2D(fn, `treatments[${i}].weights`, family);
      total += checkNumber(fn, `treatments[${i}].weights.${family}`, w, { min: 0 });
    }
    if (total <= 0)
      throw invalidArgument(fn, `treatments[${i}].weights`, 'a positive total', total);
    return t;
  });
}

/** Draws a family with probability proportional to the treatment's weights. */
function drawFamily(rng: Rng, treatment: Treatment2D): CellFamily2D {
  const entries = Object.entries(treatment.weights) as [CellFamily2D, number][];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let u = rng.uniform(0, total);
  for (const [family, w] of entries) {
    u -= w;
    if (u < 0) return family;
  }
  return entries[entries.length - 1]![0];
}

/** Plate well name of the `index`-th well: A01 … A12, B01, … */
export function wellName(index: number): string {
  const row = String.fromCharCode(65 + Math.floor(index / 12));
  return `${row}${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * A label image being filled: `occupied` marks the cells placed so far dilated by the gap, so
 * that a new cell keeps its distance.
 */
interface Canvas {
  size: number;
  gap: number;
  labels: Uint16Array;
  occupied: Uint8Array;
}

/** Tries to paste `mask` with its centre at `(cx, cy)`; returns whether it fitted. */
function paste(canvas: Canvas, mask: LocalMask, cx: number, cy: number, value: number): boolean {
  const { size, gap, labels, occupied } = canvas;
  const half = (mask.size - 1) / 2;
  const pixels: number[] = [];
  for (let y = 0; y < mask.size; y++) {
    for (let x = 0; x < mask.size; x++) {
      if (mask.data[y * mask.size + x] === 0) continue;
      const [fx, fy] = [cx - half + x, cy - half + y];
      if (fx < 0 || fy < 0 || fx >= size || fy >= size) continue;
      if (occupied[fy * size + fx] !== 0) return false;
      pixels.push(fy * size + fx);
    }
  }
  // A cell placed across the border must keep a reasonable part of itself inside the field.
  if (pixels.length === 0) return false;
  for (const p of pixels) {
    labels[p] = value;
    const [px, py] = [p % size, Math.floor(p / size)];
    for (let y = Math.max(0, py - gap); y <= Math.min(size - 1, py + gap); y++)
      for (let x = Math.max(0, px - gap); x <= Math.min(size - 1, px + gap); x++)
        occupied[y * size + x] = 1;
  }
  return true;
}

/** A centre for a cell inside the field (`edge` false) or across a random border (`edge` true). */
function drawCentre(rng: Rng, size: number, half: number, edge: boolean): [number, number] {
  if (!edge) {
    const range = size - 2 * half - 2;
    return [1 + half + rng.int(range), 1 + half + rng.int(range)];
  }
  const along = rng.int(size);
  const depth = Math.round(rng.uniform(0, 0.5) * half);
  switch (rng.int(4)) {
    case 0:
      return [along, depth];
    case 1:
      return [along, size - 1 - depth];
    case 2:
      return [depth, along];
    default:
      return [size - 1 - depth, along];
  }
}

interface FieldPlan {
  imageNumber: number;
  treatment: Treatment2D;
  well: string;
  field: number;
}

/** Places the cells of one field and renders its images. */
function makeField(plan: FieldPlan, o: Resolved): SyntheticField2D {
  const { size } = o;
  const seed = deriveSeed(o.seed, plan.well, plan.field);
  const rng = createRng(seed);
  const canvas: Canvas = {
    size,
    gap: o.gap,
    labels: new Uint16Array(size * size),
    occupied: new Uint8Array(size * size),
  };
  const placed: { family: CellFamily2D; value: number; edge: boolean }[] = [];
  const total = o.cellsPerField + o.edgeCells;
  for (let k = 0; k < total; k++) {
    const edge = k >= o.cellsPerField;
    const family = drawFamily(rng, plan.treatment);
    const mask = drawLocalMask(family, {
      seed: deriveSeed(seed, 'cell', k),
      radius: o.radius,
      noise: o.shapeNoise,
      sizeJitter: o.sizeJitter,
    });
    const half = (mask.size - 1) / 2;
    if (!edge && mask.size + 2 > size) continue;
    const value = placed.length + 1;
    for (let attempt = 0; attempt < 100; attempt++) {
      const [cx, cy] = drawCentre(rng, size, half, edge);
      if (paste(canvas, mask, cx, cy, value)) {
        placed.push({ family, value, edge });
        break;
      }
    }
  }
  const cells = measureObjects(canvas.labels, size, placed, plan);
  const outOfFocus = rng.next() < o.outOfFocus;
  const objects: RenderedObject[] = cells.map((c) => ({
    value: c.objectNumber,
    centre: [c.x, c.y],
    radius: o.radius,
    brightness: rng.uniform(0.75, 1.25),
  }));
  const image = renderField(canvas.labels, size, size, objects, rng, {
    modality: o.modality,
    noise: o.imageNoise,
    gradient: o.gradient,
    defocus: outOfFocus ? 3 : 0,
  });
  return {
    imageNumber: plan.imageNumber,
    name: `${plan.well}_s${plan.field}`,
    treatment: plan.treatment.name,
    well: plan.well,
    field: plan.field,
    outOfFocus,
    image,
    labels: { data: canvas.labels, shape: [size, size, 1] },
    cells,
  };
}

/** Centroids, areas and edge flags of the placed objects, measured on the label image. */
function measureObjects(
  labels: Uint16Array,
  size: number,
  placed: readonly { family: CellFamily2D; value: number; edge: boolean }[],
  plan: FieldPlan,
): SyntheticCell2D[] {
  const n = placed.length;
  const [sx, sy, area] = [
    new Float64Array(n + 1),
    new Float64Array(n + 1),
    new Float64Array(n + 1),
  ];
  const touches = new Uint8Array(n + 1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = labels[y * size + x]!;
      if (v === 0) continue;
      sx[v]! += x;
      sy[v]! += y;
      area[v]! += 1;
      if (x === 0 || y === 0 || x === size - 1 || y === size - 1) touches[v] = 1;
    }
  }
  return placed.map(({ family, value }) => ({
    imageNumber: plan.imageNumber,
    objectNumber: value,
    family,
    x: sx[value]! / area[value]!,
    y: sy[value]! / area[value]!,
    area: area[value]!,
    edge: touches[value] === 1,
    treatment: plan.treatment.name,
    well: plan.well,
    field: plan.field,
  }));
}

/**
 * A seeded synthetic 2-D imaging experiment: wells under treatments that shift the mix of cell
 * shape families, several fields of view per well, each a 16-bit grey image (phase contrast or
 * two-channel fluorescence, with a background gradient and noise) with its label image, plus a
 * few cells cut off by the field's border. Cells never overlap and keep `gap` pixels apart.
 * Field `f` of well `w` uses the seed `deriveSeed(seed, w, f)`, so it does not change when other
 * wells or fields are added. The object table ({@link centroidTableCsv}) is what CellProfiler
 * would write for the label images.
 *
 * ```ts
 * const { fields, cells } = syntheticExperiment2D({ seed: 1, modality: 'fluorescence' });
 * fields[0].image.shape; // [256, 256, 2]
 * cells[0]; // { imageNumber: 1, objectNumber: 1, family: 'round', x, y, area, edge, treatment: 'control', well: 'A01', field: 1 }
 * ```
 */
export function syntheticExperiment2D(
  options?: SyntheticExperiment2DOptions,
): SyntheticExperiment2D {
  const fn = 'syntheticExperiment2D';
  const o = resolveOptions(fn, options);
  const plans: FieldPlan[] = [];
  o.treatments.forEach((treatment, t) => {
    for (let w = 0; w < o.wellsPerTreatment; w++) {
      const well = wellName(t * o.wellsPerTreatment + w);
      for (let f = 1; f <= o.fieldsPerWell; f++)
        plans.push({ imageNumber: plans.length + 1, treatment, well, field: f });
    }
  });
  const fields = plans.map((plan, i) => {
    const field = makeField(plan, o);
    reportProgress(o.onProgress, { phase: 'synthetic fields', done: i + 1, total: plans.length });
    return field;
  });
  return { fields, cells: fields.flatMap((f) => f.cells), modality: o.modality };
}
