import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isCellshapeError } from '@cellshape/core';
import { runPaths } from '../run/run-directory.js';
import { errorLine, UsageError } from './errors.js';

/** Throws a usage error unless `path` is an existing folder; returns its absolute path. */
export function requireFolder(path: string, what: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${what} ${JSON.stringify(path)} does not exist`);
  if (!statSync(full).isDirectory())
    throw new UsageError(`${what} ${JSON.stringify(path)} is not a folder`);
  return full;
}

/**
 * Throws a usage error unless `path` is an existing folder or a file whose name ends in one of
 * `extensions` (e.g. `['.tif', '.npy']`, any case); returns its absolute path.
 */
export function requireFileOrFolder(path: string, what: string, extensions: string[]): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${what} ${JSON.stringify(path)} does not exist`);
  const lower = full.toLowerCase();
  if (!statSync(full).isDirectory() && !extensions.some((e) => lower.endsWith(e)))
    throw new UsageError(
      `${what} ${JSON.stringify(path)} is neither a folder nor a ${extensions.join(', ')} file`,
    );
  return full;
}

/** Throws a usage error unless `path` is an existing, readable file; returns its absolute path. */
export function requireFile(path: string, what: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${what} ${JSON.stringify(path)} does not exist`);
  if (!statSync(full).isFile())
    throw new UsageError(`${what} ${JSON.stringify(path)} is not a file`);
  try {
    accessSync(full, constants.R_OK);
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(path)} is not readable`);
  }
  return full;
}

/**
 * Throws a usage error unless `path` is a run directory of `cellshape train` (a folder with its
 * `config.json`, written when training starts); returns its absolute path.
 */
export function requireRunDir(path: string): string {
  const full = requireFolder(path, 'the run directory');
  if (!existsSync(runPaths(full).config))
    throw new UsageError(
      `${JSON.stringify(path)} is not a run directory (no config.json); make one with \`cellshape train <points> --out ${path}\``,
    );
  return full;
}

/**
 * `error` as a usage error (exit 2) when it says that the input folder `path` holds none of the
 * files the model family reads (`expected`, e.g. `'folder of .ply point clouds'`) (an invalid `dir` argument of the dataset's folder listing), as
 * a missing folder is; any other error unchanged.
 */
export function inputFolderError(error: unknown, path: string, expected: string): unknown {
  if (isCellshapeError(error, 'INVALID_ARGUMENT') && error.arg === 'dir')
    return new UsageError(
      `the input folder ${JSON.stringify(path)} is not a ${expected}: ${errorLine(error)}`,
    );
  return error;
}
