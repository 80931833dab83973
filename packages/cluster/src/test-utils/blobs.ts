import { createRng } from '@cellshape/core';
import type { DenseMatrix } from '../dense-matrix.js';

/** A seeded Gaussian mixture: `perCluster` points around each of `k` centres in `dim` dimensions. */
export function gaussianBlobs(options: {
  k: number;
  perCluster: number;
  dim: number;
  spread: number;
  std: number;
  seed: number;
}): { points: DenseMatrix<Float32Array>; labels: Int32Array; centres: Float64Array } {
  const { k, perCluster, dim, spread, std, seed } = options;
  const rng = createRng(seed);
  const centres = new Float64Array(k * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal(0, spread);
  const n = k * perCluster;
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c * dim + d]! + rng.normal(0, std);
  }
  return { points: { data, shape: [n, dim] }, labels, centres };
}
