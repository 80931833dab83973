/**
 * The DFN hot-path kernels alone at the training size (B = 16, N = 2048, k = 20), each beside
 * the naive tfjs formulation timed in the same run. `knn_B16` and `chamfer_B16` also run the
 * PyTorch reference's own `knn_indices` / `chamfer_sum` (+ backward) side by side, timed by
 * our `reference_kernels.py` (bench.py has no rows for them). Backend: `selectBackend()`
 * (CELLSHAPE_BACKEND to force).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { selectBackend } from '../src/backend/index.js';
import {
  chamferDistance,
  edgeConvBlock,
  knnIndices,
  pairwiseScores,
} from '../src/kernels/index.js';

const [B, N, M, K] = [16, 2048, 2025, 20];

interface Inputs {
  tensors: tf.Tensor[];
}

async function prepare(shapes: number[][]): Promise<Inputs> {
  await selectBackend();
  return { tensors: shapes.map((s) => tf.randomNormal(s, 0, 1, 'float32', 7)) };
}

function first(state: Inputs): tf.Tensor {
  return state.tensors[0] as tf.Tensor;
}

/** Naive kNN: the reference score tensor [B, N, N], then tf.topk. */
function naiveKnn(x: tf.Tensor): Int32Array {
  const scores = pairwiseScores(x);
  const { values, indices } = tf.topk(scores, K);
  const out = indices.dataSync() as Int32Array;
  tf.dispose([scores, values, indices]);
  return out;
}

/** Naive Chamfer 'sum' with autograd through the full [B, N, M] distance tensor. */
function naiveChamfer(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const [bs, n] = a.shape as [number, number];
  const m = b.shape[1] as number;
  const d = tf.sum(
    tf.square(tf.sub(tf.reshape(a, [bs, n, 1, 3]), tf.reshape(b, [bs, 1, m, 3]))),
    3,
  );
  return tf.add(tf.sum(tf.min(d, 2)), tf.sum(tf.min(d, 1)));
}

/** Naive EdgeConv: gather, concat, matMul, BN over (B, N, k), LeakyReLU, max over k. */
function naiveEdgeConv(
  x: tf.Tensor,
  w: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  idx: tf.Tensor,
): tf.Tensor {
  const [b, n, c] = x.shape as [number, number, number];
  const xj = tf.gather(x, idx, 1, 1);
  const xi = tf.mul(tf.ones([1, 1, K, 1]), tf.reshape(x, [b, n, 1, c]));
  const e = tf.matMul(
    tf.reshape(tf.concat([tf.sub(xj, xi), xi], 3), [b * n * K, 2 * c]),
    w as tf.Tensor2D,
  );
  const { mean, variance } = tf.moments(e, 0);
  const y = tf.add(tf.mul(tf.div(tf.sub(e, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
  return tf.max(tf.reshape(tf.leakyRelu(y, 0.2), [b, n, K, -1]), 2);
}

function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): number {
  const { value, grads } = tf.valueAndGrads(f as (...t: tf.Tensor[]) => tf.Scalar)(xs);
  const v = value.dataSync()[0] as number;
  for (const g of grads) g.dataSync();
  tf.dispose([value, ...grads]);
  return v;
}

function knnCases(c: number, name: string): BenchCase<Inputs>[] {
  return [
    {
      bench: `knn_${name}_B16`,
      description: `knnIndices on [16, 2048, ${c}], k = 20 (typed-array selection)`,
      setup: () => prepare([[B, N, c]]),
      run: (s) => knnIndices(first(s), K).dispose(),
      facts: () => ({ backend: tf.getBackend() }),
    },
    {
      bench: `knn_${name}_B16_naive`,
      description: `tf.topk of the reference score tensor [16, 2048, 2048] (C = ${c})`,
      setup: () => prepare([[B, N, c]]),
      run: (s) => naiveKnn(first(s)),
      facts: () => ({ backend: tf.getBackend() }),
    },
  ];
}

function edgeConvInputs(c: number, co: number): Promise<Inputs> {
  return prepare([[B, N, c], [2 * c, co], [co], [co]]).then((s) => {
    s.tensors.push(knnIndices(first(s), K));
    return s;
  });
}

const SCRIPT = 'packages/engine/bench/reference_kernels.py';

/** Σ of the fused EdgeConv output with the given neighbours (a scalar to differentiate). */
function edgeConvBlockSum(x: tf.Tensor, w: tf.Tensor, g: tf.Tensor, b: tf.Tensor, idx: tf.Tensor) {
  return tf.sum(edgeConvBlock(x, w, g, b, { knn: idx }).output);
}

/** Σ of the naive EdgeConv output with the given neighbours. */
function naiveEdgeConvSum(x: tf.Tensor, w: tf.Tensor, g: tf.Tensor, b: tf.Tensor, idx: tf.Tensor) {
  return tf.sum(naiveEdgeConv(x, w, g, b, idx));
}

/** Forward + backward of an EdgeConv sum w.r.t. x, W, γ, β (`tensors` from edgeConvInputs). */
function edgeConvGrads(
  sum: (x: tf.Tensor, w: tf.Tensor, g: tf.Tensor, b: tf.Tensor, idx: tf.Tensor) => tf.Tensor,
  tensors: tf.Tensor[],
) {
  const [x, w, g, b, idx] = tensors as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return gradsOf(
    (xx, ww, gg, bb) =>
      sum(xx as tf.Tensor, ww as tf.Tensor, gg as tf.Tensor, bb as tf.Tensor, idx),
    [x, w, g, b],
  );
}

const cases: BenchCase<Inputs>[] = [
  {
    bench: 'knn_B16',
    description: 'knnIndices on [16, 2048, 64] features, k = 20 (vs dfn.py knn_indices)',
    setup: () => prepare([[B, N, 64]]),
    run: (s) => knnIndices(first(s), K).dispose(),
    reference: { script: SCRIPT, only: 'knn', args: ['--B', '16', '--C', '64'] },
    facts: () => ({ backend: tf.getBackend() }),
  },
  {
    bench: 'chamfer_B16',
    description: 'chamferDistance sum + gradients, [16, 2048, 3] vs [16, 2025, 3] (vs chamfer_sum)',
    setup: () =>
      prepare([
        [B, N, 3],
        [B, M, 3],
      ]),
    run: (s) => gradsOf((a, b) => chamferDistance(a as tf.Tensor, b as tf.Tensor), s.tensors),
    reference: { script: SCRIPT, only: 'chamfer_sum', args: ['--B', '16'] },
    facts: () => ({ backend: tf.getBackend() }),
  },
  ...knnCases(3, 'xyz'),
  ...knnCases(64, 'f64'),
  {
    bench: 'chamfer_sum_B16',
    description: 'chamferDistance sum, value + gradients, [16, 2048, 3] vs [16, 2025, 3]',
    setup: () =>
      prepare([
        [B, N, 3],
        [B, M, 3],
      ]),
    run: (s) => gradsOf((a, b) => chamferDistance(a as tf.Tensor, b as tf.Tensor), s.tensors),
    facts: () => ({ backend: tf.getBackend() }),
  },
  {
    bench: 'chamfer_sum_B16_naive',
    description: 'naive tfjs Chamfer sum ([16, 2048, 2025] distances), value + autograd',
    setup: () =>
      prepare([
        [B, N, 3],
        [B, M, 3],
      ]),
    run: (s) => gradsOf((a, b) => naiveChamfer(a as tf.Tensor, b as tf.Tensor), s.tensors),
    facts: () => ({ backend: tf.getBackend() }),
  },
  {
    bench: 'edgeconv_64x64_B16',
    description:
      'edgeConvBlock train mode 64 → 64 channels, k = 20, forward + backward (kNN given)',
    setup: () => edgeConvInputs(64, 64),
    run: (s) => edgeConvGrads(edgeConvBlockSum, s.tensors),
    facts: () => ({ backend: tf.getBackend() }),
  },
  {
    bench: 'edgeconv_64x64_B16_naive',
    description:
      'naive tfjs EdgeConv 64 → 64 ([16, 2048, 20, 128] edge tensor), forward + autograd',
    setup: () => edgeConvInputs(64, 64),
    run: (s) => edgeConvGrads(naiveEdgeConvSum, s.tensors),
    runs: { min: 1, max: 3 },
    facts: () => ({ backend: tf.getBackend() }),
  },
  {
    bench: 'edgeconv_128x256_B16',
    description:
      'edgeConvBlock train mode 128 → 256 channels (DGCNN conv4), forward + backward (kNN given)',
    setup: () => edgeConvInputs(128, 256),
    run: (s) => edgeConvGrads(edgeConvBlockSum, s.tensors),
    facts: () => ({ backend: tf.getBackend() }),
  },
];

export default cases;
