import type { Mesh } from '../types.js';
import { validateMesh } from './validate-mesh.js';

/**
 * The area of every triangle of `mesh`, in squared physical units (degenerate faces give 0).
 *
 * @returns A Float64Array with one area per face, in face order.
 * @throws InvalidArgumentError when the mesh is malformed (see {@link validateMesh}).
 */
export function faceAreas(mesh: Mesh): Float64Array {
  validateMesh('faceAreas', 'mesh', mesh);
  return areasOf(mesh);
}

/**
 * The total surface area of `mesh`: the sum of its triangle areas, in squared physical units.
 *
 * @throws InvalidArgumentError when the mesh is malformed (see {@link validateMesh}).
 */
export function meshArea(mesh: Mesh): number {
  validateMesh('meshArea', 'mesh', mesh);
  return surfaceArea(mesh);
}

/**
 * {@link meshArea} of a mesh the caller has validated: the same sum, face by face, without an
 * array of areas or a check (the measures of every converted object call it).
 */
export function surfaceArea(mesh: Mesh): number {
  const { positions: p, faces } = mesh;
  let total = 0;
  for (let f = 0; f < faces.length; f += 3)
    total += faceArea(p, 3 * faces[f]!, 3 * faces[f + 1]!, 3 * faces[f + 2]!);
  return total;
}

/**
 * The area of the triangle at offsets a, b, c of `p`: half the length of {@link faceCross},
 * written out so that the per-face loops allocate nothing.
 */
function faceArea(p: Float32Array, a: number, b: number, c: number): number {
  const ax = p[a]!;
  const ay = p[a + 1]!;
  const az = p[a + 2]!;
  const ux = p[b]! - ax;
  const uy = p[b + 1]! - ay;
  const uz = p[b + 2]! - az;
  const vx = p[c]! - ax;
  const vy = p[c + 1]! - ay;
  const vz = p[c + 2]! - az;
  const nx = uy * vz - uz * vy;
  const ny = uz * vx - ux * vz;
  const nz = ux * vy - uy * vx;
  return 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
}

/**
 * The volume enclosed by `mesh`, in cubed physical units: the sum of the signed volumes of the
 * tetrahedra (origin, a, b, c) over its faces (divergence theorem). Only meaningful for a
 * closed (watertight) mesh; it is positive when faces are counter-clockwise seen from outside,
 * as {@link marchingCubes} makes them, and negative for the opposite orientation.
 *
 * @throws InvalidArgumentError when the mesh is malformed (see {@link validateMesh}).
 */
export function meshVolume(mesh: Mesh): number {
  validateMesh('meshVolume', 'mesh', mesh);
  return enclosedVolume(mesh);
}

/** {@link meshVolume} of a mesh the caller has validated (no check). */
export function enclosedVolume(mesh: Mesh): number {
  const { positions: p, faces } = mesh;
  // Relative to the first vertex rather than the origin: the same for a closed mesh, and
  // far less cancellation for meshes far from the origin.
  const ox = p[0] ?? 0;
  const oy = p[1] ?? 0;
  const oz = p[2] ?? 0;
  let sum = 0;
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f]!;
    const b = 3 * faces[f + 1]!;
    const c = 3 * faces[f + 2]!;
    const ax = p[a]! - ox;
    const ay = p[a + 1]! - oy;
    const az = p[a + 2]! - oz;
    const bx = p[b]! - ox;
    const by = p[b + 1]! - oy;
    const bz = p[b + 2]! - oz;
    const cx = p[c]! - ox;
    const cy = p[c + 1]! - oy;
    const cz = p[c + 2]! - oz;
    sum += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  }
  return sum / 6;
}

/**
 * Unit normals at the vertices of `mesh`: the area-weighted mean of the normals of the faces
 * around each vertex (pointing outward for counter-clockwise faces). A vertex with no face of
 * non-zero area gets the zero vector, never NaN.
 *
 * @returns A Float32Array of x, y, z per vertex, like `mesh.positions`.
 * @throws InvalidArgumentError when the mesh is malformed (see {@link validateMesh}).
 */
export function vertexNormals(mesh: Mesh): Float32Array {
  validateMesh('vertexNormals', 'mesh', mesh);
  const { positions: p, faces } = mesh;
  const sum = new Float64Array(p.length);
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f]!;
    const b = 3 * faces[f + 1]!;
    const c = 3 * faces[f + 2]!;
    // The cross product's length is twice the face area: summing it weights faces by area.
    const [nx, ny, nz] = faceCross(p, a, b, c);
    for (const v of [a, b, c]) {
      sum[v] = sum[v]! + nx;
      sum[v + 1] = sum[v + 1]! + ny;
      sum[v + 2] = sum[v + 2]! + nz;
    }
  }
  const normals = new Float32Array(p.length);
  for (let v = 0; v < p.length; v += 3) {
    const length = Math.hypot(sum[v]!, sum[v + 1]!, sum[v + 2]!);
    if (length > 0) {
      normals[v] = sum[v]! / length;
      normals[v + 1] = sum[v + 1]! / length;
      normals[v + 2] = sum[v + 2]! / length;
    }
  }
  return normals;
}

/** Face areas of an already validated mesh. */
function areasOf(mesh: Mesh): Float64Array {
  const { positions: p, faces } = mesh;
  const areas = new Float64Array(faces.length / 3);
  for (let f = 0; f < faces.length; f += 3) {
    areas[f / 3] = faceArea(p, 3 * faces[f]!, 3 * faces[f + 1]!, 3 * faces[f + 2]!);
  }
  return areas;
}

/** (b − a) × (c − a) for the vertices at offsets a, b, c of `p`. */
export function faceCross(
  p: Float32Array,
  a: number,
  b: number,
  c: number,
): [number, number, number] {
  const ax = p[a]!;
  const ay = p[a + 1]!;
  const az = p[a + 2]!;
  const ux = p[b]! - ax;
  const uy = p[b + 1]! - ay;
  const uz = p[b + 2]! - az;
  const vx = p[c]! - ax;
  const vy = p[c + 1]! - ay;
  const vz = p[c + 2]! - az;
  return [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
}
