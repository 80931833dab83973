import {
  type AnyTypedArray,
  encodeNpy,
  encodeNpz,
  type NdArray,
  parseNpy,
  parseNpz,
} from '@cellshape/core';
import { encodeTiff, readVolume, type Volume } from '@cellshape/helper';
import { buildTiff, TIFF_MUTATORS, type TiffSeedOptions } from '../formats/tiff.js';
import { ZIP_MUTATORS } from '../formats/zip.js';
import { checkNdArray, checkVolume } from './result-checks.js';
import { npyMember, npyText } from './shared-mutators.js';
import type { FuzzTarget } from './target.js';

type EncodeTiffOptions = Parameters<typeof encodeTiff>[1];

/** A filled 2×5×6 volume: `make` allocates the array and `f` gives the value at each index. */
function rampVolume(make: (n: number) => AnyTypedArray, f: (i: number) => number): Volume {
  const shape: [number, number, number] = [2, 5, 6];
  const n = 2 * 5 * 6;
  const data = make(n);
  for (let i = 0; i < n; i++) (data as unknown as number[])[i] = f(i);
  return { data, shape } as Volume;
}

/** Seeds written by our own `encodeTiff`: one per sample type, varying byte order and compression. */
function writtenTiffSeeds(): Uint8Array[] {
  const cases: [(n: number) => AnyTypedArray, (i: number) => number, EncodeTiffOptions?][] = [
    [(k) => new Uint8Array(k), (i) => i & 1],
    [(k) => new Uint16Array(k), (i) => i * 300, { littleEndian: false }],
    [(k) => new Int16Array(k), (i) => i - 30, { compression: 'deflate' }],
    [(k) => new Int32Array(k), (i) => i * 1e6],
    [(k) => new Float32Array(k), (i) => i / 7, { compression: 'deflate' }],
    [(k) => new Float64Array(k), (i) => -i / 3, { littleEndian: false }],
  ];
  return cases.map(([make, f, options]) => encodeTiff(rampVolume(make, f), options));
}

/** Seeds assembled byte by byte (tiles, LZW/PackBits, predictors, 1-bit, big-endian). */
const BUILT_TIFF_SEEDS: readonly TiffSeedOptions[] = [
  {
    littleEndian: true,
    bits: 16,
    format: 1,
    width: 20,
    height: 18,
    pages: 2,
    tile: 16,
    compression: 5,
    predictor: 2,
  },
  {
    littleEndian: false,
    bits: 8,
    format: 1,
    width: 17,
    height: 16,
    pages: 1,
    tile: 16,
    compression: 8,
    predictor: 1,
  },
  {
    littleEndian: true,
    bits: 32,
    format: 3,
    width: 16,
    height: 16,
    pages: 1,
    tile: 16,
    compression: 1,
    predictor: 1,
  },
  {
    littleEndian: true,
    bits: 8,
    format: 2,
    width: 9,
    height: 5,
    pages: 3,
    compression: 5,
    predictor: 1,
  },
  {
    littleEndian: true,
    bits: 1,
    format: 1,
    width: 13,
    height: 6,
    pages: 2,
    compression: 1,
    predictor: 1,
  },
  {
    littleEndian: false,
    bits: 16,
    format: 1,
    width: 8,
    height: 6,
    pages: 2,
    compression: 32773,
    predictor: 2,
  },
  {
    littleEndian: true,
    bits: 64,
    format: 3,
    width: 4,
    height: 4,
    pages: 1,
    compression: 8,
    predictor: 1,
  },
];

function tiffSeeds(): Uint8Array[] {
  return [...writtenTiffSeeds(), ...BUILT_TIFF_SEEDS.map(buildTiff)];
}

function npySeeds(): Uint8Array[] {
  const arrays: NdArray<AnyTypedArray>[] = [
    { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
    { data: Float64Array.from([0.5, -1, 1e300]), shape: [3] },
    { data: Uint8Array.from([0, 1, 1, 0, 1, 0, 0, 1]), shape: [2, 2, 2] },
    { data: Int16Array.from([-1, 2, -3, 4]), shape: [2, 2] },
    { data: BigInt64Array.from([1n, -2n]), shape: [2] },
    { data: Uint32Array.from([7]), shape: [] },
  ];
  const seeds = arrays.map(encodeNpy);
  // A Fortran-ordered copy of the first (same header length: 'True ' for 'False').
  const fortran = seeds[0]!.slice();
  const text = new TextDecoder('latin1').decode(fortran);
  const at = text.indexOf('False');
  fortran.set(new TextEncoder().encode('True '), at);
  return [...seeds, fortran];
}

/** TIFF and NumPy volumes and arrays: `readVolume` (by format and sniffed), `parseNpy`, `parseNpz`. */
export function volumeTargets(): FuzzTarget[] {
  return [
    {
      name: 'tiff',
      fns: ['readVolume'],
      seeds: async () => tiffSeeds(),
      mutators: TIFF_MUTATORS,
      run: async (bytes) => readVolume(bytes, { format: 'tiff' }),
      check: checkVolume,
    },
    {
      name: 'npy',
      fns: ['parseNpy'],
      seeds: async () => npySeeds(),
      mutators: npyText,
      run: async (bytes) => parseNpy(bytes),
      check: checkNdArray,
    },
    {
      name: 'npy-volume',
      fns: ['readVolume'],
      seeds: async () => npySeeds(),
      mutators: npyText,
      run: async (bytes) => readVolume(bytes, { format: 'npy' }),
      check: checkVolume,
    },
    {
      name: 'npz',
      fns: ['parseNpz'],
      seeds: async () => {
        const arrays = {
          a: { data: Float32Array.from([1, 2, 3]), shape: [3] },
          b: { data: Int32Array.from([4, 5]), shape: [1, 2] },
        };
        return [encodeNpz(arrays), encodeNpz(arrays, { compress: true })];
      },
      mutators: [...ZIP_MUTATORS, npyMember, npyMember],
      run: async (bytes) => parseNpz(bytes),
      check: (result) => {
        if (Object.getPrototypeOf(result) !== null) return 'the record has a prototype';
        for (const value of Object.values(result as Record<string, unknown>)) {
          const problem = checkNdArray(value);
          if (problem) return problem;
        }
        return undefined;
      },
    },
    {
      name: 'volume-sniff',
      fns: ['readVolume'],
      seeds: async () => [...tiffSeeds(), ...npySeeds()],
      mutators: [...TIFF_MUTATORS, ...npyText],
      run: async (bytes) => readVolume(bytes),
      check: checkVolume,
    },
  ];
}
