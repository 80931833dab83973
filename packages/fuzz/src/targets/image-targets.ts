import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyTypedArray } from '@cellshape/core';
import {
  encodeImage2D,
  type Image2D,
  parseCentroidTable,
  readImage2D,
  readLabelImage2D,
  readUsiigaciParameters,
} from '@cellshape/profile';
import { plainDataProblem, typedArrayLengthProblem } from '../checks.js';
import { PNG_MUTATORS } from '../formats/png.js';
import { TIFF_MUTATORS } from '../formats/tiff.js';
import { csvText } from './shared-mutators.js';
import type { FuzzTarget } from './target.js';

/** A ramp image of this type and channel count, with a pixel size on every other one. */
function ramp(
  make: (n: number) => AnyTypedArray,
  channels: number,
  scale: number,
  sized: boolean,
): Image2D {
  const [h, w] = [5, 7];
  const data = make(h * w * channels);
  for (let i = 0; i < data.length; i++) (data as unknown as number[])[i] = (i * scale) % 250;
  return {
    data,
    shape: [h, w, channels],
    ...(sized ? { pixelSize: [0.65, 0.65] as const, unit: 'µm' } : {}),
  } as Image2D;
}

/** A grey 8-bit ramp of `h` × `w` pixels. */
const ramp1 = (h: number, w: number): Image2D => ({
  data: Uint8Array.from({ length: h * w }, (_, i) => (i * 3) % 256),
  shape: [h, w, 1],
});

/** Files of the profile package's tests, written by tifffile, Pillow and ImageMagick. */
const profileFixtures = (...names: string[]): Uint8Array[] =>
  names.map(
    (name) =>
      new Uint8Array(
        readFileSync(
          fileURLToPath(new URL(`../../../profile/src/image/fixtures/${name}`, import.meta.url)),
        ),
      ),
  );

function tiffImageSeeds(): Uint8Array[] {
  const written = [
    encodeImage2D(
      ramp((n) => new Uint8Array(n), 1, 7, true),
      'tiff',
    ),
    encodeImage2D(
      ramp((n) => new Uint16Array(n), 3, 301, false),
      'tiff',
      { compression: 'deflate' },
    ),
    encodeImage2D(
      ramp((n) => new Float32Array(n), 1, 0.5, true),
      'tiff',
    ),
    encodeImage2D(
      ramp((n) => new Int16Array(n), 2, -3, false),
      'tiff',
    ),
  ];
  return [
    ...written,
    ...profileFixtures(
      'minisblack_u16_planar.tif',
      'rgb_u8_chunky_deflate.tif',
      'rgb_u8_lzw.tif',
      'rgb_u8_predictor_be.tif',
    ),
  ];
}

function pngImageSeeds(): Uint8Array[] {
  return [
    encodeImage2D(
      ramp((n) => new Uint8Array(n), 1, 7, true),
      'png',
    ),
    encodeImage2D(
      ramp((n) => new Uint8Array(n), 3, 11, false),
      'png',
    ),
    encodeImage2D(
      ramp((n) => new Uint16Array(n), 1, 997, true),
      'png',
    ),
    encodeImage2D(
      ramp((n) => new Uint8Array(n), 4, 5, false),
      'png',
    ),
    // One-pixel-wide and one-row images (a row per pixel: per-row costs show).
    encodeImage2D(ramp1(64, 1), 'png'),
    encodeImage2D(ramp1(1, 64), 'png'),
    // Interlaced (Adam7) 1- and 16-bit images and palettes, with every row filter.
    ...profileFixtures('grey1_adam7.png', 'rgba16_adam7.png', 'palette8_adam7.png', 'palette4.png'),
  ];
}

/** An image's promises: [h, w, c] of positive sizes, data of that length, plain data. */
function checkImage(result: unknown): string | undefined {
  const image = result as Image2D;
  const { shape } = image;
  if (shape.length !== 3 || shape.some((d) => !Number.isSafeInteger(d) || d <= 0))
    return `shape [${shape.join(', ')}] is not [height, width, channels] of positive sizes`;
  return (
    typedArrayLengthProblem('data', image.data, shape[0] * shape[1] * shape[2]) ??
    plainDataProblem(result)
  );
}

const CENTROID_TABLES = [
  'ImageNumber,ObjectNumber,Location_Center_X,Location_Center_Y,Metadata_Well\n1,1,10.5,20.5,A01\n1,2,40.25,41.75,A01\n2,1,5.5,6.5,B02\n',
  'LABEL,ID,TRACK_ID,POSITION_X,POSITION_Y,FRAME\nLabel,Spot ID,Track ID,X,Y,Frame\nLabel,Spot ID,Track ID,X,Y,Frame\n,,,(micron),(micron),\nID1,1,0,8.7,17.4,0\nID2,2,None,26.1,4.35,1\n',
  ',y,x,frame,particle,area,wtd_y,wtd_x,wtd_area\n0,17.4,8.7,0,1,120.5,20,10,159\n1,30.1,40.2,0,2,98,34.6,46.2,130\n',
  'cell,cx,cy,treatment\na,3,4,DMSO\nb,5.5,6,Blebb\n',
];

/** Usiigaci `experiment_parameters.csv` files (the third in Windows-1252, as Excel saves it). */
const USIIGACI_PARAMETERS = [
  'Parameter,Value\npixel_scale,0.65\npixel_unit,microns\nframe_interval,10\n',
  'Parameter,Value\r\npixel_scale,1.3e0\r\npixel_unit,µm\r\n"note","a, b"\r\n',
];

/** A file the path readers read: one per child process, rewritten for each case. */
let caseFile: string | undefined;
function writeCaseFile(bytes: Uint8Array): string {
  caseFile ??= join(mkdtempSync(join(tmpdir(), 'cellshape-fuzz-')), 'case.csv');
  writeFileSync(caseFile, bytes);
  return caseFile;
}

/** 2D images and centroid tables of `@cellshape/profile`: `readImage2D`, `readLabelImage2D`, `parseCentroidTable`. */
export function imageTargets(): FuzzTarget[] {
  return [
    {
      name: 'image2d-tiff',
      fns: ['readImage2D'],
      seeds: async () => tiffImageSeeds(),
      mutators: TIFF_MUTATORS,
      run: async (bytes) => readImage2D(bytes),
      check: checkImage,
    },
    {
      name: 'image2d-png',
      fns: ['readImage2D'],
      seeds: async () => pngImageSeeds(),
      mutators: PNG_MUTATORS,
      run: async (bytes) => readImage2D(bytes),
      check: checkImage,
    },
    {
      name: 'label-image2d',
      fns: ['readLabelImage2D'],
      seeds: async () => [
        ...pngImageSeeds().slice(0, 1),
        ...profileFixtures('palette4.png', 'grey16_adam7.png'),
        ...tiffImageSeeds().slice(0, 1),
      ],
      mutators: [...PNG_MUTATORS, ...TIFF_MUTATORS],
      run: async (bytes) => readLabelImage2D(bytes),
      check: checkImage,
    },
    {
      name: 'centroid-table',
      fns: ['parseCentroidTable'],
      seeds: async () => CENTROID_TABLES.map((t) => new TextEncoder().encode(t)),
      mutators: csvText,
      run: async (bytes) => parseCentroidTable(new TextDecoder().decode(bytes)),
      check: (result) => {
        const { rows } = result as { rows: { x: number; y: number }[] };
        const bad = rows.findIndex((r) => !Number.isFinite(r.x) || !Number.isFinite(r.y));
        return bad >= 0 ? `row ${bad} has a centre that is not finite` : plainDataProblem(result);
      },
    },
    {
      // Through a file: the bytes → text decoding (UTF-8, else Windows-1252) is fuzzed too.
      name: 'usiigaci-parameters',
      fns: ['readUsiigaciParameters'],
      seeds: async () => [
        ...USIIGACI_PARAMETERS.map((t) => new TextEncoder().encode(t)),
        Uint8Array.from([
          ...new TextEncoder().encode('Parameter,Value\npixel_scale,0.5\npixel_unit,'),
          0xb5, // µ in Windows-1252
          0x6d,
          0x0a,
        ]),
      ],
      mutators: csvText,
      run: async (bytes) => readUsiigaciParameters(writeCaseFile(bytes)),
      check: (result) => {
        const { pixelSize } = result as { pixelSize: number };
        return Number.isFinite(pixelSize) && pixelSize > 0
          ? plainDataProblem(result)
          : `pixel size ${pixelSize} is not a positive finite number`;
      },
    },
  ];
}
