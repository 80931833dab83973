/**
 * `convertDirectory` at paper size: fields of view of 100 labelled cells (scale-data.ts), 6,500
 * and 65,000 objects, on every core, each run in a child process whose peak RSS is reported.
 * Objects per second and peak RSS should not change per object from one size to the other
 * (the larger case prints both as ratios to the smaller one). Sizes: `CELLSHAPE_SCALE_SIZES`;
 * data and outputs stay in `CELLSHAPE_SCALE_DIR` (default `<tmp>/cellshape-scale`) for reuse.
 *
 *   pnpm bench --only scale_convert_6500 --no-reference
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { scaleRoot, scaleSizes, writeScaleFields } from './scale-data.js';
import { childRun, runScaleChild, type ScaleMeasure, scaleFacts } from './scale-measure.js';

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

interface State {
  size: number;
  input: string;
  output: string;
}

function convertCase(size: number): BenchCase<State> {
  return {
    bench: `scale_convert_${size}`,
    description: `convertDirectory on ${size} objects (${size / 100} label images of 100 cells) → meshes + 2048-point clouds, all cores, child process`,
    setup: async () => {
      const input = join(scaleRoot(), `fields-${size}`);
      await writeScaleFields(input, size);
      return { size, input, output: join(scaleRoot(), `converted-${size}`) };
    },
    run: childRun((state: State) => runScaleChild(CHILD, ['convert', state.input, state.output])),
    runs: { min: 1, max: 1 },
    facts: (state, result) => scaleFacts('convert', state.size, result as ScaleMeasure),
  };
}

export default scaleSizes().map(convertCase) satisfies BenchCase<State>[];
