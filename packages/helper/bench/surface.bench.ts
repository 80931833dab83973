/**
 * Marching cubes + surface sampling, the mask-to-point-cloud hot path, beside scikit-image's
 * Lewiner marching cubes + numpy sampling (bench.py `marching_cubes` and `surface_sample` rows;
 * the runner sums the two reference rows of a case).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchCase, BenchSkip } from '../../../scripts/bench-types.js';
import { marchingCubes, samplePoints } from '../src/surface/index.js';
import type { Mesh, Volume } from '../src/types.js';
import { readVolume } from '../src/volume/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.CELLSHAPE_SHARED ?? resolve(root, '../shared');
const qcanet = resolve(shared, 'data/masks3d/qcanet_16cell_nuclei_binary.tif');

interface State {
  volume: Volume;
  level?: number;
  spacing: [number, number, number];
}

interface Result {
  mesh: Mesh;
  points: number;
}

/** `volume` padded by one voxel of `fill` on every side, as bench.py's `--pad 1`. */
function pad(volume: Volume, fill: number): Volume {
  const [nz, ny, nx] = volume.shape;
  const shape: [number, number, number] = [nz + 2, ny + 2, nx + 2];
  const data = new Float32Array(shape[0] * shape[1] * shape[2]).fill(fill);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const from = (z * ny + y) * nx;
      data.set(volume.data.subarray(from, from + nx), ((z + 1) * shape[1] + y + 1) * shape[2] + 1);
    }
  return { data: volume.data instanceof Uint8Array ? Uint8Array.from(data) : data, shape };
}

/** bench.py's smooth sphere: float32 r − distance on a (⌈2r⌉ + 3)³ grid, padded with the minimum. */
function smoothSphere(r: number): Volume {
  const side = Math.ceil(2 * r) + 3;
  const c = (side - 1) / 2;
  const data = new Float32Array(side ** 3);
  let min = Number.POSITIVE_INFINITY;
  for (let z = 0, i = 0; z < side; z++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++, i++) {
        data[i] = r - Math.sqrt((z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2);
        min = Math.min(min, data[i]!);
      }
  return pad({ data, shape: [side, side, side] }, min);
}

function run(state: State): Result {
  const mesh = marchingCubes(state.volume, { level: state.level, spacing: state.spacing });
  const cloud = samplePoints(mesh, 2048, { seed: 0 });
  return { mesh, points: cloud.shape[0] };
}

function facts(_state: State, result: unknown): Record<string, number | string> {
  const { mesh, points } = result as Result;
  return { vertices: mesh.positions.length / 3, faces: mesh.faces.length / 3, points };
}

const cases: BenchCase<State>[] = [
  {
    bench: 'marching_cubes_sample_qcanet16',
    description:
      'marchingCubes (QCANet 16-cell nuclei, 53×122×124 padded, spacing 2.18,1,1) + samplePoints(2048); reference = skimage marching_cubes + numpy sampling (sum of the two rows)',
    setup() {
      if (!existsSync(qcanet)) throw new BenchSkip(`needs ${qcanet} (../shared/data)`);
      return { volume: pad(readVolume(qcanet), 0), spacing: [2.18, 1, 1] };
    },
    run,
    facts,
    reference: [
      { only: 'marching_cubes', args: ['--tiff', qcanet, '--spacing', '2.18,1,1'] },
      { only: 'surface_sample', args: ['--tiff', qcanet, '--spacing', '2.18,1,1'] },
    ],
  },
  {
    bench: 'marching_cubes_sample_sphere_r40',
    description:
      'marchingCubes (smooth r=40 sphere, 87³ float32, level 0) + samplePoints(2048); reference = skimage marching_cubes + numpy sampling (sum of the two rows)',
    setup() {
      return { volume: smoothSphere(40), level: 0, spacing: [1, 1, 1] };
    },
    run,
    facts,
    reference: [
      { only: 'marching_cubes', args: ['--sphere', 'smooth', '--radius', '40'] },
      { only: 'surface_sample', args: ['--sphere', 'smooth', '--radius', '40'] },
    ],
  },
];

export default cases;
