/**
 * Quick timings of the kernels on the `cpu` and `wasm` backends, each beside its naive tfjs
 * formulation where that fits in memory. Median of `--runs` calls after one warm-up.
 *
 *   node --conditions=@cellshape/source --import tsx packages/engine/bench/time-kernels.ts [--B 4] [--runs 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { type BackendName, selectBackend } from '../src/backend/index.js';
import {
  chamferDistance,
  edgeConvBlock,
  knnIndices,
  pairwiseScores,
} from '../src/kernels/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const B = arg('--B', 4);
const RUNS = arg('--runs', 3);
const [N, M, K] = [2048, 2025, 20];

function time(label: string, f: () => void): void {
  f();
  const ms: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${tf.getBackend().padEnd(5)} B=${B} ${label.padEnd(34)} ${(ms[RUNS >> 1] ?? 0).toFixed(0).padStart(7)} ms`,
  );
}

function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): void {
  const { value, grads } = tf.valueAndGrads(f as (...t: tf.Tensor[]) => tf.Scalar)(xs);
  value.dataSync();
  for (const g of grads) g.dataSync();
  tf.dispose([value, ...grads]);
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  await selectBackend(backend);
  for (const c of [3, 64]) {
    const x = tf.randomNormal([B, N, c], 0, 1, 'float32', 1);
    time(`knnIndices C=${c}`, () => knnIndices(x, K).dispose());
    time(`naive topk C=${c}`, () => {
      const s = pairwiseScores(x);
      const r = tf.topk(s, K);
      r.indices.dataSync();
      tf.dispose([s, r.values, r.indices]);
    });
    x.dispose();
  }
  const a = tf.randomNormal([B, N, 3], 0, 1, 'float32', 2);
  const b = tf.randomNormal([B, M, 3], 0, 1, 'float32', 3);
  time('chamfer sum value+grads', () =>
    withGrads((p, q) => chamferDistance(p as tf.Tensor, q as tf.Tensor), [a, b]),
  );
  time('chamfer naive value+grads', () =>
    withGrads(
      (p, q) => {
        const d = tf.sum(
          tf.square(
            tf.sub(
              tf.reshape(p as tf.Tensor, [B, N, 1, 3]),
              tf.reshape(q as tf.Tensor, [B, 1, M, 3]),
            ),
          ),
          3,
        );
        return tf.add(tf.sum(tf.min(d, 2)), tf.sum(tf.min(d, 1)));
      },
      [a, b],
    ),
  );
  tf.dispose([a, b]);
  for (const [c, co] of [
    [64, 64],
    [128, 256],
  ] as const) {
    const x = tf.randomNormal([B, N, c], 0, 1, 'float32', 4);
    const w = tf.randomNormal([2 * c, co], 0, 0.1, 'float32', 5);
    const g = tf.ones([co]);
    const be = tf.zeros([co]);
    const idx = knnIndices(x, K);
    time(`edgeConv ${c}->${co} eval fwd`, () => {
      const r = edgeConvBlock(x, w, g, be, {
        knn: idx,
        training: false,
        runningMean: be,
        runningVar: g,
      });
      r.output.dispose();
    });
    time(`edgeConv ${c}->${co} train fwd+bwd`, () =>
      withGrads(
        (xx, ww, gg, bb) =>
          tf.sum(
            edgeConvBlock(xx as tf.Tensor, ww as tf.Tensor, gg as tf.Tensor, bb as tf.Tensor, {
              knn: idx,
            }).output,
          ),
        [x, w, g, be],
      ),
    );
    tf.dispose([x, w, g, be, idx]);
  }
}
