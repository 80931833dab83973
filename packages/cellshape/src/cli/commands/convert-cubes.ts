import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  csvRecords,
  formatCsv,
  type ProgressCallback,
  parseCsv,
  reportProgress,
  writeFileAtomic,
} from '@cellshape/core';
import {
  type ConvertResult,
  isBinaryMask,
  labelConnectedComponents,
  labelObjects,
  type ObjectMode,
  readVolume,
  type Volume,
  writeVolume,
} from '@cellshape/helper';
import { type CubeFit, fitToCube, makeIsotropic } from '@cellshape/voxel';

/**
 * The cube stage of `cellshape convert --cube <n>`: each object of the conversion also as a
 * binary cube TIFF for the voxel models (`cubes/<relative dir>/<stem>_<label>.tif`, uint8 0/1,
 * `n³`, the object's centre of mass at the centre, voxels made cubic first), listed in a
 * `cube` column appended to `manifest.csv`. Objects are found again from the manifest's
 * `source` and `label` with the rule the conversion used (`--objects`), so the cubes match
 * the meshes and point clouds one for one. `cubes/settings.json` records the cube settings: a
 * re-run with other settings writes every cube again, one with the same settings only those of
 * newly converted files and missing cubes.
 */

/** Settings of {@link writeCubes}. */
export interface CubeSettings {
  /** Edge of the cubes in voxels. */
  size: number;
  /** Objects larger than the cube (voxel's `CubeFit`). */
  fit: CubeFit;
  /** How the conversion split files into objects. */
  objects: ObjectMode;
  /** The conversion's spacing override, else each file's own. */
  spacing?: readonly [number, number, number];
  /** Write the cubes of already finished files again. */
  overwrite: boolean;
  /** `readVolume`'s `maxVoxels`, when the conversion set one. */
  maxVoxels?: number;
  onProgress?: ProgressCallback;
}

/** What {@link writeCubes} did. */
export interface CubeOutcome {
  /** Cubes written (existing ones of finished files are kept). */
  written: number;
  /** Per input file that failed: its source path and why. */
  failed: { source: string; error: string }[];
}

/** Label volume whose value `label` is the object the manifest row names. */
function labelled(volume: Volume, mode: ObjectMode): Volume {
  const resolved = mode === 'auto' ? (isBinaryMask(volume) ? 'components' : 'labels') : mode;
  if (resolved === 'labels') return volume;
  if (resolved === 'components') return labelConnectedComponents(volume);
  const binary = new Uint8Array(volume.data.length);
  for (let i = 0; i < binary.length; i++) binary[i] = volume.data[i] === 0 ? 0 : 1;
  return { data: binary, shape: volume.shape };
}

/** The cubes of one source file: label → 0/1 cube. */
function sourceCubes(path: string, settings: CubeSettings): Map<number, Uint8Array> {
  const volume = readVolume(path, { maxVoxels: settings.maxVoxels });
  const spacing = settings.spacing ?? volume.spacing;
  const anisotropic =
    spacing !== undefined && !(spacing[0] === spacing[1] && spacing[1] === spacing[2]);
  const cubes = new Map<number, Uint8Array>();
  for (const object of labelObjects(labelled(volume, settings.objects), { padding: 0 })) {
    const mask = anisotropic ? makeIsotropic(object.mask, spacing) : object.mask;
    const label = settings.objects === 'whole' ? 0 : object.id;
    cubes.set(label, fitToCube(mask, { size: settings.size, fit: settings.fit }).cube.data);
  }
  return cubes;
}

/** Cube path of a manifest id, relative to the output root. */
export function cubePath(id: string): string {
  return `cubes/${id}.tif`;
}

/**
 * Writes the cubes of every converted or finished file of `result` under `output` (each
 * atomically, by helper's `writeVolume`), then `manifest.csv` again with a `cube` column. A
 * file that fails here is reported and the others go on.
 */
export async function writeCubes(
  input: string,
  output: string,
  result: ConvertResult,
  settings: CubeSettings,
): Promise<CubeOutcome> {
  const table = parseCsv(readFileSync(result.manifest, 'utf8'), { source: 'manifest.csv' });
  const rows = csvRecords(table);
  const converted = new Set(
    result.files.filter((f) => f.status === 'converted').map((f) => f.input),
  );
  const bySource = new Map<string, Record<string, string>[]>();
  for (const row of rows) bySource.set(row.source!, [...(bySource.get(row.source!) ?? []), row]);
  const outcome: CubeOutcome = { written: 0, failed: [] };
  // Cubes of finished files are kept only when they were made with the same settings.
  const record = join(output, 'cubes', 'settings.json');
  const key = JSON.stringify({
    size: settings.size,
    fit: settings.fit,
    spacing: settings.spacing ?? null,
  });
  const again =
    settings.overwrite || !existsSync(record) || readFileSync(record, 'utf8').trim() !== key;
  const failedSources = new Set<string>();
  let done = 0;
  for (const [source, sourceRows] of bySource) {
    const path = join(input, ...source.split('/'));
    const missing = sourceRows.filter(
      (row) => !existsSync(join(output, ...cubePath(row.id!).split('/'))),
    );
    if (again || converted.has(path) || missing.length > 0) {
      try {
        const cubes = sourceCubes(path, settings);
        const s = settings.size;
        for (const row of sourceRows) {
          const cube = cubes.get(Number(row.label));
          if (cube === undefined) throw new Error(`object ${row.label} not found again`);
          await writeVolume(join(output, ...cubePath(row.id!).split('/')), {
            data: cube,
            shape: [s, s, s],
          });
          outcome.written++;
        }
      } catch (error) {
        failedSources.add(source);
        outcome.failed.push({
          source,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    reportProgress(settings.onProgress, {
      phase: 'cubes',
      done: ++done,
      total: bySource.size,
      message: source,
    });
  }
  const header = [...table.header.filter((c) => c !== 'cube'), 'cube'];
  const lines = rows.map((row) =>
    header.map((c) =>
      c === 'cube' ? (failedSources.has(row.source!) ? '' : cubePath(row.id!)) : row[c]!,
    ),
  );
  await writeFileAtomic(result.manifest, formatCsv(header, lines));
  await writeFileAtomic(record, `${key}\n`);
  return outcome;
}
