import { opendir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import { csvRecords, decodeCsvText, parseCsv } from './csv.js';
import { FileSystemError, InvalidArgumentError, invalidArgument } from './errors.js';
import type { DatasetWarning, Metadata } from './metadata.js';
import { checkString } from './validate.js';

/**
 * The files of a folder dataset (point clouds, TIFF volumes, images) and the metadata table that
 * names them, one rule for every model family:
 *
 * * a file's id is its path relative to the folder without the extension, with `/` separators
 *   (`Plate1/DMSO/cell_001`);
 * * a metadata id names the file with that relative id, else the file with that name (without
 *   extension) when exactly one file has it, so the original's `Plate/…/Treatment/serialNumber.ply`
 *   layout joins on `serialNumber`; surrounding blanks, `\` separators and a listed extension in
 *   the id are ignored.
 *
 * ```ts
 * const files = await listSampleFiles('clouds/', { extensions: ['.ply'] });
 * const { samples, warnings } = await joinMetadata(files, { metadata: 'cells.csv', idColumn: 'serialNumber' });
 * files.pathOf('cell_001'); // 'clouds/Plate1/DMSO/cell_001.ply'
 * ```
 */

/** One file of a folder dataset. */
export interface SampleFile {
  /** The relative path without the extension, `/`-separated, e.g. `Plate1/DMSO/cell_001`. */
  readonly id: string;
  /** The path: the folder joined with the relative path. */
  readonly path: string;
}

/**
 * The files of a folder with the given extensions; see {@link listSampleFiles}. The list is
 * held packed (one string of relative paths and their offsets, a few dozen bytes per file), so
 * a folder of 65,000 cells costs about 2 MB: read files by index ({@link count}, {@link idAt},
 * {@link pathAt}); `files` and the id lookups are built on first use.
 */
export interface SampleFiles {
  /** The folder, as given. */
  readonly dir: string;
  /** The extensions listed, lower case with the dot (e.g. `['.ply']`). */
  readonly extensions: readonly string[];
  /** Number of files. */
  readonly count: number;
  /** The id of file `i` (files sorted by path). */
  idAt(i: number): string;
  /** The path of file `i`. */
  pathAt(i: number): string;
  /** Every file, sorted by path: one object per file, made on first use. */
  readonly files: readonly SampleFile[];
  /** `id` without surrounding blanks, with `/` separators and without a listed extension. */
  normaliseId(id: string): string;
  /**
   * The files a metadata id names: those with that relative id (several when they differ only in
   * extension), else every file with that name (the id is normalised first). Exactly one path
   * means a match.
   */
  candidates(id: string): readonly string[];
  /** The file a metadata or file id names, or `undefined` when none or several do. */
  pathOf(id: string): string | undefined;
}

/** Options of {@link listSampleFiles}. */
export interface ListSampleFilesOptions {
  /** File extensions to take, with the dot, matched case-insensitively: `['.ply']`, `['.tif', '.tiff']`. */
  extensions: readonly string[];
  /** The public function named in error messages. Default `'listSampleFiles'`. */
  caller?: string;
}

/**
 * The files under `dir` (recursively) whose extension is one of `options.extensions`, sorted by
 * path, with their ids and the id → file lookup of the matching rule (see the module comment).
 * The folder is read one sub-folder at a time and the list kept packed (see
 * {@link SampleFiles}), so listing 65,000 files holds no object per file.
 *
 * @throws FileSystemError when `dir` does not exist; InvalidArgumentError when it is not a folder
 *   or holds no such file (the message names the folder).
 */
export async function listSampleFiles(
  dir: string,
  options: ListSampleFilesOptions,
): Promise<SampleFiles> {
  const fn = options?.caller ?? 'listSampleFiles';
  checkString(fn, 'dir', dir);
  const extensions = checkExtensions(fn, options?.extensions);
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new FileSystemError(`${fn}: the folder ${JSON.stringify(dir)} does not exist`, {
      fn,
      arg: 'dir',
      cause: error,
    });
  }
  if (!isDir) throw invalidArgument(fn, 'dir', 'a folder', dir);
  const packed = await walkFolder(dir, extensions);
  if (packed.starts.length === 1)
    throw new InvalidArgumentError(
      `${fn}: the folder ${JSON.stringify(dir)} holds no ${extensions.join(' or ')} files`,
      { fn, arg: 'dir' },
    );
  return sampleFiles(dir, extensions, packed);
}

/** Relative paths (`/`-separated) packed in one string: path `i` is `text.slice(starts[i], starts[i + 1])`. */
interface PackedPaths {
  text: string;
  starts: Uint32Array;
}

/**
 * The files under `dir` with a listed extension, depth first, each folder's entries sorted so
 * that the order is that of sorting the full paths (a sub-folder sorts as its name followed by
 * the separator). Only one folder's entries are in memory at a time.
 */
async function walkFolder(dir: string, extensions: readonly string[]): Promise<PackedPaths> {
  const pieces: string[] = [];
  const starts: number[] = [0];
  let end = 0;
  const visit = async (folder: string, prefix: string): Promise<void> => {
    // Names only (a sub-folder as its name and the separator, which sorts it as its paths
    // would), read a few hundred at a time: a folder of 10,000 files holds no object per file.
    const keys: string[] = [];
    for await (const e of await opendir(folder, { bufferSize: 256 })) {
      if (e.isDirectory()) keys.push(e.name + sep);
      else if (extensionOf(e.name, extensions) !== undefined) {
        // A symbolic link to a file counts as the file (data folders are often links to a
        // store); links to folders are not followed, so a link cycle cannot make the walk endless.
        // A link to nothing (dangling, or looping) is listed too: the reader that opens it
        // reports it, as every batch reports a bad file, instead of the sample vanishing.
        // Never a FIFO or device (reading one blocks or never ends).
        if (
          e.isFile() ||
          (e.isSymbolicLink() && (await linksToFileOrNothing(join(folder, e.name))))
        )
          keys.push(e.name);
      }
    }
    keys.sort();
    let run: string[] = [];
    const flush = (): void => {
      // `prefix` before every name of the run: the run's relative paths, back to back.
      if (run.length > 0) pieces.push(prefix + run.join(prefix));
      run = [];
    };
    for (const key of keys) {
      if (key.endsWith(sep)) {
        flush();
        const name = key.slice(0, -sep.length);
        await visit(join(folder, name), `${prefix}${name}/`);
      } else {
        run.push(key);
        end += prefix.length + key.length;
        starts.push(end);
      }
    }
    flush();
  };
  await visit(dir, '');
  return { text: pieces.join(''), starts: Uint32Array.from(starts) };
}

/** Whether the link `path` resolves to a regular file or to nothing (dangling, or a loop). */
async function linksToFileOrNothing(path: string): Promise<boolean> {
  const target = await stat(path).catch(() => undefined);
  return target === undefined || target.isFile();
}

function checkExtensions(fn: string, extensions: unknown): string[] {
  if (
    !Array.isArray(extensions) ||
    extensions.length === 0 ||
    extensions.some((e) => typeof e !== 'string' || !/^\.[^./\\]+$/.test(e))
  )
    throw invalidArgument(
      fn,
      'options.extensions',
      "a non-empty array of extensions like '.ply'",
      extensions,
    );
  return extensions.map((e: string) => e.toLowerCase());
}

/** The listed extension `name` ends with (case-insensitively), if any. */
function extensionOf(name: string, extensions: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return extensions.find((e) => lower.endsWith(e));
}

function stripExtension(name: string, extensions: readonly string[]): string {
  const extension = extensionOf(name, extensions);
  return extension === undefined ? name : name.slice(0, -extension.length);
}

function sampleFiles(
  dir: string,
  extensions: readonly string[],
  { text, starts }: PackedPaths,
): SampleFiles {
  const count = starts.length - 1;
  const relativeAt = (i: number): string => text.slice(starts[i], starts[i + 1]);
  const idAt = (i: number): string => stripExtension(relativeAt(i), extensions);
  const pathAt = (i: number): string => join(dir, relativeAt(i));
  // The lookups of the matching rule, built when a metadata id is first looked up: a folder
  // read without metadata never holds them.
  // Files that differ only in extension (`a.tif`, `a.tiff`) share an id: the id names both (the
  // last one listed took the row, and the other was reported as without one).
  type Lookup = Map<string, number | number[]>;
  const add = (map: Lookup, key: string, i: number): void => {
    const known = map.get(key);
    map.set(key, known === undefined ? i : typeof known === 'number' ? [known, i] : [...known, i]);
  };
  let lookups: { byId: Lookup; byName: Lookup } | undefined;
  const buildLookups = () => {
    const byId: Lookup = new Map();
    const byName: Lookup = new Map();
    for (let i = 0; i < count; i++) {
      const id = idAt(i);
      add(byId, id, i);
      add(byName, id.slice(id.lastIndexOf('/') + 1), i);
    }
    return { byId, byName };
  };
  const pathsOf = (found: number | number[]): string[] =>
    typeof found === 'number' ? [pathAt(found)] : found.map(pathAt);
  const normaliseId = (id: string): string =>
    stripExtension(id.trim().replace(/\\/g, '/'), extensions);
  const candidates = (id: string): readonly string[] => {
    lookups ??= buildLookups();
    const key = normaliseId(id);
    const found = lookups.byId.get(key) ?? lookups.byName.get(key);
    return found === undefined ? [] : pathsOf(found);
  };
  let files: SampleFile[] | undefined;
  return {
    dir,
    extensions,
    count,
    idAt,
    pathAt,
    get files() {
      files ??= Array.from({ length: count }, (_, i) => ({ id: idAt(i), path: pathAt(i) }));
      return files;
    },
    normaliseId,
    candidates,
    pathOf(id) {
      const found = candidates(id);
      return found.length === 1 ? found[0] : undefined;
    },
  };
}

/**
 * Ids of a list of files: each file's name without extension, or (when two names clash) its
 * path without extension with `/` separators.
 */
export function sampleFileIds(paths: readonly string[]): string[] {
  const stems = paths.map((f) => basename(f, extname(f)));
  if (new Set(stems).size === stems.length) return stems;
  return paths.map((f) =>
    f
      .slice(0, f.length - extname(f).length)
      .split(sep)
      .join('/'),
  );
}

/** A metadata table: column names and the rows keyed by column. */
interface MetadataTable {
  /** Column names in file order. */
  columns: string[];
  /** One record per row. */
  rows: Record<string, string>[];
}

/**
 * The table of a CSV path (core's `parseCsv`) or of rows already parsed (the columns are those of
 * the first row).
 */
async function readMetadataTable(
  source: string | readonly Record<string, string>[],
  caller: string,
): Promise<MetadataTable> {
  if (typeof source === 'string') {
    let text: string;
    try {
      text = decodeCsvText(await readFile(source));
    } catch (error) {
      throw new FileSystemError(
        `${caller}: could not read the metadata CSV ${JSON.stringify(source)}`,
        { fn: caller, arg: 'options.metadata', cause: error },
      );
    }
    const table = parseCsv(text, { caller, source: 'the metadata CSV' });
    return { columns: table.header, rows: csvRecords(table) };
  }
  if (Array.isArray(source)) {
    const rows = source as Record<string, string>[];
    return { columns: rows[0] ? Object.keys(rows[0]) : [], rows };
  }
  throw invalidArgument(caller, 'options.metadata', 'a CSV path or an array of rows', source);
}

/** Options of {@link joinMetadata}. */
export interface JoinMetadataOptions {
  /** The metadata table: a CSV path or parsed rows. */
  metadata: string | readonly Record<string, string>[];
  /** The column holding the sample id. */
  idColumn: string;
  /** The public function named in error messages. Default `'joinMetadata'`. */
  caller?: string;
}

/** A metadata row joined with its file. */
export interface JoinedSample {
  /** The row's id (normalised, see {@link SampleFiles.normaliseId}). */
  id: string;
  /** The file the id names. */
  path: string;
  /** A copy of the row. */
  metadata: Metadata;
}

/** The result of {@link joinMetadata}. */
export interface MetadataJoin {
  /** One sample per row that names a file, in row order. */
  samples: JoinedSample[];
  /** Rows without a file (in row order), then files without a row (in file order), with the reason. */
  warnings: DatasetWarning[];
}

/**
 * Joins a metadata table with the files of a folder by the matching rule of the module comment:
 * one sample per row whose id names a file. Rows whose id names no file or several files (by
 * name, or files that differ only in extension: `a.tif` and `a.tiff`), a
 * second row for the same file, and files without a row are left out and reported.
 *
 * @throws FileSystemError when the CSV cannot be read; FormatError when it is not valid CSV;
 *   InvalidArgumentError when `metadata` is neither a path nor an array, or `idColumn` is not a
 *   column of a non-empty table.
 */
export async function joinMetadata(
  files: SampleFiles,
  options: JoinMetadataOptions,
): Promise<MetadataJoin> {
  const fn = options?.caller ?? 'joinMetadata';
  const { columns, rows } = await readMetadataTable(options?.metadata, fn);
  const idColumn = options.idColumn;
  if (rows.length > 0 && !columns.includes(idColumn))
    throw invalidArgument(
      fn,
      'options.idColumn',
      `a column of the metadata (${columns.join(', ')})`,
      idColumn,
    );
  const kinds = files.extensions.join(' or ');
  const used = new Set<string>();
  const samples: JoinedSample[] = [];
  const warnings: DatasetWarning[] = [];
  for (const row of rows) {
    const id = files.normaliseId(String(row[idColumn] ?? ''));
    const found = files.candidates(id);
    const path = found.length === 1 ? found[0]! : undefined;
    if (path === undefined) {
      const stems = new Set(found.map((p) => p.slice(0, p.length - extname(p).length)));
      const reason =
        found.length <= 1
          ? `no ${kinds} file for this metadata id`
          : stems.size === 1
            ? `metadata id names ${found.length} files that differ only in extension (${found.map((p) => basename(p)).join(', ')}); keep one`
            : `metadata id matches ${found.length} files by name; use the relative path as id`;
      warnings.push({ id, reason });
    } else if (used.has(path)) {
      warnings.push({ id, path, reason: 'a second metadata row for the same file' });
    } else {
      used.add(path);
      samples.push({ id, path, metadata: { ...row } });
    }
  }
  for (let i = 0; i < files.count; i++) {
    const path = files.pathAt(i);
    if (!used.has(path)) warnings.push({ path, id: files.idAt(i), reason: 'no metadata row' });
  }
  return { samples, warnings };
}
