/**
 * The TypeScript side of scripts/png_differential.py: reads every PNG its manifest lists with
 * readImage2D (or readLabelImage2D) and prints one JSON line per case — the outcome, the time
 * taken, and whether the samples (and pixel size) equal the oracle's raw little-endian file.
 *
 *   node --conditions=@cellshape/source --import tsx packages/profile/scripts/png-differential-read.ts /tmp/png-diff/manifest.json
 *
 * A manifest case: { name, png, reader: 'image' | 'label', expect?: { shape, dtype: 'u8' |
 * 'u16' | 'i32', raw, pixelSize? } }; without `expect` the oracle refused the file.
 */
import { readFileSync } from 'node:fs';
import { isCellshapeError } from '@cellshape/core';
import { readImage2D, readLabelImage2D } from '../src/image/read-image.js';

interface Case {
  name: string;
  png: string;
  reader: 'image' | 'label';
  expect?: { shape: number[]; dtype: 'u8' | 'u16' | 'i32'; raw: string; pixelSize?: number[] };
}

const ARRAYS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array } as const;

/** How `got` differs from the oracle's expectation, or undefined when it does not. */
function difference(got: ReturnType<typeof readImage2D>, want: NonNullable<Case['expect']>) {
  if (got.shape.join() !== want.shape.join()) return `shape ${got.shape} ≠ ${want.shape}`;
  const Array_ = ARRAYS[want.dtype];
  const raw = readFileSync(want.raw);
  const expected = new Array_(raw.buffer, raw.byteOffset, raw.length / Array_.BYTES_PER_ELEMENT);
  if (!(got.data instanceof Array_)) return `type ${got.data.constructor.name} ≠ ${want.dtype}`;
  for (let i = 0; i < expected.length; i++)
    if (got.data[i] !== expected[i]) return `sample ${i}: ${got.data[i]} ≠ ${expected[i]}`;
  const size = got.pixelSize?.map((s) => Number(s.toPrecision(9))).join();
  const wantSize = want.pixelSize?.map((s) => Number(s.toPrecision(9))).join();
  if (size !== wantSize) return `pixel size ${size} ≠ ${wantSize}`;
  return undefined;
}

const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Case[];
for (const c of cases) {
  const bytes = readFileSync(c.png);
  const start = performance.now();
  let line: Record<string, unknown>;
  try {
    const image = c.reader === 'label' ? readLabelImage2D(bytes) : readImage2D(bytes);
    const ms = performance.now() - start;
    const diff = c.expect ? difference(image, c.expect) : 'read a file the oracle refused';
    line = { name: c.name, outcome: diff ? 'differ' : 'agree', detail: diff, ms };
  } catch (error) {
    const ms = performance.now() - start;
    const typed = isCellshapeError(error);
    line = {
      name: c.name,
      outcome: typed ? 'refused' : 'untyped',
      detail: `${(error as Error).name}: ${(error as Error).message}`,
      ms,
    };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
