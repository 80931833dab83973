import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@cellshape/core';
import { decode } from 'tiff';
import { describe, expect, it } from 'vitest';
import type { Mesh, Volume } from '../types.js';
import { marchingCubes } from './marching-cubes.js';
import { meshArea, meshVolume } from './mesh-measures.js';

// Volumes built exactly as in the scikit-image reference script: reference numbers below come
// from /usr/bin/python3 with scikit-image 0.19.3,
//   v, f, _, _ = skimage.measure.marching_cubes(vol, method='lewiner', **kwargs)
//   area = skimage.measure.mesh_surface_area(v, f)
//   faceChecksum = sum(f.ravel()[k] * (k % 7 + 1)); xSum = v[:, 2].sum(); zSum = v[:, 0].sum()
// Identical checksums mean identical triangles (same vertex numbering and winding).

function volumeFrom(
  shape: [number, number, number],
  value: (z: number, y: number, x: number) => number,
  Type: Float32ArrayConstructor | Uint8ArrayConstructor = Float32Array,
): Volume {
  const data = new Type(shape[0] * shape[1] * shape[2]);
  let i = 0;
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) data[i++] = value(z, y, x);
  return { data, shape };
}

/** Integer pseudo-noise (0..100): exercises the ambiguous cases of Marching Cubes 33. */
const noise = (shape: [number, number, number]): Volume =>
  volumeFrom(
    shape,
    (z, y, x) => (x * 73 + y * 179 + z * 283 + x * y * 7 + y * z * 13 + x * z * 11) % 101,
  );

function inBall(z: number, y: number, x: number, c: number[], r: number[]): boolean {
  const dz = (z - c[0]!) / r[0]!;
  const dy = (y - c[1]!) / r[1]!;
  const dx = (x - c[2]!) / r[2]!;
  return dz * dz + dy * dy + dx * dx <= 1;
}

/** r − distance to the circle of radius R around the z axis through the centre. */
function torus(shape: [number, number, number], R: number, r: number): Volume {
  const [cz, cy, cx] = shape.map((s) => (s - 1) / 2) as [number, number, number];
  return volumeFrom(shape, (z, y, x) => {
    const rho = Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
    return r - Math.sqrt((rho - R) * (rho - R) + (z - cz) * (z - cz));
  });
}

/** The sphere of the reference `bench.py`: side ⌈2r⌉ + 3, padded by one voxel of the minimum. */
function sphere(r: number, kind: 'smooth' | 'binary'): Volume {
  const side = Math.ceil(2 * r) + 3;
  const c = (side - 1) / 2;
  const inner = volumeFrom([side, side, side], (z, y, x) => {
    const d = Math.sqrt((z - c) * (z - c) + (y - c) * (y - c) + (x - c) * (x - c));
    return kind === 'smooth' ? r - d : d <= r ? 1 : 0;
  });
  const fill = kind === 'smooth' ? Math.min(...inner.data) : 0;
  const n = side + 2;
  return volumeFrom([n, n, n], (z, y, x) =>
    z === 0 || y === 0 || x === 0 || z === n - 1 || y === n - 1 || x === n - 1
      ? fill
      : inner.data[((z - 1) * side + y - 1) * side + x - 1]!,
  );
}

function checksums(mesh: Mesh): { faceChecksum: number; xSum: number; zSum: number } {
  let faceChecksum = 0;
  mesh.faces.forEach((v, k) => {
    faceChecksum += v * ((k % 7) + 1);
  });
  let xSum = 0;
  let zSum = 0;
  for (let i = 0; i < mesh.positions.length; i += 3) {
    xSum += mesh.positions[i]!;
    zSum += mesh.positions[i + 2]!;
  }
  return { faceChecksum, xSum, zSum };
}

function expectSkimage(
  mesh: Mesh,
  ref: {
    vertices: number;
    faces: number;
    area: number;
    faceChecksum: number;
    xSum: number;
    zSum: number;
  },
): void {
  expect(mesh.positions.length / 3).toBe(ref.vertices);
  expect(mesh.faces.length / 3).toBe(ref.faces);
  expect(meshArea(mesh)).toBeCloseTo(ref.area, 2);
  const sums = checksums(mesh);
  expect(sums.faceChecksum).toBe(ref.faceChecksum);
  expect(sums.xSum).toBeCloseTo(ref.xSum, 1);
  expect(sums.zSum).toBeCloseTo(ref.zSum, 1);
}

/** Every undirected edge is used by exactly two faces, once in each direction. */
function isClosedAndConsistent(mesh: Mesh): boolean {
  const directed = new Map<string, number>();
  const { faces } = mesh;
  for (let f = 0; f < faces.length; f += 3)
    for (let k = 0; k < 3; k++) {
      const key = `${faces[f + k]},${faces[f + ((k + 1) % 3)]}`;
      directed.set(key, (directed.get(key) ?? 0) + 1);
    }
  for (const [key, count] of directed) {
    const [a, b] = key.split(',');
    if (count !== 1 || directed.get(`${b},${a}`) !== 1) return false;
  }
  return true;
}

describe('marchingCubes agrees with scikit-image (Lewiner)', () => {
  it('matches triangle for triangle on integer noise (ambiguous cases)', () => {
    const mesh = marchingCubes(noise([12, 13, 14]), { level: 50 });
    expectSkimage(mesh, {
      vertices: 3223,
      faces: 6227,
      area: 1941.65271,
      faceChecksum: 119504373,
      xSum: 21196.85,
      zSum: 17601.994,
    });
  });

  it('uses the midway level by default, as scikit-image', () => {
    const mesh = marchingCubes(noise([12, 13, 14]));
    expect(checksums(mesh).faceChecksum).toBe(119504373);
  });

  it('honours stepSize', () => {
    const mesh = marchingCubes(noise([12, 13, 14]), { level: 50, stepSize: 2 });
    expectSkimage(mesh, {
      vertices: 377,
      faces: 628,
      area: 809.324829,
      faceChecksum: 1393703,
      xSum: 2237.598,
      zSum: 1881.216,
    });
  });

  it('scales by the spacing given in z, y, x order', () => {
    const mesh = marchingCubes(noise([12, 13, 14]), { level: 50, spacing: [2, 1, 0.5] });
    expectSkimage(mesh, {
      vertices: 3223,
      faces: 6227,
      area: 2464.191733,
      faceChecksum: 119504373,
      xSum: 10598.425,
      zSum: 35203.988,
    });
  });

  it('takes the spacing from the volume when no option is given', () => {
    const volume = { ...noise([12, 13, 14]), spacing: [2, 1, 0.5] as [number, number, number] };
    expect(meshArea(marchingCubes(volume, { level: 50 }))).toBeCloseTo(2464.191733, 2);
  });

  it('matches on a torus, with area within 1% of 4π²Rr', () => {
    const mesh = marchingCubes(torus([20, 32, 32], 10, 4), { level: 0 });
    expectSkimage(mesh, {
      vertices: 2288,
      faces: 4576,
      area: 1573.36499,
      faceChecksum: 62850233,
      xSum: 35464,
      zSum: 21736,
    });
    expect(Math.abs(meshArea(mesh) / (4 * Math.PI ** 2 * 10 * 4) - 1)).toBeLessThan(0.01);
  });

  it('matches on two touching binary blobs (uint8)', () => {
    const shape: [number, number, number] = [24, 24, 36];
    const blobs = volumeFrom(
      shape,
      (z, y, x) =>
        inBall(z, y, x, [11.5, 11.5, 11], [8, 8, 8]) || inBall(z, y, x, [11.5, 11.5, 25], [7, 7, 7])
          ? 1
          : 0,
      Uint8Array,
    );
    expectSkimage(marchingCubes(blobs), {
      vertices: 2040,
      faces: 4076,
      area: 1458.507812,
      faceChecksum: 49860165,
      xSum: 34772,
      zSum: 23460,
    });
  });

  it('matches on an anisotropic 0/255 ellipsoid with spacing 2.18, 1, 1', () => {
    const ellipsoid = volumeFrom(
      [20, 40, 40],
      (z, y, x) => (inBall(z, y, x, [9.5, 19.5, 19.5], [7, 15, 12]) ? 255 : 0),
      Uint8Array,
    );
    expectSkimage(marchingCubes(ellipsoid, { spacing: [2.18, 1, 1] }), {
      vertices: 2320,
      faces: 4636,
      area: 2770.052987,
      faceChecksum: 64565292,
      xSum: 45240,
      zSum: 48047.2,
    });
  });

  it('gives a smooth r = 20 sphere an area within 0.5% of 4πr² (bench.py --sphere smooth)', () => {
    const mesh = marchingCubes(sphere(20, 'smooth'), { level: 0 });
    expect(mesh.positions.length / 3).toBe(7470);
    expect(mesh.faces.length / 3).toBe(14936);
    expect(meshArea(mesh)).toBeCloseTo(5022.609, 2);
    expect(Math.abs(meshArea(mesh) / (4 * Math.PI * 400) - 1)).toBeLessThan(0.005);
  });

  it('gives a binary r = 20 sphere the staircase area of scikit-image (bench.py --sphere binary)', () => {
    const mesh = marchingCubes(sphere(20, 'binary'));
    expect(mesh.positions.length / 3).toBe(7542);
    expect(mesh.faces.length / 3).toBe(15080);
    expect(meshArea(mesh)).toBeCloseTo(5452.946, 2);
  });
});

describe('marchingCubes output', () => {
  // A radius off the grid, so that no voxel lies exactly on the surface (no zero-area faces).
  const r = 12.3;
  const mesh = marchingCubes(sphere(r, 'smooth'), { level: 0 });

  it('is closed and consistently oriented', () => {
    expect(isClosedAndConsistent(mesh)).toBe(true);
  });

  it('is oriented outward: positive volume near 4/3 πr³, normals away from the centre', () => {
    expect(Math.abs(meshVolume(mesh) / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.01);
    const c = (Math.ceil(2 * r) + 3 - 1) / 2 + 1; // the centre, padding included
    const p = mesh.positions;
    let outward = 0;
    for (let f = 0; f < mesh.faces.length; f += 3) {
      const [a, b, d] = [0, 1, 2].map((k) => 3 * mesh.faces[f + k]!) as [number, number, number];
      const u = [p[b]! - p[a]!, p[b + 1]! - p[a + 1]!, p[b + 2]! - p[a + 2]!];
      const v = [p[d]! - p[a]!, p[d + 1]! - p[a + 1]!, p[d + 2]! - p[a + 2]!];
      const n = [
        u[1]! * v[2]! - u[2]! * v[1]!,
        u[2]! * v[0]! - u[0]! * v[2]!,
        u[0]! * v[1]! - u[1]! * v[0]!,
      ];
      const dot = n[0]! * (p[a]! - c) + n[1]! * (p[a + 1]! - c) + n[2]! * (p[a + 2]! - c);
      if (dot > 0) outward++;
    }
    expect(outward).toBe(mesh.faces.length / 3);
  });

  it('puts x on the last image axis and z on the first', () => {
    // A slab of ones at slices z ≥ 3, rows all, columns x ≤ 1: a box spanning x ∈ [0, 1.5].
    const box = volumeFrom([6, 4, 5], (z, _y, x) => (z >= 3 && x <= 1 ? 1 : 0), Uint8Array);
    const { positions } = marchingCubes(box, { spacing: [2, 1, 1] });
    const xs = positions.filter((_, i) => i % 3 === 0);
    const zs = positions.filter((_, i) => i % 3 === 2);
    expect(Math.max(...xs)).toBeCloseTo(1.5);
    expect(Math.min(...zs)).toBeCloseTo(2.5 * 2);
  });

  it('reads integer volumes as their values (uint16 = float32)', () => {
    const f = noise([8, 9, 10]);
    const u = { data: Uint16Array.from(f.data), shape: f.shape };
    expect(marchingCubes(u, { level: 50 })).toEqual(marchingCubes(f, { level: 50 }));
  });

  it('does not modify its input', () => {
    const volume = noise([6, 7, 8]);
    const copy = volume.data.slice();
    marchingCubes(volume, { level: 50, spacing: [2, 2, 2] });
    expect(volume.data).toEqual(copy);
  });

  it('is deterministic', () => {
    const volume = noise([6, 7, 8]);
    expect(marchingCubes(volume)).toEqual(marchingCubes(volume));
  });
});

describe('marchingCubes on the QCANet 16-cell nuclei mask', () => {
  const path = fileURLToPath(
    new URL('../../../../../shared/data/masks3d/qcanet_16cell_nuclei_binary.tif', import.meta.url),
  );
  const have = existsSync(path);
  if (!have) console.warn(`SKIPPED: QCANet marching-cubes test needs ${path} (../shared/data)`);

  it.skipIf(!have)('matches scikit-image (bench.py --tiff ... --spacing 2.18,1,1)', () => {
    const pages = decode(readFileSync(path));
    const [nz, ny, nx] = [pages.length, pages[0]!.height, pages[0]!.width];
    expect([nz, ny, nx]).toEqual([51, 120, 122]);
    // Padded by one zero voxel on every side, as bench.py --pad 1.
    const padded = volumeFrom(
      [nz + 2, ny + 2, nx + 2],
      (z, y, x) =>
        z < 1 || y < 1 || x < 1 || z > nz || y > ny || x > nx
          ? 0
          : pages[z - 1]!.data[(y - 1) * nx + x - 1]!,
      Uint8Array,
    );
    const mesh = marchingCubes(padded, { spacing: [2.18, 1, 1] });
    expectSkimage(mesh, {
      vertices: 17764,
      faces: 35464,
      area: 21914.303575,
      faceChecksum: 3780496220,
      xSum: 1072238,
      zSum: 903945.72,
    });
  });
});

describe('marchingCubes rejects invalid input', () => {
  const ok = noise([4, 4, 4]);
  const cases: [string, () => unknown, RegExp][] = [
    ['a non-object volume', () => marchingCubes(null as never), /'volume' must be an object/],
    [
      'non-typed-array data',
      () => marchingCubes({ data: [1, 2] as never, shape: [1, 1, 2] }),
      /'volume.data' must be a numeric typed array/,
    ],
    [
      'a 2-D shape',
      () => marchingCubes({ data: new Uint8Array(4), shape: [2, 2] as never }),
      /'volume.shape' must be three non-negative integers/,
    ],
    [
      'a length mismatch',
      () => marchingCubes({ data: new Uint8Array(7), shape: [2, 2, 2] }),
      /of length 8 to match shape \[2, 2, 2\], got 7/,
    ],
    [
      'an axis shorter than 2',
      () => marchingCubes({ data: new Uint8Array(4), shape: [1, 2, 2] }),
      /at least 2 along every axis/,
    ],
    [
      'an empty volume',
      () => marchingCubes({ data: new Uint8Array(0), shape: [0, 3, 3] }),
      /at least 2 along every axis/,
    ],
    [
      'NaN values',
      () =>
        marchingCubes({ data: Float32Array.of(0, 1, 0, 1, Number.NaN, 1, 0, 1), shape: [2, 2, 2] }),
      /free of NaN and infinite values/,
    ],
    [
      'a level above the data',
      () => marchingCubes(ok, { level: 1000 }),
      /'options.level' must be within the volume data range \[\d+, \d+\], got 1000/,
    ],
    [
      'a NaN level',
      () => marchingCubes(ok, { level: Number.NaN }),
      /'options.level' must be within the volume data range/,
    ],
    [
      'a constant volume',
      () => marchingCubes({ data: new Uint8Array(27).fill(3), shape: [3, 3, 3] }),
      /no surface found at level 3 \(the volume is constant \(3\)\)/,
    ],
    [
      'a level at the maximum',
      () =>
        marchingCubes(
          { data: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 5), shape: [2, 2, 2] },
          { level: 5 },
        ),
      /no surface found at level 5 \(the volume has no voxel above 5\)/,
    ],
    [
      'a bad spacing',
      () => marchingCubes(ok, { spacing: [1, 0, 1] }),
      /'options.spacing' must be three positive finite numbers/,
    ],
    [
      'a bad volume spacing',
      () => marchingCubes({ ...ok, spacing: [1, 1] as never }),
      /'volume.spacing' must be three positive finite numbers/,
    ],
    [
      'null options',
      () => marchingCubes(ok, null as never),
      /'options' must be an object, got null/,
    ],
    ['a fractional step', () => marchingCubes(ok, { stepSize: 1.5 }), /'options.stepSize' must be/],
    ['a step as large as an axis', () => marchingCubes(ok, { stepSize: 4 }), /smaller than every/],
  ];
  it.each(cases)('rejects %s', (_name, call, message) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
    expect(call).toThrow(/^marchingCubes: /);
  });
});
