import {
  checkOneOf,
  type DatasetWarning,
  FormatError,
  joinMetadata,
  listSampleFiles,
  type Metadata,
  type SampleFile,
} from '@cellshape/core';
import { type CropArrays, type Image2D, normalizeImage, readImage2D } from '@cellshape/profile';

/** Extensions of crop images. */
export const CROP_EXTENSIONS = ['.tif', '.tiff', '.png'] as const;

/** How each crop's channels are scaled before the model sees them. */
export const CROP_NORMALISATIONS = ['zscore', 'percentile', 'none'] as const;

/** One of {@link CROP_NORMALISATIONS}. */
export type CropNormalisation = (typeof CROP_NORMALISATIONS)[number];

/** Options of {@link readCropFolder}. */
export interface ReadCropFolderOptions {
  /** Metadata CSV (e.g. the crop index), joined by `idColumn`; default none (ids from file names). */
  metadata?: string;
  /** Metadata column naming each crop's file. */
  idColumn: string;
  /** Per-crop scaling of each channel: z-score (default), 1st–99.8th percentile to [0, 1], none. */
  normalise: CropNormalisation;
}

/** What {@link readCropFolder} returns: the crops as `CropDataset` takes them, and what it left out. */
export interface CropFolder {
  crops: CropArrays & { metadata: Metadata[] };
  /** Files or rows left out, with the reason. */
  skipped: DatasetWarning[];
}

/** Whether a crop id is that of a mask crop: in a `masks/` folder or named `*_mask`. */
function isMaskId(id: string): boolean {
  return /(^|\/)masks?\//.test(id) || /_mask$/.test(id);
}

const isMaskFile = (file: SampleFile): boolean => isMaskId(file.id);

/** The crop id a mask file belongs to (`masks/a/b` → `a/b`, `a/b_mask` → `a/b`). */
function maskTarget(file: SampleFile): string {
  return file.id.replace(/(^|\/)masks?\//, '$1').replace(/_mask$/, '');
}

function normaliseCrop(image: Image2D, how: CropNormalisation): Float32Array {
  switch (how) {
    case 'none':
      return Float32Array.from(image.data as ArrayLike<number>);
    case 'zscore':
    case 'percentile': {
      const out = normalizeImage(image, { method: how });
      // A constant crop has no spread: z-scores are 0, not NaN.
      return Float32Array.from(out.data as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : 0));
    }
    default: {
      const never: never = how;
      return never;
    }
  }
}

/**
 * Reads a folder of crop images (TIFF or PNG, recursively; the crops of `cellshape profile
 * crop`) with their metadata. Crops whose size differs from the first one's, or that cannot be
 * read, are skipped and reported. Mask crops (in a `masks/` folder, or named `<id>_mask`) pair
 * with the crop of the same id; when some crops lack one, no masks are kept.
 *
 * @throws FileSystemError when the folder cannot be listed; FormatError when no crop is usable.
 */
export async function readCropFolder(
  dir: string,
  options: ReadCropFolderOptions,
): Promise<CropFolder> {
  const fn = 'readCropFolder';
  checkOneOf(fn, 'options.normalise', options.normalise, CROP_NORMALISATIONS);
  const files = await listSampleFiles(dir, { extensions: [...CROP_EXTENSIONS], caller: fn });
  const maskFiles = new Map(
    files.files.filter(isMaskFile).map((f) => [maskTarget(f), f.path] as const),
  );
  const skipped: DatasetWarning[] = [];
  let samples: { id: string; path: string; metadata: Metadata }[];
  if (options.metadata) {
    const join = await joinMetadata(files, {
      metadata: options.metadata,
      idColumn: options.idColumn,
      caller: fn,
    });
    samples = join.samples;
    // Mask files have no row of their own: not worth a warning.
    skipped.push(...join.warnings.filter((w) => !isMaskId(w.id ?? '')));
  } else samples = files.files.filter((f) => !isMaskFile(f)).map((f) => ({ ...f, metadata: {} }));
  samples = samples.filter((s) => !isMaskId(s.id));
  const kept: { id: string; metadata: Metadata; image: Float32Array; mask?: Uint8Array }[] = [];
  let shape: readonly [number, number, number] | undefined;
  for (const s of samples) {
    try {
      const image = readImage2D(s.path);
      shape ??= image.shape;
      if (image.shape.some((v, a) => v !== shape![a]))
        throw new Error(
          `shape ${image.shape.join('×')} differs from the first crop's ${shape.join('×')}`,
        );
      const maskPath = maskFiles.get(s.id);
      const mask = maskPath ? readMask(maskPath, shape) : undefined;
      kept.push({
        id: s.id,
        metadata: s.metadata,
        image: normaliseCrop(image, options.normalise),
        ...(mask ? { mask } : {}),
      });
    } catch (error) {
      skipped.push({ id: s.id, reason: (error as Error).message });
    }
  }
  if (kept.length === 0 || shape === undefined)
    throw new FormatError(`${fn}: no usable crop image in ${dir}`, { fn, arg: 'dir' });
  const size = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(kept.length * size);
  for (const [i, k] of kept.entries()) data.set(k.image, i * size);
  const crops: CropFolder['crops'] = {
    data,
    shape: [kept.length, ...shape],
    ids: kept.map((k) => k.id),
    metadata: kept.map((k) => k.metadata),
  };
  if (kept.every((k) => k.mask)) {
    const plane = shape[0] * shape[1];
    crops.masks = new Uint8Array(kept.length * plane);
    for (const [i, k] of kept.entries()) crops.masks.set(k.mask!, i * plane);
  }
  return { crops, skipped };
}

function readMask(path: string, shape: readonly [number, number, number]): Uint8Array {
  const mask = readImage2D(path);
  if (mask.shape[0] !== shape[0] || mask.shape[1] !== shape[1])
    throw new Error(
      `mask ${path} is ${mask.shape[0]}×${mask.shape[1]}, not ${shape[0]}×${shape[1]}`,
    );
  const c = mask.shape[2];
  return Uint8Array.from({ length: shape[0] * shape[1] }, (_, i) =>
    Number(mask.data[i * c]) > 0 ? 1 : 0,
  );
}
