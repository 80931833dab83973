import { formatCsv, parseCsv } from '@cellshape/core';
import {
  encodeMesh,
  encodePointCloud,
  type Mesh,
  type MeshFormat,
  type PointCloud,
  type PointCloudFormat,
  parseMesh,
  parsePointCloud,
  readMesh,
  readPointCloud,
} from '@cellshape/helper';
import { plainDataProblem } from '../checks.js';
import type { Mutator } from '../mutate.js';
import { checkCloud, checkMesh } from './result-checks.js';
import { csvText, meshText, npyText, plyText } from './shared-mutators.js';
import type { FuzzTarget } from './target.js';

const MESH: Mesh = {
  positions: Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]),
  faces: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3, 1, 4, 2]),
} as Mesh;

const CLOUD: PointCloud = {
  data: Float32Array.from({ length: 15 }, (_, i) => ((i * 37) % 11) / 3 - 1),
  shape: [5, 3],
  normals: Float32Array.from({ length: 15 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
} as PointCloud;

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

/** Meshes, point clouds and metadata tables: `parseMesh`, `readMesh`, `parsePointCloud`, `readPointCloud`, `parseCsv`. */
export function geometryTargets(): FuzzTarget[] {
  return [
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
  ];
}
