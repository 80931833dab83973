import { InvalidArgumentError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
// The naive formulations are differentiated with tfjs-core's own gradients (the oracle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, randomNormal, TEST_BACKENDS, useBackend } from '../test/index.js';
import { edgeConvBlock } from './edge-conv.js';
import { knnIndices } from './knn.js';

interface NaiveOptions {
  training: boolean;
  runningMean?: tf.Tensor;
  runningVar?: tf.Tensor;
}

/** Edge features [x_j − x_i; x_i] of every edge, `[B·N·k, 2C]` (gather by one-hot matMul). */
function naiveEdges(x: tf.Tensor, idx: tf.Tensor): tf.Tensor2D {
  const [b, n, c] = x.shape as [number, number, number];
  const k = idx.shape[2] as number;
  const oneHot = tf.cast(tf.oneHot(tf.reshape(idx, [b, n * k]), n), 'float32');
  const xj = tf.reshape(tf.matMul(oneHot as tf.Tensor3D, x as tf.Tensor3D), [b, n, k, c]);
  const xi = tf.mul(tf.ones([1, 1, k, 1]), tf.expandDims(x, 2));
  return tf.reshape(tf.concat([tf.sub(xj, xi), xi], 3), [b * n * k, 2 * c]);
}

/** The naive formulation: gather, concat, matMul, BN over (B, N, k), LeakyReLU(0.2), max over k. */
function naiveEdgeConv(
  x: tf.Tensor,
  w: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  idx: tf.Tensor,
  opts: NaiveOptions,
): tf.Tensor {
  const [b, n] = x.shape as [number, number];
  const k = idx.shape[2] as number;
  const e = tf.matMul(naiveEdges(x, idx), w as tf.Tensor2D);
  const { mean, variance } = opts.training
    ? tf.moments(e, 0)
    : { mean: opts.runningMean as tf.Tensor, variance: opts.runningVar as tf.Tensor };
  const y = tf.add(tf.mul(tf.div(tf.sub(e, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
  return tf.max(tf.reshape(tf.leakyRelu(y, 0.2), [b, n, k, -1]), 2);
}

const [B, N, C, CO, K] = [2, 24, 5, 6, 5];

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

describe.each(TEST_BACKENDS)('edgeConvBlock on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([true, false])(
    'matches the naive formulation in value and all gradients (training %s)',
    (training) => {
      const x = randomNormal([B, N, C], 21);
      const w = randomNormal([2 * C, CO], 22, 0.5);
      // Mixed-sign gamma: the negative channels take the gather-min path.
      const gamma = tf.tensor1d([1.2, -0.7, 0.4, -1.5, 0.9, 0.05]);
      const beta = randomNormal([CO], 23, 0.3);
      const runningMean = randomNormal([CO], 24, 0.2);
      const runningVar = tf.add(tf.abs(randomNormal([CO], 25)), 0.5);
      const weights = randomNormal([B, N, CO], 26);
      const idx = knnIndices(x, K);
      const opts = { training, runningMean, runningVar };
      const loss = (f: () => tf.Tensor) => tf.sum(tf.mul(f(), weights)) as tf.Scalar;
      const ours = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        loss(() => edgeConvBlock(a, b, c, d, { ...opts, knn: idx }).output),
      )([x, w, gamma, beta]);
      const naive = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        loss(() => naiveEdgeConv(a, b, c, d, idx, opts)),
      )([x, w, gamma, beta]);
      const outOurs = edgeConvBlock(x, w, gamma, beta, { ...opts, k: K });
      const outNaive = naiveEdgeConv(x, w, gamma, beta, idx, opts);
      expect(outOurs.output.shape).toEqual([B, N, CO]);
      expectClose(outOurs.output.dataSync(), outNaive.dataSync(), 1e-4, 1e-5);
      expectClose(ours.value.dataSync(), naive.value.dataSync(), 1e-4, 1e-4);
      ['x', 'weight', 'gamma', 'beta'].forEach((name, i) => {
        const got = ours.grads[i]?.dataSync() ?? new Float32Array();
        const want = naive.grads[i]?.dataSync() ?? new Float32Array(1);
        expect(ours.grads[i]?.shape, name).toEqual(naive.grads[i]?.shape);
        expectClose(got, want, 1e-3, 1e-4 * maxAbs(want));
      });
      tf.dispose([
        x,
        w,
        gamma,
        beta,
        runningMean,
        runningVar,
        weights,
        idx,
        outNaive,
        ours.value,
        naive.value,
      ]);
      tf.dispose([...ours.grads, ...naive.grads, ...Object.values(outOurs)]);
    },
  );

  it.each([true, false])('handles an odd number of output channels (training %s)', (training) => {
    const co = 7;
    const x = randomNormal([B, N, C], 41);
    const w = randomNormal([2 * C, co], 42, 0.5);
    const gamma = tf.tensor1d([0.8, -1.1, 0.3, 1.4, -0.2, 0.6, -0.9]);
    const beta = randomNormal([co], 43, 0.3);
    const runningMean = randomNormal([co], 44, 0.2);
    const runningVar = tf.add(tf.abs(randomNormal([co], 45)), 0.5);
    const idx = knnIndices(x, K);
    const opts = { training, runningMean, runningVar };
    const ours = edgeConvBlock(x, w, gamma, beta, { ...opts, knn: idx });
    const naive = naiveEdgeConv(x, w, gamma, beta, idx, opts);
    expectClose(ours.output.dataSync(), naive.dataSync(), 1e-4, 1e-5);
    tf.dispose([x, w, gamma, beta, runningMean, runningVar, idx, naive, ...Object.values(ours)]);
  });

  it('returns the batch statistics and PyTorch running-statistics updates', () => {
    const x = randomNormal([B, N, C], 31);
    const w = randomNormal([2 * C, CO], 32);
    const gamma = tf.ones([CO]);
    const beta = tf.zeros([CO]);
    const runningMean = tf.fill([CO], 0.5);
    const runningVar = tf.fill([CO], 2);
    const idx = knnIndices(x, K);
    const r = edgeConvBlock(x, w, gamma, beta, {
      knn: idx,
      runningMean,
      runningVar,
      momentum: 0.25,
    });
    const e = tf.matMul(naiveEdges(x, idx), w as tf.Tensor2D);
    const { mean, variance } = tf.moments(e, 0);
    const edges = B * N * K;
    const unbiased = tf.mul(variance, edges / (edges - 1));
    expectClose(r.batchMean?.dataSync() ?? [], mean.dataSync(), 1e-4, 1e-5);
    expectClose(r.batchVar?.dataSync() ?? [], unbiased.dataSync(), 1e-4, 1e-5);
    expectClose(
      r.runningMean?.dataSync() ?? [],
      tf.add(0.375, tf.mul(mean, 0.25)).dataSync(),
      1e-4,
      1e-5,
    );
    expectClose(
      r.runningVar?.dataSync() ?? [],
      tf.add(1.5, tf.mul(unbiased, 0.25)).dataSync(),
      1e-4,
      1e-5,
    );
    const evalOnly = edgeConvBlock(x, w, gamma, beta, {
      knn: idx,
      training: false,
      runningMean,
      runningVar,
    });
    expect(Object.keys(evalOnly)).toEqual(['output']);
    tf.dispose([x, w, gamma, beta, runningMean, runningVar, idx, e, mean, variance, unbiased]);
    tf.dispose([...Object.values(r), evalOnly.output]);
  });

  it('does not leak tensors through forward and backward', () => {
    const x = randomNormal([B, N, C], 41);
    const w = randomNormal([2 * C, CO], 42);
    const gamma = tf.ones([CO]);
    const beta = tf.zeros([CO]);
    const before = tf.memory().numTensors;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(edgeConvBlock(a, b, gamma, beta, { k: K }).output),
    )([x, w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, w, gamma, beta, ...grads]);
  });
});

describe('edgeConvBlock invalid input', () => {
  beforeAll(() => useBackend('cpu'));

  it('keeps the default of an option given as undefined', () => {
    const x = randomNormal([B, N, C], 51);
    const w = randomNormal([2 * C, CO], 52);
    const g = tf.ones([CO]);
    const z = tf.zeros([CO]);
    const unset = edgeConvBlock(x, w, g, z, {
      k: undefined,
      training: undefined,
      momentum: undefined,
      eps: undefined,
      negativeSlope: undefined,
    });
    const byDefault = edgeConvBlock(x, w, g, z);
    expect(unset.output.dataSync()).toEqual(byDefault.output.dataSync());
    tf.dispose([x, w, g, z, ...Object.values(unset), ...Object.values(byDefault)]);
  });

  it('rejects bad shapes, options and values', () => {
    const x = tf.zeros([B, N, C]);
    const w = tf.zeros([2 * C, CO]);
    const g = tf.ones([CO]);
    const z = tf.zeros([CO]);
    const call =
      (opts: object, xx = x, ww = w, gg = g) =>
      () =>
        edgeConvBlock(xx, ww, gg, z, opts);
    expect(call({}, tf.zeros([N, C]))).toThrow(/edgeConvBlock: 'x' must be 3-D/);
    expect(call({}, x, tf.zeros([C, CO]))).toThrow(/'weight' must be of shape \[10, Cout > 0\]/);
    expect(call({}, x, w, tf.ones([CO + 1]))).toThrow(/'gamma' must be of shape \[6\]/);
    expect(call({ k: 0 })).toThrow(/'options.k'/);
    expect(call({ k: N + 1 })).toThrow(InvalidArgumentError);
    expect(call({ training: false })).toThrow(/'options.runningMean' must be given in eval mode/);
    expect(call({ runningMean: z })).toThrow(/'options.runningVar'/);
    expect(call({ runningMean: z, runningVar: tf.ones([2]) })).toThrow(
      /'options.runningVar' must be of shape/,
    );
    expect(call({ momentum: 2 })).toThrow(/'options.momentum'/);
    expect(call({ eps: 0 })).toThrow(/'options.eps'/);
    expect(call({ negativeSlope: Number.NaN })).toThrow(/'options.negativeSlope'/);
    expect(call({ knn: tf.zeros([B, N, 3]) })).toThrow(/dtype int32/);
    expect(call({ knn: tf.zeros([B, N - 1, 3], 'int32') })).toThrow(
      /'options.knn' must be of shape/,
    );
    expect(call({ knn: tf.fill([B, N, 3], N, 'int32') })).toThrow(/indices in \[0, 24\)/);
    expect(call({ k: 3 }, tf.fill([B, N, C], Number.NaN))).toThrow(/finite/);
    // With the neighbours given, the output's finiteness check (in the SIMD kernel) catches a
    // NaN in x, and a product that overflows float32.
    const knn = tf.zeros([B, N, 3], 'int32');
    expect(call({ knn }, tf.fill([B, N, C], Number.NaN))).toThrow(/'x' must be finite/);
    expect(call({ knn }, tf.fill([B, N, C], 3e38), tf.fill([2 * C, CO], 3e38))).toThrow(
      /'x' must be values whose products with weight stay finite in float32/,
    );
    expect(call({ k: 3 }, x, w, tf.fill([CO], Number.NaN))).toThrow(/'gamma' must be finite/);
    tf.dispose([x, w, g, z, knn]);
  });
});
