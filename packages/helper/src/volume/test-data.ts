import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Test helper (not exported by the package): the shared real-data folder, from
 * `CELLSHAPE_SHARED` or `../shared/data` beside the repository.
 */
export const SHARED_DATA = process.env.CELLSHAPE_SHARED
  ? join(process.env.CELLSHAPE_SHARED, 'data')
  : fileURLToPath(new URL('../../../../../shared/data', import.meta.url));

/** True when every `paths` (relative to {@link SHARED_DATA}) exists; warns loudly otherwise. */
export function haveSharedData(what: string, ...paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(join(SHARED_DATA, p)));
  if (missing.length > 0)
    console.warn(`SKIPPED: ${what} needs ${missing.map((p) => join(SHARED_DATA, p)).join(', ')}`);
  return missing.length === 0;
}
