import { type AnyTypedArray, type NdArray, shapeSize } from '@cellshape/core';
import type { Mesh, PointCloud, Volume } from '@cellshape/helper';
import { plainDataProblem, typedArrayLengthProblem } from '../checks.js';

/** The promises of the readers' results (finite floats, consistent shapes), each a problem or undefined. */

function finiteProblem(name: string, data: unknown): string | undefined {
  if (!(data instanceof Float32Array)) return `${name} is not a Float32Array`;
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      return `${name}[${i}] is ${data[i]} (the reader promises finite values)`;
  return undefined;
}

export function checkMesh(result: unknown): string | undefined {
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

export function checkCloud(result: unknown): string | undefined {
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

export function checkNdArray(result: unknown): string | undefined {
  const array = result as NdArray<AnyTypedArray>;
  if (!Array.isArray(array.shape) || array.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    return `shape ${String(array.shape)} is not a list of sizes`;
  return (
    typedArrayLengthProblem('data', array.data, shapeSize(array.shape)) ?? plainDataProblem(result)
  );
}

export function checkVolume(result: unknown): string | undefined {
  const volume = result as Volume;
  if (volume.shape.length !== 3 || volume.shape.some((d) => !Number.isSafeInteger(d) || d <= 0))
    return `shape [${volume.shape.join(', ')}] is not [z, y, x] of positive sizes`;
  return checkNdArray(result);
}
