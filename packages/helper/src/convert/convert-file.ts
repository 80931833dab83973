/**
 * The work on one input file of `convertDirectory`: read, split into objects, mesh, sample,
 * write every output atomically and finally a record that marks the file as finished. Runs
 * in a worker thread or in the main thread; everything it needs travels in a plain,
 * structured-cloneable {@link ConvertTask}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CellshapeError, deriveSeed, writeFileAtomic, writeFileAtomicSync } from '@cellshape/core';
import { meshShapeMeasures } from '../measures/shape-measures.js';
import { encodeMesh, type MeshFormat } from '../mesh/index.js';
import { encodePointCloud } from '../points/index.js';
import { meshArea, samplePoints } from '../surface/index.js';
import type { Mesh, Volume } from '../types.js';
import {
  isBinaryMask,
  type LabelObject,
  labelConnectedComponents,
  labelObjects,
  neighbourAgreement,
  readVolume,
} from '../volume/index.js';
import { maskToMesh } from './mask-to-mesh.js';

/**
 * How a file is split into objects: `'labels'` one object per distinct non-zero value,
 * `'components'` one per connected component (26-connected) of the non-zero voxels,
 * `'whole'` all non-zero voxels as one object, `'auto'` labels when the file holds more than
 * one distinct non-zero value, else components — and refuses a file whose neighbouring
 * non-zero voxels mostly differ ({@link LABEL_AGREEMENT_MIN}): an intensity image, not a mask.
 */
export type ObjectMode = 'auto' | 'components' | 'labels' | 'whole';

/** Resolved, serialisable settings of a conversion. */
export interface ConvertSettings {
  numPoints: number;
  seed: number;
  /** Voxel size override (z, y, x), or null: from the file, else [1, 1, 1]. */
  spacing: [number, number, number] | null;
  minSize: number;
  clearBorder: boolean;
  meshFormat: MeshFormat;
  objects: ObjectMode;
  level: number;
  smoothing: number;
  /** `readVolume`'s `maxVoxels`, when the caller set one (not part of the fingerprint). */
  maxVoxels?: number;
}

/** One file to convert. */
export interface ConvertTask {
  /** Absolute path of the input file. */
  input: string;
  /** Its path relative to the input root, with `/` separators. */
  relative: string;
  /** Absolute output root. */
  output: string;
  settings: ConvertSettings;
  /** Identifies the settings and the input's size and modification time. */
  fingerprint: string;
}

/**
 * Where an object's voxel size came from: `'option'` (the `spacing` option), `'file'` (the
 * TIFF's own calibration) or `'none'` (neither: 1, 1, 1 — lengths are in voxels, which is
 * wrong for anisotropic stacks such as confocal z-stacks).
 */
export type SpacingSource = 'option' | 'file' | 'none';

/**
 * The classical shape measures of one object (helper's `meshShapeMeasures` of its mesh), in
 * the physical units of its spacing (voxels when the spacing source is `'none'`): lengths in
 * units, volumes in units³. Extents are along the input's x, y, z axes.
 */
export interface ClassicalMeasures {
  volume: number;
  sphericity: number;
  extentX: number;
  extentY: number;
  extentZ: number;
  /** Full principal axis lengths (2a ≥ 2b ≥ 2c of the equivalent solid ellipsoid). */
  axisMajor: number;
  axisIntermediate: number;
  axisMinor: number;
  elongation: number;
  flatness: number;
  convexHullVolume: number;
  solidity: number;
}

/** One object's line of the manifest. */
export interface ManifestRow {
  /** `<relative dir>/<stem>[_<label>]`, unique within a conversion. */
  id: string;
  /** Input file relative to the input root. */
  source: string;
  /** Label value or component number in the input; 0 for `objects: 'whole'`. */
  label: number;
  voxelCount: number;
  /** Mean voxel position (z, y, x) in voxel units of the input. */
  centroid: [number, number, number];
  vertices: number;
  faces: number;
  /** Mesh surface area in physical units². */
  area: number;
  /** Mesh and point-cloud files relative to the output root. */
  mesh: string;
  points: string;
  /** Voxel size (z, y, x) the mesh and measures were made with. */
  spacing: [number, number, number];
  spacingFrom: SpacingSource;
  /** Classical measures of the mesh; null when the mesh encloses no volume (degenerate object). */
  measures: ClassicalMeasures | null;
}

/** What became of one task. */
export interface FileOutcome {
  status: 'converted' | 'skipped' | 'failed';
  /** Absolute paths of the mesh and point-cloud files of the input. */
  outputs: string[];
  rows: ManifestRow[];
  error?: string;
}

/** The content of a finished file's record. */
interface FileRecord {
  /** 2 since the rows carry spacing and classical measures (older records are redone). */
  version: 2;
  fingerprint: string;
  rows: ManifestRow[];
}

const INPUT_EXTENSION = /\.(tiff?|npy)$/i;

/** The record of an input: `<out>/records/<relative path>.json`. */
export function recordPath(output: string, relative: string): string {
  return `${join(output, 'records', ...relative.split('/'))}.json`;
}

/** Output paths of an object, relative to the output root (posix). */
function outputNames(relative: string, label: number | undefined, meshFormat: MeshFormat) {
  const slash = relative.lastIndexOf('/');
  const dir = slash < 0 ? '' : relative.slice(0, slash + 1);
  const stem = relative.slice(slash + 1).replace(INPUT_EXTENSION, '');
  const name = label === undefined ? stem : `${stem}_${label}`;
  return {
    id: `${dir}${name}`,
    mesh: `meshes/${dir}${name}.${meshFormat}`,
    points: `points/${dir}${name}.ply`,
  };
}

/** Absolute path of an output given relative to the output root. */
const absolute = (output: string, rel: string): string => join(output, ...rel.split('/'));

/**
 * The finished outputs of `task`, or undefined: a record with the same fingerprint must exist
 * and every file it lists too. Leftover temporary files never count.
 */
export function finishedOutcome(task: ConvertTask): FileOutcome | undefined {
  const path = recordPath(task.output, task.relative);
  if (!existsSync(path)) return undefined;
  let record: FileRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as FileRecord;
  } catch {
    return undefined;
  }
  if (record.version !== 2 || record.fingerprint !== task.fingerprint) return undefined;
  const outputs = record.rows.flatMap((r) => [
    absolute(task.output, r.mesh),
    absolute(task.output, r.points),
  ]);
  if (!outputs.every((p) => existsSync(p))) return undefined;
  return { status: 'skipped', outputs, rows: record.rows };
}

/**
 * The least share of face-adjacent non-zero voxels with equal values (`neighbourAgreement`) that
 * `objects: 'auto'` accepts as a label image. Label images sit near 1, since objects differ only
 * where they touch (2 × 2 × 2 cubes packed face to face, the worst case, give 0.5); intensity
 * images sit far below (values measured on real stacks: docs/concepts.md).
 */
export const LABEL_AGREEMENT_MIN = 0.5;

/** A conversion failure with a reason meant for the per-file report. */
class Rejected extends Error {}

function splitObjects(
  volume: Volume,
  settings: ConvertSettings,
): { objects: LabelObject[]; whole: boolean } {
  const options = { clearBorder: settings.clearBorder, minSize: settings.minSize, padding: 1 };
  let mode = settings.objects;
  if (mode === 'auto') {
    if (isBinaryMask(volume)) mode = 'components';
    else {
      const agreement = neighbourAgreement(volume);
      if (agreement < LABEL_AGREEMENT_MIN)
        throw new Rejected(
          `looks like an intensity image, not a mask or label image: only ${(100 * agreement).toFixed(1)} % of neighbouring non-zero voxels hold the same value (a label image: most); objects 'labels' (--objects labels) splits it by value anyway`,
        );
      mode = 'labels';
    }
  }
  switch (mode) {
    case 'labels':
      return { objects: labelObjects(volume, options), whole: false };
    case 'components':
      return { objects: labelObjects(labelConnectedComponents(volume), options), whole: false };
    case 'whole': {
      const binary = new Uint8Array(volume.data.length);
      for (let i = 0; i < binary.length; i++) binary[i] = volume.data[i] === 0 ? 0 : 1;
      const one = { data: binary, shape: volume.shape, spacing: volume.spacing };
      return { objects: labelObjects(one, options), whole: true };
    }
    default: {
      const never: never = mode;
      throw new Rejected(`unknown objects mode ${String(never)}`);
    }
  }
}

/**
 * The classical measures of an object's closed mesh, or null when it has none (a mesh that
 * encloses no volume or whose vertices do not span 3-D: a one-voxel-thin sliver).
 */
function classicalMeasures(mesh: Mesh): ClassicalMeasures | null {
  let m: ReturnType<typeof meshShapeMeasures>;
  try {
    m = meshShapeMeasures(mesh);
  } catch {
    return null;
  }
  const [extentX, extentY, extentZ] = m.extents;
  const [axisMajor, axisIntermediate, axisMinor] = m.principalAxisLengths;
  return {
    volume: m.volume,
    sphericity: m.sphericity,
    extentX,
    extentY,
    extentZ,
    axisMajor,
    axisIntermediate,
    axisMinor,
    elongation: m.elongation,
    flatness: m.flatness,
    convexHullVolume: m.convexHullVolume,
    solidity: m.solidity,
  };
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

async function convertObjects(task: ConvertTask): Promise<ManifestRow[]> {
  const { settings, relative } = task;
  let volume: Volume;
  try {
    volume = readVolume(task.input, { maxVoxels: settings.maxVoxels });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Rejected(`corrupt or unsupported file: ${message}`);
  }
  if (volume.shape[0] === 1) {
    throw new Rejected(`not 3-D: a 2-D image of shape ${describeShape(volume.shape)} (z, y, x)`);
  }
  // Up to the first non-zero voxel only: the split below reads the whole volume anyway.
  let first = 0;
  while (first < volume.data.length && volume.data[first] === 0) first++;
  if (first === volume.data.length) throw new Rejected('empty mask: no non-zero voxels');
  const spacing = settings.spacing ?? volume.spacing ?? [1, 1, 1];
  const spacingFrom: SpacingSource = settings.spacing ? 'option' : volume.spacing ? 'file' : 'none';
  const { objects, whole } = splitObjects(volume, settings);
  if (objects.length === 0) {
    throw new Rejected(
      `no objects left after filtering (minSize ${settings.minSize}, clearBorder ${settings.clearBorder})`,
    );
  }
  const rows: ManifestRow[] = [];
  for (const object of objects) {
    // One turn of the event loop per object, so that timers (a queue worker's lock renewal)
    // run during a file of hundreds of objects.
    await new Promise((resolve) => setImmediate(resolve));
    const mesh = maskToMesh(object.mask, {
      spacing,
      level: settings.level,
      smoothing: settings.smoothing,
      padding: 0,
    });
    // Back from the padded crop to the frame of the input volume (crop voxel 0 = min − 1).
    const shift = [2, 1, 0].map((a) => (object.bbox.min[a]! - 1) * spacing[a]!);
    const p = mesh.positions;
    for (let i = 0; i < p.length; i += 3) {
      p[i]! += shift[0]!;
      p[i + 1]! += shift[1]!;
      p[i + 2]! += shift[2]!;
    }
    const seed = deriveSeed(settings.seed, relative, object.id);
    const cloud = samplePoints(mesh, settings.numPoints, { seed });
    const names = outputNames(relative, whole ? undefined : object.id, settings.meshFormat);
    // Synchronous: an object's files are small, and the promise API's thread-pool round trips
    // (open, write, close, rename: each a hop to a libuv thread and back) cost more CPU than the
    // writes themselves on a one-core worker.
    writeFileAtomicSync(absolute(task.output, names.mesh), encodeMesh(mesh, settings.meshFormat));
    writeFileAtomicSync(
      absolute(task.output, names.points),
      encodePointCloud(cloud, { format: 'ply' }),
    );
    rows.push({
      id: names.id,
      source: relative,
      label: whole ? 0 : object.id,
      voxelCount: object.voxelCount,
      centroid: object.centroid,
      vertices: mesh.positions.length / 3,
      faces: mesh.faces.length / 3,
      area: meshArea(mesh),
      mesh: names.mesh,
      points: names.points,
      spacing: [...spacing] as [number, number, number],
      spacingFrom,
      measures: classicalMeasures(mesh),
    });
  }
  return rows;
}

/**
 * Converts one file and writes its record last, so a file counts as finished only when all of
 * its outputs are complete. Never throws: failures come back as `status: 'failed'` with a
 * reason. Outputs listed by an older record of the same input and not produced again are
 * removed.
 */
export async function convertFile(task: ConvertTask): Promise<FileOutcome> {
  const previous = previousOutputs(task);
  try {
    // From here on the old outputs may be replaced one by one: the file is unfinished until
    // its new record is written.
    await rm(recordPath(task.output, task.relative), { force: true });
    const rows = await convertObjects(task);
    const record: FileRecord = { version: 2, fingerprint: task.fingerprint, rows };
    await writeFileAtomic(
      recordPath(task.output, task.relative),
      `${JSON.stringify(record, null, 1)}\n`,
    );
    const outputs = rows.flatMap((r) => [
      absolute(task.output, r.mesh),
      absolute(task.output, r.points),
    ]);
    const current = new Set(outputs);
    await Promise.all(previous.filter((p) => !current.has(p)).map((p) => rm(p, { force: true })));
    return { status: 'converted', outputs, rows };
  } catch (error) {
    const reason =
      error instanceof Rejected || error instanceof CellshapeError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'failed', outputs: [], rows: [], error: reason };
  }
}

/** Outputs an older record of the same input lists (any fingerprint). */
function previousOutputs(task: ConvertTask): string[] {
  try {
    const record = JSON.parse(
      readFileSync(recordPath(task.output, task.relative), 'utf8'),
    ) as FileRecord;
    return record.rows.flatMap((r) => [
      absolute(task.output, r.mesh),
      absolute(task.output, r.points),
    ]);
  } catch {
    return [];
  }
}
