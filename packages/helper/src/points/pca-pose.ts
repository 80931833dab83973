import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { PointCloud } from '../types.js';
import { checkPointCloud } from './check-cloud.js';

/** The result of {@link pcaPose}. */
export interface PcaPose {
  /** The cloud in its canonical pose: `rotation · (p − centroid)` per point. */
  cloud: PointCloud;
  /** A proper rotation (det = +1), row-major 3 × 3; its rows are the principal axes. */
  rotation: Float64Array;
  /** The centroid subtracted before rotating, `[x, y, z]`. */
  centroid: [number, number, number];
  /** Variances along the new x, y, z (decreasing). */
  variances: [number, number, number];
}

/**
 * Symmetric 3 × 3 eigen-decomposition with eigenvalues in decreasing order; returns the
 * eigenvalues and the eigenvectors as rows.
 */
export function principalAxes(covariance: number[][]): { values: number[]; axes: number[][] } {
  const eig = new EigenvalueDecomposition(new Matrix(covariance), { assumeSymmetric: true });
  const vectors = eig.eigenvectorMatrix;
  const order = [0, 1, 2].sort(
    (a, b) => (eig.realEigenvalues[b] as number) - (eig.realEigenvalues[a] as number),
  );
  return {
    values: order.map((i) => Math.max(0, eig.realEigenvalues[i] as number)),
    axes: order.map((i) => vectors.getColumn(i)),
  };
}

/**
 * Puts a cloud in a canonical pose: centres it and rotates its principal axes onto x, y, z in
 * decreasing variance. Sign rule (deterministic, and invariant to any rotation of the input):
 * the first two axes point so that the third moment (skewness) of the coordinates along them
 * is positive — on a tie (a symmetric cloud) the point with the largest |coordinate| along the
 * axis gets a positive coordinate — and the third axis is their cross product, so the result
 * is a proper rotation (no reflection). Normals are rotated too.
 */
export function pcaPose(cloud: PointCloud): PcaPose {
  const n = checkPointCloud('pcaPose', 'cloud', cloud, 1);
  const d = cloud.data;
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < d.length; i += 3) for (let k = 0; k < 3; k++) c[k]! += d[i + k] as number;
  for (let k = 0; k < 3; k++) c[k]! /= n;
  const cov = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < d.length; i += 3) {
    const p = [0, 1, 2].map((k) => (d[i + k] as number) - (c[k] as number));
    for (let a = 0; a < 3; a++)
      for (let b = a; b < 3; b++) cov[a]![b]! += (p[a] as number) * (p[b] as number);
  }
  for (let a = 0; a < 3; a++)
    for (let b = a; b < 3; b++) {
      const v = ((cov[a] as number[])[b] as number) / n;
      (cov[a] as number[])[b] = v;
      (cov[b] as number[])[a] = v;
    }
  const { values, axes } = principalAxes(cov);
  const project = (axis: number[], i: number) =>
    ((d[i] as number) - c[0]) * (axis[0] as number) +
    ((d[i + 1] as number) - c[1]) * (axis[1] as number) +
    ((d[i + 2] as number) - c[2]) * (axis[2] as number);
  const scale = Math.sqrt(Math.max(values[0] as number, Number.MIN_VALUE));
  for (const axis of axes.slice(0, 2)) {
    let skew = 0;
    let extreme = 0;
    for (let i = 0; i < d.length; i += 3) {
      const t = project(axis, i);
      skew += t * t * t;
      if (Math.abs(t) > Math.abs(extreme) + 1e-9 * scale) extreme = t;
    }
    // A skewness within float noise of zero is a tie: fall back to the extreme point.
    const tie = Math.abs(skew / n) <= 1e-6 * scale ** 3;
    if ((tie ? extreme : skew) < 0) for (let k = 0; k < 3; k++) axis[k] = -(axis[k] as number);
  }
  const [e1, e2] = axes as [number[], number[]];
  const e3 = [
    (e1[1] as number) * (e2[2] as number) - (e1[2] as number) * (e2[1] as number),
    (e1[2] as number) * (e2[0] as number) - (e1[0] as number) * (e2[2] as number),
    (e1[0] as number) * (e2[1] as number) - (e1[1] as number) * (e2[0] as number),
  ];
  const rotation = Float64Array.from([...e1, ...e2, ...e3]);
  const rotate = (source: Float32Array, subtract: readonly number[]): Float32Array => {
    const out = new Float32Array(source.length);
    for (let i = 0; i < source.length; i += 3) {
      const x = (source[i] as number) - (subtract[0] as number);
      const y = (source[i + 1] as number) - (subtract[1] as number);
      const z = (source[i + 2] as number) - (subtract[2] as number);
      for (let r = 0; r < 3; r++)
        out[i + r] =
          (rotation[3 * r] as number) * x +
          (rotation[3 * r + 1] as number) * y +
          (rotation[3 * r + 2] as number) * z;
    }
    return out;
  };
  const posed: PointCloud = { data: rotate(d, c), shape: [n, 3] };
  if (cloud.normals) posed.normals = rotate(cloud.normals, [0, 0, 0]);
  return {
    cloud: posed,
    rotation,
    centroid: c,
    variances: values as [number, number, number],
  };
}
