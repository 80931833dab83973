import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AnyTypedArray,
  encodeNpy,
  encodeNpz,
  formatCsv,
  type NdArray,
  parseCsv,
  parseNpy,
  parseNpz,
  shapeSize,
} from '@cellshape/core';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  readStateDictFile,
  readTorchCheckpoint,
  selectBackend,
  writeTorchCheckpoint,
} from '@cellshape/engine';
import {
  encodeMesh,
  encodePointCloud,
  encodeTiff,
  type Mesh,
  type MeshFormat,
  type PointCloud,
  type PointCloudFormat,
  parseMesh,
  parsePointCloud,
  readMesh,
  readPointCloud,
  readVolume,
  type Volume,
} from '@cellshape/helper';
import { plainDataProblem, typedArrayLengthProblem } from './checks.js';
import { mutatePickle } from './formats/pickle.js';
import {
  CSV_WORDS,
  JSON_WORDS,
  MESH_WORDS,
  NPY_WORDS,
  npyHeader,
  PLY_WORDS,
  plyHeader,
  textMutators,
} from './formats/text.js';
import { buildTiff, TIFF_MUTATORS, type TiffSeedOptions } from './formats/tiff.js';
import { memberMutator, ZIP_MUTATORS } from './formats/zip.js';
import { GENERIC_MUTATORS, type Mutator } from './mutate.js';

/**
 * The registry of fuzz targets: every public reader of outside bytes, with its seeds (small
 * valid files made by our own writers, or committed fixtures), its format-aware mutators and
 * the result checks of its promises. A target's `run` is what a user calls on a file.
 */
export interface FuzzTarget {
  readonly name: string;
  /** The functions whose names may prefix an error message (the public entry point first). */
  readonly fns: readonly string[];
  /** Deterministic seeds (each a valid input). */
  seeds(): Promise<Uint8Array[]>;
  /** Format-aware mutators (the generic ones are added unless `ownMutatorsOnly`). */
  readonly mutators: readonly Mutator[];
  readonly ownMutatorsOnly?: boolean;
  /** Reads the bytes as a user would. */
  run(bytes: Uint8Array): Promise<unknown>;
  /** A broken promise of the result (non-finite floats, inconsistent shapes), or undefined. */
  check(result: unknown): string | undefined;
  /** Frees what the result holds (tensors). */
  dispose?(result: unknown): void;
}

const fixture = (url: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(url)));

// --- seeds ------------------------------------------------------------------------------------

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

const MESH: Mesh = {
  positions: Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]),
  faces: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3, 1, 4, 2]),
} as Mesh;

const CLOUD: PointCloud = {
  data: Float32Array.from({ length: 15 }, (_, i) => ((i * 37) % 11) / 3 - 1),
  shape: [5, 3],
  normals: Float32Array.from({ length: 15 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
} as PointCloud;

function checkpointSeeds(): Uint8Array[] {
  const stateDict = new Map([
    ['w', { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }],
    ['bn.num_batches_tracked', { data: BigInt64Array.from([3n]), shape: [] }],
  ]);
  const base = {
    config: { k: 8, name: 'x' },
    stateDict,
    epoch: 2,
    step: 20,
    loss: 0.25,
    bestLoss: 0.2,
    seed: 42,
  };
  return [
    encodeCheckpoint({
      ...base,
      optimizer: { state: new Map([[0, { m: Float32Array.from([0.5]), t: 1n }]]), lr: 1e-3 },
      extra: { targets: Float64Array.from([0.5]), list: [1, 'a', null], big: 2n ** 70n },
    } as never),
    encodeCheckpoint({ ...base, bestLoss: Number.POSITIVE_INFINITY } as never),
  ];
}

const TORCH_FIXTURES = ['checkpoint.pt', 'protocol4.pt', 'tensors.pt'].map(
  (name) => new URL(`../../engine/src/torch/fixtures/${name}`, import.meta.url).href,
);

function torchSeeds(): Uint8Array[] {
  const written = writeTorchCheckpoint({
    model_state_dict: new Map([
      ['conv.weight', { data: Float32Array.from([1, -2, 3, 0.5, 6, 7]), shape: [2, 3] }],
      ['bn.num_batches_tracked', { data: BigInt64Array.from([3n]), shape: [] }],
    ]),
    epoch: 3,
    loss: 0.5,
    names: ['a', 'b'],
  } as never);
  return [...TORCH_FIXTURES.map(fixture), written];
}

// --- mutators ---------------------------------------------------------------------------------

const isPickle = (names: string[]): string[] => names.filter((n) => n.endsWith('.pkl'));
const isNpy = (names: string[]): string[] => names.filter((n) => n.endsWith('.npy'));
const isStorage = (names: string[]): string[] => names.filter((n) => /\/data\/[^/]+$/.test(n));
const genericOn = (m: Uint8Array, rng: import('@cellshape/core').Rng): Uint8Array =>
  GENERIC_MUTATORS[rng.int(GENERIC_MUTATORS.length)]!.mutate(m, rng);
const npyText = textMutators('npy-header', NPY_WORDS, npyHeader);
const npyMember = memberMutator('npz-member-npy', isNpy, (m, rng) =>
  rng.next() < 0.6 ? npyText[rng.int(npyText.length)]!.mutate(m, rng) : genericOn(m, rng),
);
const jsonText = textMutators('json', JSON_WORDS);
const torchMutators: Mutator[] = [
  ...ZIP_MUTATORS,
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-pickle', isPickle, (m, rng) => mutatePickle(m, rng)),
  memberMutator('pt-member-storage', isStorage, genericOn),
];

// --- checks -----------------------------------------------------------------------------------

function finiteProblem(name: string, data: unknown): string | undefined {
  if (!(data instanceof Float32Array)) return `${name} is not a Float32Array`;
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      return `${name}[${i}] is ${data[i]} (the reader promises finite values)`;
  return undefined;
}

function checkMesh(result: unknown): string | undefined {
  const mesh = result as Mesh;
  const problem = finiteProblem('positions', mesh.positions);
  if (problem) return problem;
  if (mesh.positions.length % 3 !== 0)
    return `positions.length ${mesh.positions.length} is not a multiple of 3`;
  if (!(mesh.faces instanceof Uint32Array) || mesh.faces.length % 3 !== 0)
    return 'faces is not a Uint32Array of triangles';
  const n = mesh.positions.length / 3;
  for (const f of mesh.faces) if (f >= n) return `face index ${f} ≥ ${n} vertices`;
  return plainDataProblem(result);
}

function checkCloud(result: unknown): string | undefined {
  const cloud = result as PointCloud;
  const problem =
    finiteProblem('data', cloud.data) ??
    (cloud.normals ? finiteProblem('normals', cloud.normals) : undefined);
  if (problem) return problem;
  const [n, three] = cloud.shape;
  if (three !== 3 || cloud.data.length !== n! * 3)
    return `shape [${cloud.shape.join(', ')}] does not fit data.length ${cloud.data.length}`;
  if (cloud.normals && cloud.normals.length !== cloud.data.length)
    return 'normals and data differ in length';
  return plainDataProblem(result);
}

function checkNdArray(result: unknown): string | undefined {
  const array = result as NdArray<AnyTypedArray>;
  if (!Array.isArray(array.shape) || array.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    return `shape ${String(array.shape)} is not a list of sizes`;
  return (
    typedArrayLengthProblem('data', array.data, shapeSize(array.shape)) ?? plainDataProblem(result)
  );
}

function checkVolume(result: unknown): string | undefined {
  const volume = result as Volume;
  if (volume.shape.length !== 3 || volume.shape.some((d) => !Number.isSafeInteger(d) || d <= 0))
    return `shape [${volume.shape.join(', ')}] is not [z, y, x] of positive sizes`;
  return checkNdArray(result);
}

// --- targets ----------------------------------------------------------------------------------

function meshTarget(format: MeshFormat, seeds: () => Uint8Array[], extra: Mutator[]): FuzzTarget {
  return {
    name: format === 'ply' ? 'ply-mesh' : format,
    fns: ['parseMesh'],
    seeds: async () => seeds(),
    mutators: extra,
    run: async (bytes) => parseMesh(bytes, format),
    check: checkMesh,
  };
}

function cloudTarget(format: PointCloudFormat, extra: Mutator[]): FuzzTarget {
  return {
    name: `${format}-points`,
    fns: ['parsePointCloud'],
    seeds: async () =>
      format === 'ply'
        ? [encodePointCloud(CLOUD, { format }), encodePointCloud(CLOUD, { format, ascii: true })]
        : format === 'csv'
          ? [
              encodePointCloud(CLOUD, { format }),
              encodePointCloud({ data: CLOUD.data, shape: CLOUD.shape } as PointCloud, {
                format,
                axisOrder: 'zyx',
              }),
            ]
          : [encodePointCloud(CLOUD, { format })],
    mutators: extra,
    run: async (bytes) => parsePointCloud(bytes, format),
    check: checkCloud,
  };
}

const plyText = textMutators('ply-header', PLY_WORDS, plyHeader);
const meshText = textMutators('mesh-text', MESH_WORDS);
const csvText = textMutators('csv', CSV_WORDS);

let cpuBackend: Promise<unknown> | undefined;

const MESH_SEEDS = (): Uint8Array[] => [
  encodeMesh(MESH, 'ply'),
  encodeMesh(MESH, 'ply', { ascii: true }),
  encodeMesh(MESH, 'off'),
  encodeMesh(MESH, 'obj'),
  encodeMesh(MESH, 'stl'),
];
const CLOUD_SEEDS = (): Uint8Array[] => [
  encodePointCloud(CLOUD, { format: 'ply' }),
  encodePointCloud(CLOUD, { format: 'csv' }),
  encodePointCloud(CLOUD, { format: 'npy' }),
];

export const TARGETS: readonly FuzzTarget[] = [
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
  meshTarget(
    'ply',
    () => [encodeMesh(MESH, 'ply'), encodeMesh(MESH, 'ply', { ascii: true })],
    plyText,
  ),
  meshTarget('off', () => [encodeMesh(MESH, 'off')], meshText),
  meshTarget('obj', () => [encodeMesh(MESH, 'obj')], meshText),
  meshTarget('stl', () => [encodeMesh(MESH, 'stl')], meshText),
  cloudTarget('ply', plyText),
  cloudTarget('csv', csvText),
  cloudTarget('npy', npyText),
  {
    name: 'volume-sniff',
    fns: ['readVolume'],
    seeds: async () => [...tiffSeeds(), ...npySeeds()],
    mutators: [...TIFF_MUTATORS, ...npyText],
    run: async (bytes) => readVolume(bytes),
    check: checkVolume,
  },
  {
    name: 'mesh-sniff',
    fns: ['readMesh'],
    seeds: async () => MESH_SEEDS(),
    mutators: [...plyText, ...meshText],
    run: async (bytes) => readMesh(bytes),
    check: checkMesh,
  },
  {
    name: 'points-sniff',
    fns: ['readPointCloud'],
    seeds: async () => CLOUD_SEEDS(),
    mutators: [...plyText, ...csvText, ...npyText],
    run: async (bytes) => readPointCloud(bytes),
    check: checkCloud,
  },
  {
    name: 'metadata-csv',
    fns: ['parseCsv'],
    seeds: async () => [
      new TextEncoder().encode(
        formatCsv(
          ['id', 'plate', 'note'],
          [
            ['c1', '1', 'a, "quoted" note'],
            ['c2', '2', 'line\nbreak'],
            ['c3', '', ''],
          ],
        ),
      ),
    ],
    mutators: csvText,
    run: async (bytes) => parseCsv(new TextDecoder().decode(bytes)),
    check: plainDataProblem,
  },
  {
    name: 'checkpoint',
    fns: ['decodeCheckpoint'],
    seeds: async () => checkpointSeeds(),
    mutators: [
      ...ZIP_MUTATORS,
      memberMutator(
        'checkpoint-member-json',
        (n) => n.filter((x) => x.endsWith('.json')),
        (m, rng) => jsonText[rng.int(jsonText.length)]!.mutate(m, rng),
      ),
      memberMutator(
        'checkpoint-member-json',
        (n) => n.filter((x) => x.endsWith('.json')),
        (m, rng) => jsonText[rng.int(jsonText.length)]!.mutate(m, rng),
      ),
      npyMember,
    ],
    run: async (bytes) => decodeCheckpoint(bytes),
    check: plainDataProblem,
  },
  {
    name: 'torch',
    fns: ['readTorchCheckpoint'],
    seeds: async () => torchSeeds(),
    mutators: torchMutators,
    run: async (bytes) => readTorchCheckpoint(bytes),
    check: plainDataProblem,
  },
  {
    name: 'state-dict',
    fns: ['readStateDictFile'],
    seeds: async () => [
      ...torchSeeds(),
      encodeNpz({ 'fc.weight': { data: Float32Array.from([1, 2]), shape: [1, 2] } }),
    ],
    mutators: [...torchMutators, npyMember],
    run: async (bytes) => readStateDictFile(bytes),
    check: plainDataProblem,
  },
  {
    name: 'cloud',
    fns: ['readCloudCheckpoint'],
    seeds: async () => {
      const { cloudSeeds } = await import('./cloud-seeds.js');
      return cloudSeeds();
    },
    mutators: torchMutators,
    run: async (bytes) => {
      const { readCloudCheckpoint } = await import('@cellshape/cloud');
      cpuBackend ??= selectBackend('cpu');
      await cpuBackend;
      return readCloudCheckpoint(bytes, { k: 4 });
    },
    check: (result) => {
      const { model, ...rest } = result as { model: unknown };
      void model;
      return plainDataProblem(rest);
    },
    dispose: (result) => (result as { model: { dispose(): void } }).model.dispose(),
  },
];

/**
 * Targets that misbehave on purpose, to test the harness itself (the watchdog, the memory
 * budget, the CRC oracle); never part of a fuzz run unless named.
 */
export const SELF_TEST_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'self-test-hang',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => {
      for (;;);
    },
    check: () => undefined,
  },
  {
    name: 'self-test-allocate',
    fns: [],
    seeds: async () => [new Uint8Array(4)],
    mutators: [],
    run: async () => new Float64Array(2 ** 27).fill(1).length, // 1 GiB, touched
    check: () => undefined,
  },
  {
    name: 'self-test-accept-zip',
    fns: [],
    seeds: async () => [encodeNpz({ a: { data: Float32Array.from([1, 2, 3]), shape: [3] } })],
    mutators: ZIP_MUTATORS.filter((m) => m.mustReject),
    ownMutatorsOnly: true,
    run: async (bytes) => bytes.length,
    check: () => undefined,
  },
];

export function targetNamed(name: string): FuzzTarget {
  const target = [...TARGETS, ...SELF_TEST_TARGETS].find((t) => t.name === name);
  if (!target)
    throw new Error(
      `no fuzz target ${JSON.stringify(name)} (known: ${TARGETS.map((t) => t.name).join(', ')})`,
    );
  return target;
}
