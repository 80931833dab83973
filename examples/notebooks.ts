import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The `examples/` folder. */
export const EXAMPLES = resolve(import.meta.dirname);

/** The notebooks named on the command line, or else every `examples/*.ipynb` in order. */
export function notebooksToRun(named: readonly string[]): string[] {
  if (named.length > 0) return named.map((a) => resolve(a));
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => join(EXAMPLES, f));
}
