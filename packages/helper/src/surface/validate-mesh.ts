import { invalidArgument } from '@cellshape/core';
import type { Mesh } from '../types.js';

/**
 * Checks that `mesh` is a well-formed {@link Mesh}: `positions` a Float32Array of finite x, y, z
 * triples, `faces` a Uint32Array of vertex-index triples within range. Other modules call it
 * on their inputs so that a bad mesh fails early with a message naming the caller.
 *
 * @param fn The public function doing the check, used in the message (e.g. `'samplePoints'`).
 * @param arg The argument's name in that function (e.g. `'mesh'`).
 * @throws InvalidArgumentError naming `fn` and `arg` when the mesh is malformed.
 */
export function validateMesh(fn: string, arg: string, mesh: unknown): asserts mesh is Mesh {
  if (typeof mesh !== 'object' || mesh === null)
    throw invalidArgument(fn, arg, 'a mesh { positions: Float32Array, faces: Uint32Array }', mesh);
  const { positions, faces } = mesh as Partial<Mesh>;
  if (!(positions instanceof Float32Array) || positions.length % 3 !== 0)
    throw invalidArgument(fn, `${arg}.positions`, 'a Float32Array of x, y, z triples', positions);
  if (!(faces instanceof Uint32Array) || faces.length % 3 !== 0)
    throw invalidArgument(fn, `${arg}.faces`, 'a Uint32Array of vertex-index triples', faces);
  // p - p is NaN exactly for NaN and ±Infinity, so the sum stays 0 only for finite coordinates.
  let check = 0;
  for (let i = 0; i < positions.length; i++) check += positions[i]! - positions[i]!;
  if (check !== 0) {
    const bad = positions.findIndex((p) => !Number.isFinite(p));
    throw invalidArgument(
      fn,
      `${arg}.positions`,
      `finite, got ${positions[bad]} at vertex ${Math.floor(bad / 3)}`,
    );
  }
  const vertexCount = positions.length / 3;
  let maxIndex = 0;
  for (let i = 0; i < faces.length; i++) if (faces[i]! > maxIndex) maxIndex = faces[i]!;
  if (faces.length > 0 && maxIndex >= vertexCount)
    throw invalidArgument(
      fn,
      `${arg}.faces`,
      `vertex indices below the vertex count ${vertexCount}, got index ${maxIndex}`,
    );
}
