import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  checkOneOf,
  checkString,
  csvRecords,
  invalidArgument,
  isCellshapeError,
  listSampleFiles,
  parseCsv,
} from '@cellshape/core';
import { readImage2D } from '@cellshape/profile';
import { PROFILE_CROP_LAYOUT } from './profile-crop-run.js';
import { CROP_EXTENSIONS } from './profile-crop-set.js';
import { type TrainRunResult, trainRun } from './train-run.js';
import type { TrainRunOptions } from './train-run-options.js';

/** The 2-D model families `cellshape profile train` trains. */
export const PROFILE_MODEL_NAMES = ['siamese', 'ae2d', 'classifier'] as const;

/** One of {@link PROFILE_MODEL_NAMES}. */
export type ProfileModelName = (typeof PROFILE_MODEL_NAMES)[number];

/** Options of {@link profileTrain}: those of `trainRun`, with the crops' shape and classes found from the data. */
export interface ProfileTrainOptions extends Omit<TrainRunOptions, 'model'> {
  model?: {
    /** The 2-D family. Default `'siamese'`. */
    family?: ProfileModelName;
    /** The family's settings; `size`, `channels` (and the classifier's `classes`) default to the data's. */
    settings?: Record<string, unknown>;
    init?: string;
  };
}

/** The crop images folder and the index CSV of a `cellshape profile crop` output (or a bare crops folder). */
export function cropInputs(fn: string, dir: string): { crops: string; index?: string } {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw invalidArgument(fn, 'dir', 'an existing folder of crops', dir);
  const crops = join(root, PROFILE_CROP_LAYOUT.crops);
  const index = join(root, PROFILE_CROP_LAYOUT.index);
  if (existsSync(crops) && existsSync(index)) return { crops, index };
  return { crops: root };
}

/**
 * `[size, channels]` of the first readable crop of the folder (an unreadable one is skipped here
 * and reported by the dataset, as every bad crop is).
 */
async function firstCropShape(fn: string, crops: string): Promise<[number, number]> {
  const files = await listSampleFiles(crops, { extensions: [...CROP_EXTENSIONS], caller: fn });
  for (const file of files.files) {
    if (/(^|\/)masks?\//.test(file.id)) continue;
    let shape: readonly number[];
    try {
      shape = readImage2D(file.path).shape;
    } catch (error) {
      if (isCellshapeError(error)) continue;
      throw error;
    }
    const [h, w, c] = shape;
    if (h !== w) throw invalidArgument(fn, 'dir', 'square crops', `${h}×${w}`);
    return [h!, c!];
  }
  throw invalidArgument(fn, 'dir', 'a folder holding readable crop images', crops);
}

/** The distinct values of a column of a CSV. */
async function distinctValues(fn: string, csv: string, column: string): Promise<number> {
  const rows = csvRecords(parseCsv(await readFile(csv, 'utf8'), { source: csv, caller: fn }));
  if (rows.length > 0 && !(column in rows[0]!))
    throw invalidArgument(fn, 'target', `a column of ${csv}`, column);
  return new Set(rows.map((r) => r[column])).size;
}

/**
 * Trains a 2-D model family on the crops of `cellshape profile crop` and writes a run directory
 * as `trainRun` does (checkpoints, `features.csv`, `assignments.csv`, exemplars with crop
 * thumbnails, `summary.json`): the crops' size and channels, the index CSV as metadata
 * (`id` column) and, for the classifier, the number of classes come from the data unless given.
 *
 * ```ts
 * await profileTrain('crops/', 'runs/bt', { model: { family: 'siamese', settings: { views: 'pbr' } }, pretrain: { epochs: 30 } });
 * ```
 */
export async function profileTrain(
  dir: string,
  runDir: string,
  options: ProfileTrainOptions = {},
): Promise<TrainRunResult> {
  const fn = 'profileTrain';
  checkString(fn, 'runDir', runDir);
  const family = checkOneOf(
    fn,
    'model.family',
    options.model?.family ?? 'siamese',
    PROFILE_MODEL_NAMES,
  );
  const { crops, index } = cropInputs(fn, dir);
  const settings: Record<string, unknown> = { ...options.model?.settings };
  if (settings.size === undefined || settings.channels === undefined) {
    const [size, channels] = await firstCropShape(fn, crops);
    settings.size ??= size;
    settings.channels ??= channels;
  }
  const metadata = options.data?.metadata ?? index;
  if (family === 'classifier' && settings.classes === undefined && metadata !== undefined)
    settings.classes = await distinctValues(
      fn,
      metadata,
      String(settings.target ?? 'Metadata_Treatment'),
    );
  return trainRun(crops, runDir, {
    ...options,
    data: {
      ...options.data,
      ...(metadata ? { metadata } : {}),
      idColumn: options.data?.idColumn ?? 'id',
    },
    model: { ...options.model, family, settings },
  });
}
