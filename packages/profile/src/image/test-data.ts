import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test helper (not exported by the package): the shared 2D real-data folder, from
 * `CELLSHAPE_SHARED` or `../shared/data/images2d` beside the repository.
 */
export const IMAGES_2D = process.env.CELLSHAPE_SHARED
  ? join(process.env.CELLSHAPE_SHARED, 'data', 'images2d')
  : fileURLToPath(new URL('../../../../../shared/data/images2d', import.meta.url));

/** True when every file (relative to {@link IMAGES_2D}) exists; warns loudly otherwise. */
export function haveImages2D(what: string, ...files: string[]): boolean {
  const missing = files.filter((f) => !existsSync(join(IMAGES_2D, f)));
  if (missing.length > 0)
    console.warn(`SKIPPED: ${what} needs ${missing.map((f) => join(IMAGES_2D, f)).join(', ')}`);
  return missing.length === 0;
}
