/**
 * The volume readers on valid files, beside the Python ecosystem's (tifffile.imread,
 * numpy.load; timed by our reference_read.py on the same files): what the hostile-input checks
 * must not slow down. The files are written once, seeded, to the temporary folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, Rng } from '@cellshape/core';
import type { BenchCase } from '../../../scripts/bench-types.js';
import type { Volume } from '../src/types.js';
import { encodeTiff, readVolume } from '../src/volume/index.js';

const DIR = join(tmpdir(), 'cellshape-bench-read');
const SCRIPT = 'packages/helper/bench/reference_read.py';

/** A seeded stack of smooth blobs with noise (compresses like microscopy, not like zeros). */
function stack(shape: [number, number, number], max: number, seed: number): Float64Array {
  const [nz, ny, nx] = shape;
  const rng = new Rng(seed);
  const out = new Float64Array(nz * ny * nx);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const blob = 0.5 + 0.25 * (Math.sin(x / 17 + z / 5) + Math.cos(y / 13 - z / 7));
        out[i] = Math.min(max, Math.max(0, Math.round(max * (0.8 * blob + 0.2 * rng.uniform()))));
      }
  return out;
}

/** Writes `bytes` to `name` in the bench folder once; its path. */
function file(name: string, bytes: () => Uint8Array): string {
  const path = join(DIR, name);
  if (!existsSync(path)) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, bytes());
  }
  return path;
}

interface State {
  path: string;
}

function readCase(
  bench: string,
  description: string,
  name: string,
  make: () => Uint8Array,
  only: 'tiff_read' | 'npy_read',
): BenchCase<State> {
  const path = join(DIR, name);
  return {
    bench,
    description,
    setup: () => ({ path: file(name, make) }),
    run: (state) => readVolume(state.path),
    facts: (_state, result) => ({ shape: (result as Volume).shape.join('×') }),
    reference: { script: SCRIPT, only, args: ['--file', path] },
  };
}

const u8: [number, number, number] = [60, 512, 512];
const u16: [number, number, number] = [30, 512, 512];

const cases: BenchCase<State>[] = [
  readCase(
    'tiff_read_u8_60x512x512',
    'readVolume of an uncompressed uint8 TIFF stack (15 MB); reference = tifffile.imread',
    'u8.tif',
    () => encodeTiff({ data: Uint8Array.from(stack(u8, 255, 1)), shape: u8 }),
    'tiff_read',
  ),
  readCase(
    'tiff_read_u16_deflate_30x512x512',
    'readVolume of a Deflate uint16 TIFF stack (15 MB decoded); reference = tifffile.imread',
    'u16-deflate.tif',
    () =>
      encodeTiff(
        { data: Uint16Array.from(stack(u16, 4095, 2)), shape: u16 },
        { compression: 'deflate' },
      ),
    'tiff_read',
  ),
  readCase(
    'npy_read_f32_30x512x512',
    'readVolume of a float32 .npy volume (31 MB); reference = numpy.load',
    'f32.npy',
    () => encodeNpy({ data: Float32Array.from(stack(u16, 1, 3)), shape: u16 }),
    'npy_read',
  ),
];

export default cases;
