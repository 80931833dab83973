import { encodeNpy, FormatError } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { encodePointCloud, parsePointCloud } from '../points/point-cloud-io.js';
import { FLOAT32_LIMIT } from './mesh-build.js';
import { encodeMesh, parseMesh } from './mesh-io.js';
import { encodePly } from './ply.js';

// Finite doubles beyond the float32 range (±3.4028235e38) must not be stored as ±Infinity.
const text = (s: string) => new TextEncoder().encode(s);
const TRIANGLE = {
  positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
  faces: new Uint32Array([0, 1, 2]),
};

/** Replaces the first occurrence of `from` in a text file written by our writers. */
function edit(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const s = new TextDecoder().decode(bytes);
  expect(s).toContain(from);
  return text(s.replace(from, to));
}

/** A double-precision PLY vertex element with x = values[0], … (one point per 3 values). */
function doublePly(values: number[], faces: boolean): Uint8Array {
  const n = values.length / 3;
  return encodePly(
    [
      {
        name: 'vertex',
        count: n,
        columns: ['x', 'y', 'z'].map((name, k) => ({
          name,
          type: 'double' as const,
          values: values.filter((_, i) => i % 3 === k),
        })),
      },
      ...(faces
        ? [
            {
              name: 'face',
              count: 1,
              triangles: { name: 'vertex_indices', faces: new Uint32Array([0, 1, 2]) },
            },
          ]
        : []),
    ],
    false,
  );
}

describe('coordinates that overflow float32', () => {
  it('are refused in OFF and OBJ meshes, naming the vertex and the value', () => {
    const off = edit(encodeMesh(TRIANGLE, 'off'), '\n1 0 0', '\n1e39 0 0');
    expect(() => parseMesh(off, 'off')).toThrow(FormatError);
    expect(() => parseMesh(off, 'off')).toThrow(
      "parseMesh: 'bytes' has the coordinate 1e+39 at vertex 1, outside the float32 range",
    );
    const obj = edit(encodeMesh(TRIANGLE, 'obj'), 'v 0 1 0', 'v 0 -1e39 0');
    expect(() => parseMesh(obj, 'obj')).toThrow(
      "parseMesh: 'bytes' has the coordinate -1e+39 at vertex 2, outside the float32 range",
    );
  });

  it('are refused in PLY meshes (double properties)', () => {
    const ply = doublePly([0, 0, 0, 1, 0, 0, 0, 1, 1e39], true);
    expect(() => parseMesh(ply, 'ply')).toThrow(FormatError);
    expect(() => parseMesh(ply, 'ply')).toThrow(
      /coordinate 1e\+39 at vertex 2, outside the float32 range/,
    );
  });

  it('are refused in PLY, CSV and .npy point clouds', () => {
    const ply = doublePly([1, 2, 3, 4, 5, 1e39], false);
    expect(() => parsePointCloud(ply, 'ply')).toThrow(FormatError);
    expect(() => parsePointCloud(ply, 'ply')).toThrow(
      "parsePointCloud: 'bytes' is not a PLY point cloud: the value 1e+39 at point 1 is outside the float32 range",
    );
    const cloud = { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] as [number, 3] };
    const csv = edit(encodePointCloud(cloud, { format: 'csv' }), '\n4,', '\n-1e39,');
    expect(() => parsePointCloud(csv, 'csv')).toThrow(
      `parsePointCloud: 'bytes' is not a CSV point cloud: row 2 has the value "-1e39" (not a finite float32 number)`,
    );
    const npy = encodeNpy({ data: new Float64Array([1, 2, 3, 4, 1e39, 6]), shape: [2, 3] });
    expect(() => parsePointCloud(npy, 'npy')).toThrow(FormatError);
    expect(() => parsePointCloud(npy, 'npy')).toThrow(
      'the value 1e+39 at point 1 is outside the float32 range',
    );
  });

  it('still read the float32 extremes and round to float32 as before', () => {
    const max = 3.4028234663852886e38;
    const ply = doublePly([max, -max, 0.1, 0, 0, 0, 0, 0, 0], true);
    expect(Array.from(parseMesh(ply, 'ply').positions.subarray(0, 3))).toEqual([
      max,
      -max,
      Math.fround(0.1),
    ]);
    const npy = encodeNpy({ data: new Float64Array([max, -max, 0.1]), shape: [1, 3] });
    expect(Array.from(parsePointCloud(npy, 'npy').data)).toEqual([max, -max, Math.fround(0.1)]);
    const csv = text(`x,y,z\n${max},${-max},0.1\n`);
    expect(Array.from(parsePointCloud(csv, 'csv').data)).toEqual([max, -max, Math.fround(0.1)]);
    const inf = doublePly([Number.POSITIVE_INFINITY, 0, 0], false);
    expect(() => parsePointCloud(inf, 'ply')).toThrow('the non-finite value Infinity at point 0');
  });

  it('draw the line exactly where rounding to float32 overflows', () => {
    const below = FLOAT32_LIMIT - 2 ** 75; // the next double down
    expect(Math.fround(FLOAT32_LIMIT)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(Math.fround(below))).toBe(true);
    const ok = encodeNpy({ data: new Float64Array([below, -below, 0]), shape: [1, 3] });
    expect(Array.from(parsePointCloud(ok, 'npy').data)).toEqual([
      Math.fround(below),
      -Math.fround(below),
      0,
    ]);
    const over = encodeNpy({ data: new Float64Array([0, -FLOAT32_LIMIT, 0]), shape: [1, 3] });
    expect(() => parsePointCloud(over, 'npy')).toThrow(/outside the float32 range/);
    const nan = encodeNpy({ data: new Float64Array([0, Number.NaN, 0]), shape: [1, 3] });
    expect(() => parsePointCloud(nan, 'npy')).toThrow('the non-finite value NaN at point 0');
  });
});
