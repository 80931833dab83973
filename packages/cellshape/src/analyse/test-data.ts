import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@cellshape/core';

/** The treatments of the synthetic screen; DMSO is the control. */
export const TEST_TREATMENTS = ['DMSO', 'drugA', 'drugB'] as const;

/**
 * Writes a small synthetic screen for the analysis tests: `plates` plates × 6 wells × `cells`
 * cells, 4 features, 3 treatments (2 wells each per plate; DMSO the control), every plate
 * shifted by its own offset (a batch effect that per-plate normalisation removes) and every
 * treatment moved far along its own feature (well separated). Writes `features.csv` (id,
 * f0…f3) and `metadata.csv` (id, Plate, Well, Treatment) into `dir`.
 */
export function writeSyntheticScreen(
  dir: string,
  options: { plates?: number; cells?: number; seed?: number } = {},
): { features: string; metadata: string } {
  const plates = options.plates ?? 2;
  const cells = options.cells ?? 10;
  const rng = createRng(options.seed ?? 3);
  const features = ['id,f0,f1,f2,f3'];
  const metadata = ['id,Plate,Well,Treatment'];
  for (let p = 0; p < plates; p++) {
    const offset = 5 * (p + 1);
    for (let w = 0; w < 6; w++) {
      const t = w % 3;
      for (let c = 0; c < cells; c++) {
        const id = `P${p + 1}-W${w}-c${c}`;
        const x = [0, 1, 2, 3].map(
          (j) => offset + (j === t ? 6 : 0) + (j === 3 ? 3 * t : 0) + rng.normal(),
        );
        features.push(`${id},${x.map((v) => v.toFixed(5)).join(',')}`);
        metadata.push(`${id},P${p + 1},W${w},${TEST_TREATMENTS[t]}`);
      }
    }
  }
  const paths = { features: join(dir, 'features.csv'), metadata: join(dir, 'metadata.csv') };
  writeFileSync(paths.features, `${features.join('\n')}\n`);
  writeFileSync(paths.metadata, `${metadata.join('\n')}\n`);
  return paths;
}
