import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  checkString,
  csvRecords,
  type DatasetWarning,
  decodeCsvText,
  invalidArgument,
  type Metadata,
  type ProgressCallback,
  parseCsv,
  withDefaults,
} from '@cellshape/core';
import { selectBackend } from '@cellshape/engine';
import {
  embedImages,
  findImages,
  type ImageEncoder,
  type InputImage,
  normalizeImage,
  readImage2D,
  writeEmbeddingsCsv,
} from '@cellshape/profile';
import { checkpointPath, loadRunModel } from './extract-run.js';
import type { CropNormalisation } from './profile-crop-set.js';
import { type RunConfig, readJson, runPaths } from './run-directory.js';

/** Options of {@link profileEmbedImages}. */
export interface ProfileEmbedImagesOptions {
  /** Step between tiles in pixels. Default: the model's input size (tiles side by side). */
  stride?: number;
  /** Checkpoint: `'last'`, `'best'` or a path. Default `'last'`. */
  checkpoint?: string;
  /**
   * Metadata CSV joined by `idColumn` with the images (see {@link joinImageMetadata}); rows and
   * images left unjoined are listed in the result's `warnings`. Default none.
   */
  metadata?: string;
  /**
   * The metadata column naming each image: its id (path under its folder without extension) or
   * its file name, with or without extension. Default `'id'`.
   */
  idColumn?: string;
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ProfileEmbedImagesOptions}. */
export const DEFAULT_PROFILE_EMBED_IMAGES_OPTIONS = { checkpoint: 'last', idColumn: 'id' } as const;

/** A metadata id without surrounding blanks, with `/` separators and without an image extension. */
const normaliseImageId = (id: string): string =>
  id
    .trim()
    .replace(/\\/g, '/')
    .replace(/\.(tiff?|png)$/i, '');

/**
 * The metadata row of each image by core's matching rule (`joinMetadata`): a row's id names the
 * image with that id (its path under its folder without extension), else the one image with that
 * file stem. The first row of an image is joined; later rows, rows naming no image or several,
 * and images without a row are reported. Keyed by stem alone, `cell.1` and `cell.2` both became
 * `cell` (the last row won) and `Plate1/a.tif` and `Plate2/a.tif` shared one row.
 */
export function joinImageMetadata(
  images: readonly InputImage[],
  rows: readonly Metadata[],
  idColumn: string,
): { metadata: Metadata[]; warnings: DatasetWarning[] } {
  const byId = new Map(images.map((image, i) => [image.id, i]));
  const byStem = new Map<string, number[]>();
  images.forEach((image, i) => {
    const stem = image.id.slice(image.id.lastIndexOf('/') + 1);
    byStem.set(stem, [...(byStem.get(stem) ?? []), i]);
  });
  const metadata: (Metadata | undefined)[] = images.map(() => undefined);
  const warnings: DatasetWarning[] = [];
  for (const row of rows) {
    const id = normaliseImageId(String(row[idColumn] ?? ''));
    const exact = byId.get(id);
    const found = exact !== undefined ? [exact] : (byStem.get(id) ?? []);
    if (found.length !== 1)
      warnings.push({
        id,
        reason:
          found.length === 0
            ? 'no image for this metadata id'
            : `metadata id matches ${found.length} images by name; use the relative path as id`,
      });
    else if (metadata[found[0]!] !== undefined)
      warnings.push({
        id,
        path: images[found[0]!]!.path,
        reason: 'a second metadata row for the same image',
      });
    else metadata[found[0]!] = { ...row };
  }
  images.forEach((image, i) => {
    if (metadata[i] === undefined)
      warnings.push({ id: image.id, path: image.path, reason: 'no metadata row' });
  });
  return { metadata: metadata.map((m) => m ?? {}), warnings };
}

/** The rows of the metadata CSV, refusing one without the id column (every image went unjoined). */
async function readMetadataRows(fn: string, path: string, idColumn: string): Promise<Metadata[]> {
  const table = parseCsv(decodeCsvText(await readFile(path)), { source: path, caller: fn });
  if (!table.header.includes(idColumn))
    throw invalidArgument(
      fn,
      'options.idColumn',
      `a column of ${path} (${table.header.join(', ')})`,
      idColumn,
    );
  return csvRecords(table);
}

/**
 * Whole-image embeddings with the model of a 2-D run (the endothelial pipeline): every image is
 * scaled per channel as the run's crops were (`normalise`), cut into tiles of the model's input
 * size every `stride` pixels, and embedded as the mean of its tiles' features; one CSV row per
 * image (`id` = the image's path under its folder without extension, as `findImages` names it;
 * metadata, `f0…`), ready for `cellshape analyse` (per-well medians, clustering, classifiers).
 * An image that cannot be read is left out and listed in `warnings`; the others are embedded.
 *
 * ```ts
 * await profileEmbedImages('runs/ae', ['wells/'], 'wells.csv', { metadata: 'plate.csv', idColumn: 'image' });
 * ```
 */
export async function profileEmbedImages(
  runDir: string,
  images: readonly string[],
  output: string,
  options?: ProfileEmbedImagesOptions,
): Promise<{ output: string; images: number; features: number; warnings: DatasetWarning[] }> {
  const fn = 'profileEmbedImages';
  checkString(fn, 'output', output);
  const o = withDefaults(fn, DEFAULT_PROFILE_EMBED_IMAGES_OPTIONS, options);
  const paths = runPaths(runDir);
  const config = await readJson<RunConfig>(fn, paths.config);
  await selectBackend();
  const { model, settings } = await loadRunModel(
    runDir,
    config,
    checkpointPath(paths, o.checkpoint),
  );
  try {
    const listed = await findImages(images, { caller: fn });
    const normalise = (settings as { normalise?: CropNormalisation }).normalise ?? 'zscore';
    const joined = o.metadata
      ? joinImageMetadata(listed, await readMetadataRows(fn, o.metadata, o.idColumn), o.idColumn)
      : undefined;
    const warnings = joined?.warnings ?? [];
    const kept: number[] = [];
    const loaded = listed.flatMap(({ path, id }, i) => {
      try {
        const image = readImage2D(path);
        kept.push(i);
        return [normalise === 'none' ? image : normalizeImage(image, { method: normalise })];
      } catch (error) {
        warnings.push({ id, path, reason: `unreadable: ${(error as Error).message}` });
        return [];
      }
    });
    if (loaded.length === 0)
      throw invalidArgument(
        fn,
        'images',
        'at least one readable image',
        `${basename(listed[0]!.path)}: ${warnings.at(-1)?.reason}`,
      );
    const embeddings = await embedImages(
      model as unknown as ImageEncoder,
      loaded,
      kept.map((i) => listed[i]!.id),
      {
        ...(o.stride !== undefined ? { stride: o.stride } : {}),
        metadata: kept.map((i) => joined?.metadata[i] ?? {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      },
    );
    await writeEmbeddingsCsv(output, embeddings);
    return { output, images: kept.length, features: embeddings.numFeatures, warnings };
  } finally {
    model.dispose();
  }
}
