/**
 * Paper-size synthetic data for the scale benches (and anyone who wants to try a large
 * conversion): fields of view of ~100 labelled cells each, the five shape families mixed, as
 * label TIFFs under `plate<k>/field<i>.tif` (100 fields per plate folder). Idempotent: fields
 * already written are kept, so benches share one copy per size.
 *
 *   node --conditions=@cellshape/source --import tsx packages/helper/bench/scale-data.ts <dir> <objects>
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticLabelImage } from '../src/synthetic/index.js';
import { writeVolume } from '../src/volume/index.js';

/** Cells per field of view: 20 of each of the five families. */
export const CELLS_PER_FIELD = 100;

/** Where the benches keep their data: `$CELLSHAPE_SCALE_DIR`, else `<tmp>/cellshape-scale`. */
export function scaleRoot(): string {
  return process.env.CELLSHAPE_SCALE_DIR ?? join(tmpdir(), 'cellshape-scale');
}

/** The sizes the scale benches run: `$CELLSHAPE_SCALE_SIZES` (e.g. `6500,65000`), else 6500. */
export function scaleSizes(): number[] {
  const text = process.env.CELLSHAPE_SCALE_SIZES ?? '6500,65000';
  return text
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Writes `objects` cells (rounded up to whole fields) as label images under `dir` and returns
 * the number of fields. Field `i` is `syntheticLabelImage({ count: 20, size, seed: i })`.
 */
export async function writeScaleFields(dir: string, objects: number, size = 20): Promise<number> {
  const fields = Math.ceil(objects / CELLS_PER_FIELD);
  const done = join(dir, '.complete');
  if (existsSync(done) && readFileSync(done, 'utf8') === `${fields} ${size}\n`) return fields;
  for (let i = 0; i < fields; i++) {
    const path = join(dir, `plate${Math.floor(i / 100)}`, `field${String(i).padStart(5, '0')}.tif`);
    if (existsSync(path)) continue;
    const { labels } = syntheticLabelImage({ count: CELLS_PER_FIELD / 5, size, seed: i });
    await writeVolume(path, labels);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(done, `${fields} ${size}\n`);
  return fields;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, objects] = process.argv.slice(2);
  if (!dir || !objects) {
    console.error('usage: scale-data.ts <dir> <objects>');
    process.exit(2);
  }
  const fields = await writeScaleFields(dir, Number(objects));
  console.log(`${fields} fields of ${CELLS_PER_FIELD} cells in ${dir}`);
}
