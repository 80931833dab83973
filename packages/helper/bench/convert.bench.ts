/**
 * `convertDirectory` on a folder of synthetic label images, on one worker thread and on one per
 * core: the ratio of the two rows shows the conversion using both cores. There is no Python
 * reference for a whole-folder conversion (cellshape-helper converts one file at a time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { type ConvertResult, convertDirectory } from '../src/convert/index.js';
import { syntheticLabelImage } from '../src/synthetic/index.js';
import { writeVolume } from '../src/volume/index.js';

const FILES = 48;

interface State {
  input: string;
  output: string;
  workers: number;
}

async function makeInput(workers: number): Promise<State> {
  const input = mkdtempSync(join(tmpdir(), 'cellshape-bench-convert-'));
  for (let i = 0; i < FILES; i++) {
    // 10 cells (2 per family) per 64³-slot label image, each file with its own seed.
    const { labels } = syntheticLabelImage({ count: 2, seed: i, size: 64 });
    await writeVolume(join(input, `plate${i % 3}`, `image${i}.tif`), labels);
  }
  const output = join(input, 'out');
  process.on('exit', () => rmSync(input, { recursive: true, force: true }));
  return { input: join(input), output, workers };
}

function convertCase(bench: string, workers: () => number): BenchCase<State> {
  return {
    bench,
    description: `convertDirectory on ${FILES} label images (480 cells) → meshes + 2048-point clouds`,
    setup: () => makeInput(workers()),
    run: (state) =>
      convertDirectory(state.input, state.output, {
        workers: state.workers,
        overwrite: true,
      }),
    runs: { min: 2, max: 5, budgetSeconds: 60 },
    facts: (state, result) => {
      const r = result as ConvertResult;
      return { workers: state.workers, converted: r.converted, failed: r.failed };
    },
  };
}

export default [
  convertCase('convert_directory_1_worker', () => 1),
  convertCase('convert_directory_all_cores', () => availableParallelism()),
] satisfies BenchCase<State>[];
