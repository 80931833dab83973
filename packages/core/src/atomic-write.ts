import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileSystemError } from './errors.js';

/**
 * A temporary name beside `path`. At most 64 characters of the file's name are kept (at most
 * 192 UTF-8 bytes): with all of a long name (245 characters) it passed the 255-byte limit of a
 * file name, and a file that could be written could not be written atomically.
 */
function temporaryPath(path: string): string {
  const name = basename(path).slice(0, 64);
  return join(dirname(path), `.${name}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `path` so that `path` either keeps its old content or holds all of the
 * new one: the bytes go to a temporary file in the same folder, which is then renamed.
 * Missing parent folders are created.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryPath(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    // Cleaning up must not replace the error (rm of a bad temporary name threw its own).
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new FileSystemError(`writeFileAtomic: could not write ${JSON.stringify(path)}`, {
      fn: 'writeFileAtomic',
      arg: path,
      cause: error,
    });
  }
}

/** Synchronous {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = temporaryPath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // As in writeFileAtomic: the write's error is the one to report.
    }
    throw new FileSystemError(`writeFileAtomicSync: could not write ${JSON.stringify(path)}`, {
      fn: 'writeFileAtomicSync',
      arg: path,
      cause: error,
    });
  }
}
