import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  checkString,
  csvRecords,
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
  /** Metadata CSV joined by `idColumn` with the image file stems. Default none. */
  metadata?: string;
  /** The metadata column naming each image (its file name without extension). Default `'id'`. */
  idColumn?: string;
  onProgress?: ProgressCallback;
}

/** Defaults of {@link ProfileEmbedImagesOptions}. */
export const DEFAULT_PROFILE_EMBED_IMAGES_OPTIONS = { checkpoint: 'last', idColumn: 'id' } as const;

/** The metadata rows of a CSV keyed by `idColumn` (without extension). */
async function metadataById(path: string, idColumn: string): Promise<Map<string, Metadata>> {
  const rows = csvRecords(parseCsv(await readFile(path, 'utf8'), { source: path }));
  return new Map(rows.map((r) => [basename(r[idColumn] ?? '', extname(r[idColumn] ?? '')), r]));
}

/**
 * Whole-image embeddings with the model of a 2-D run (the endothelial pipeline): every image is
 * scaled per channel as the run's crops were (`normalise`), cut into tiles of the model's input
 * size every `stride` pixels, and embedded as the mean of its tiles' features; one CSV row per
 * image (`id` = file stem, metadata, `f0…`), ready for `cellshape analyse` (per-well medians,
 * clustering, classifiers).
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
): Promise<{ output: string; images: number; features: number }> {
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
    const files = (await findImages(images, { caller: fn })).map((f) => f.path);
    const normalise = (settings as { normalise?: CropNormalisation }).normalise ?? 'zscore';
    const rows = o.metadata ? await metadataById(o.metadata, o.idColumn) : undefined;
    const ids = files.map((f) => basename(f, extname(f)));
    const loaded = files.map((f) => {
      const image = readImage2D(f);
      return normalise === 'none' ? image : normalizeImage(image, { method: normalise });
    });
    const embeddings = await embedImages(model as unknown as ImageEncoder, loaded, ids, {
      ...(o.stride !== undefined ? { stride: o.stride } : {}),
      metadata: ids.map((id) => rows?.get(id) ?? {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    await writeEmbeddingsCsv(output, embeddings);
    return { output, images: ids.length, features: embeddings.numFeatures };
  } finally {
    model.dispose();
  }
}
