/**
 * `readImage2D` on valid PNGs, beside Pillow (`np.asarray(Image.open(path))`, timed by
 * helper's reference_read.py on the same files): what checking every chunk's CRC-32 and the pixel
 * stream's Adler-32 must not slow down. The files are written once, seeded, to the temporary
 * folder, by our own writer (`encodeImage2D`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@cellshape/core';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { readImage2D } from '../src/image/read-image.js';
import { encodeImage2D } from '../src/image/write-image.js';
import type { Image2D } from '../src/types.js';

const DIR = join(tmpdir(), 'cellshape-bench-read-image');
// The Python readers' timings, shared with helper's read.bench.ts.
const SCRIPT = 'packages/helper/bench/reference_read.py';

/** A seeded field of smooth blobs with noise (compresses like microscopy, not like zeros). */
function blobs(size: number, channels: number, max: number, seed: number): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) {
        const blob = 0.5 + 0.25 * (Math.sin(x / 17 + c) + Math.cos(y / 13 - c));
        out.push(Math.round(max * (0.8 * blob + 0.2 * rng.uniform())));
      }
  return out;
}

function pngCase(
  bench: string,
  description: string,
  name: string,
  image: () => Image2D,
): BenchCase<{ path: string }> {
  const path = join(DIR, name);
  return {
    bench,
    description,
    setup: () => {
      if (!existsSync(path)) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(path, encodeImage2D(image(), 'png'));
      }
      return { path };
    },
    run: (state) => readImage2D(state.path),
    facts: (_state, result) => ({ shape: (result as Image2D).shape.join('×') }),
    reference: { script: SCRIPT, only: 'png_read', args: ['--file', path] },
  };
}

const cases: BenchCase<{ path: string }>[] = [
  pngCase(
    'png_read_u16_2048',
    'readImage2D of a 16-bit grey PNG, 2048×2048 (8 MB decoded); reference = Pillow',
    'u16-2048.png',
    () => ({ data: Uint16Array.from(blobs(2048, 1, 4095, 1)), shape: [2048, 2048, 1] }),
  ),
  pngCase(
    'png_read_rgb8_2048',
    'readImage2D of an 8-bit RGB PNG, 2048×2048 (12 MB decoded); reference = Pillow',
    'rgb8-2048.png',
    () => ({ data: Uint8Array.from(blobs(2048, 3, 255, 2)), shape: [2048, 2048, 3] }),
  ),
];

export default cases;
