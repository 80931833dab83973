import { createRng, epochOrder } from '@cellshape/core';
import type { Dataset, DatasetBatch, DatasetBatchOptions } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A tiny in-memory voxel dataset for tests: `count` solid balls (kind 'sphere') of radius r and
 * axis-aligned solid cubes (kind 'cube') of half-side r, r seeded in [0.24, 0.3]·n, centres
 * within n/16 of the middle of an n³ grid, alternating, metadata
 * `{ kind }`; batches `[B, n, n, n, 1]`.
 */
export function shapesDataset(count: number, n: number, seed = 0): Dataset & { kinds: string[] } {
  const rng = createRng(seed);
  const volumes: Float32Array[] = [];
  const kinds: string[] = [];
  for (let s = 0; s < count; s++) {
    const kind = s % 2 === 0 ? 'sphere' : 'cube';
    const r = rng.uniform(0.24 * n, 0.3 * n);
    const c = [0, 1, 2].map(() => n / 2 + rng.uniform(-n / 16, n / 16));
    const v = new Float32Array(n ** 3);
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const d = [z, y, x].map((p, i) => p + 0.5 - (c[i] as number));
          const inside =
            kind === 'sphere'
              ? d.reduce((a, b) => a + b * b, 0) <= r * r
              : d.every((e) => Math.abs(e) <= r);
          v[(z * n + y) * n + x] = inside ? 1 : 0;
        }
    volumes.push(v);
    kinds.push(kind);
  }
  const ids = kinds.map((k, i) => `${k}-${i}`);
  return {
    length: count,
    ids,
    kinds,
    metadata: kinds.map((kind) => ({ kind })),
    *batches(o: DatasetBatchOptions): Iterable<DatasetBatch> {
      const order = epochOrder(count, o);
      for (let start = 0; start < count; start += o.batchSize) {
        const indices = Array.from(order.subarray(start, Math.min(start + o.batchSize, count)));
        if (o.dropLast && indices.length < o.batchSize) return;
        const data = new Float32Array(indices.length * n ** 3);
        indices.forEach((i, j) => {
          data.set(volumes[i] as Float32Array, j * n ** 3);
        });
        yield {
          ids: indices.map((i) => ids[i] as string),
          indices,
          input: tf.tensor(data, [indices.length, n, n, n, 1]),
        };
      }
    },
  };
}

/** Leave-one-out 1-nearest-neighbour accuracy of feature rows against their labels. */
export function nearestNeighbourAccuracy(
  features: Float32Array,
  numFeatures: number,
  labels: readonly string[],
): number {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let f = 0; f < numFeatures; f++) {
        const diff =
          (features[i * numFeatures + f] as number) - (features[j * numFeatures + f] as number);
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (labels[best] === labels[i]) correct++;
  }
  return correct / n;
}
