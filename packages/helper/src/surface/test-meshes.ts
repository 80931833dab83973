import type { Mesh } from '../types.js';

/**
 * Small meshes for the tests of this folder (not exported by the package): the unit cube
 * [0, 1]³ as 12 counter-clockwise-outward triangles, optionally scaled and shifted.
 */
export function unitCube(scale = 1, shift: [number, number, number] = [0, 0, 0]): Mesh {
  const corners = [
    [0, 0, 0],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [1, 1, 1],
    [0, 1, 1],
  ];
  const positions = Float32Array.from(
    corners.flatMap((c) => c.map((v, k) => v * scale + shift[k]!)),
  );
  // Each side as two triangles, counter-clockwise seen from outside.
  const faces = Uint32Array.of(
    ...[0, 3, 2, 0, 2, 1], // z = 0, normal −z
    ...[4, 5, 6, 4, 6, 7], // z = 1, normal +z
    ...[0, 1, 5, 0, 5, 4], // y = 0, normal −y
    ...[3, 7, 6, 3, 6, 2], // y = 1, normal +y
    ...[0, 4, 7, 0, 7, 3], // x = 0, normal −x
    ...[1, 2, 6, 1, 6, 5], // x = 1, normal +x
  );
  return { positions, faces };
}

/** Distance from point (x, y, z) to the triangle (a, b, c) of `mesh` (Ericson, RTCD 5.1.5). */
export function pointTriangleDistance(
  mesh: Mesh,
  face: number,
  point: readonly [number, number, number],
): number {
  const p = mesh.positions;
  const corner = (k: number): number[] => {
    const i = 3 * mesh.faces[3 * face + k]!;
    return [p[i]!, p[i + 1]!, p[i + 2]!];
  };
  const sub = (u: readonly number[], w: readonly number[]): number[] => u.map((x, k) => x - w[k]!);
  const dot = (u: readonly number[], w: readonly number[]): number =>
    u[0]! * w[0]! + u[1]! * w[1]! + u[2]! * w[2]!;
  const [a, b, c] = [corner(0), corner(1), corner(2)];
  const ab = sub(b, a);
  const ac = sub(c, a);
  const ap = sub(point, a);
  const closest = ((): readonly number[] => {
    const d1 = dot(ab, ap);
    const d2 = dot(ac, ap);
    if (d1 <= 0 && d2 <= 0) return a;
    const bp = sub(point, b);
    const d3 = dot(ab, bp);
    const d4 = dot(ac, bp);
    if (d3 >= 0 && d4 <= d3) return b;
    const vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) return a.map((x, k) => x + (d1 / (d1 - d3)) * ab[k]!);
    const cp = sub(point, c);
    const d5 = dot(ab, cp);
    const d6 = dot(ac, cp);
    if (d6 >= 0 && d5 <= d6) return c;
    const vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) return a.map((x, k) => x + (d2 / (d2 - d6)) * ac[k]!);
    const va = d3 * d6 - d5 * d4;
    if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
      return b.map((x, k) => x + w * (c[k]! - x));
    }
    const denom = 1 / (va + vb + vc);
    return a.map((x, k) => x + ab[k]! * vb * denom + ac[k]! * vc * denom);
  })();
  return Math.hypot(...sub(point, closest));
}
