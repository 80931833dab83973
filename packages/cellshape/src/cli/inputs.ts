import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { runPaths } from '../run/run-directory.js';
import { UsageError } from './errors.js';

/** Throws a usage error unless `path` is an existing folder; returns its absolute path. */
export function requireFolder(path: string, what: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`${what} ${JSON.stringify(path)} does not exist`);
  if (!statSync(full).isDirectory())
    throw new UsageError(`${what} ${JSON.stringify(path)} is not a folder`);
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
