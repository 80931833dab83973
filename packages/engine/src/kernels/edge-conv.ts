import { checkInteger, invalidArgument, withDefaults } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkTensor, gradientsRecorded, readNow } from './checks.js';
import { knnIndices } from './knn.js';
import { matMulParallel } from './mat-mul.js';
import {
  kernels,
  type Pending,
  runOnWorker,
  runRowsOnBothThreads,
  shared,
  sharedCopy,
} from './parallel.js';
import { simdKernels } from './wasm/simd-kernels.js';

/** Options of {@link edgeConvBlock}. */
export interface EdgeConvOptions {
  /** Neighbours per point, the point itself included (default 20); ignored when `knn` is given. */
  k?: number;
  /** Train mode: batch statistics over the B·N·k edges (default true, as a fresh torch module). */
  training?: boolean;
  /** float32 `[Cout]` running mean: used in eval mode (required there); updated copy returned in train mode. */
  runningMean?: tf.Tensor;
  /** float32 `[Cout]` running variance, as `runningMean`. */
  runningVar?: tf.Tensor;
  /** Running-statistics momentum as PyTorch: `new = (1 − momentum)·old + momentum·batch` (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** LeakyReLU slope for negative inputs (default 0.2). */
  negativeSlope?: number;
  /** Precomputed int32 `[B, N, k]` neighbour indices (e.g. from `knnIndices`); computed from `x` when absent. */
  knn?: tf.Tensor;
}

/** The options of {@link EdgeConvOptions} that have defaults. */
type DefaultedEdgeConvOptions = Required<
  Pick<EdgeConvOptions, 'k' | 'training' | 'momentum' | 'eps' | 'negativeSlope'>
>;

/** Defaults of {@link EdgeConvOptions} (`runningMean`, `runningVar`, `knn` have none). */
export const DEFAULT_EDGE_CONV_OPTIONS: Readonly<DefaultedEdgeConvOptions> = {
  k: 20,
  training: true,
  momentum: 0.1,
  eps: 1e-5,
  negativeSlope: 0.2,
};

/** Result of {@link edgeConvBlock}; the caller owns (disposes) every tensor. */
export interface EdgeConvResult {
  /** float32 `[B, N, Cout]`: max over the neighbours of LeakyReLU(BN(W·[x_j − x_i; x_i])). */
  output: tf.Tensor3D;
  /** Train mode: float32 `[Cout]` batch mean of the edge features. */
  batchMean?: tf.Tensor1D;
  /** Train mode: float32 `[Cout]` unbiased batch variance (what updates the running variance). */
  batchVar?: tf.Tensor1D;
  /** Train mode with running statistics given: the updated running mean. */
  runningMean?: tf.Tensor1D;
  /** Train mode with running statistics given: the updated running variance. */
  runningVar?: tf.Tensor1D;
}

/** Points per chunk of the row kernels shared out between the two threads. */
const POINTS_PER_CHUNK = 512;

/** Sizes of one call. */
interface Dims {
  b: number;
  n: number;
  c: number;
  co: number;
  k: number;
}

/** What the backward pass needs from the forward pass (typed arrays, no tensors kept). */
interface ForwardState {
  /** `[B·N, 2·Cout]`: a = x·W₁ (first Cout columns) and c = x·(W₂ − W₁). */
  ac: Float32Array;
  /** `[B·N, Cout]`: the neighbour (point index within the sample) that won the max. */
  arg: Int32Array;
  /** `[B·N, Cout]`: pre-normalisation feature of the winning edge, a_arg + c_i. */
  z: Float32Array;
  /** Train mode: `[B·N, Cout]` Σ_{j∈nbr(i)} a_j, and `[B·N]` how often each point is a neighbour. */
  gatherSum?: Float32Array;
  count?: Int32Array;
  mean: Float64Array;
  invStd: Float64Array;
  /** BN scale γ/σ per channel. */
  scale: Float64Array;
}

/**
 * Gather over the neighbours, per (point, channel): the max of sign·a_j (sign = −1 where γ < 0,
 * since the BN scale then flips the order; exact), with its arg when a backward pass may follow,
 * and in train mode the sum of a_j and the neighbour counts. `ac` is copied into the SIMD
 * kernels' arena (the returned `acArena`, `best` and `sign` are views into it, valid until their
 * next reset); `arg`, `gatherSum` and `count` are on shared memory.
 */
function gatherNeighbours(
  ac: Float32Array,
  idx: Int32Array,
  gamma: Float32Array,
  d: Dims,
  training: boolean,
  withArg: boolean,
): {
  acArena: Float32Array;
  sign: Float32Array;
  best: Float32Array;
  arg?: Int32Array;
  gatherSum?: Float32Array;
  count?: Int32Array;
} {
  const { b, n, co, k } = d;
  const points = b * n;
  const simd = simdKernels();
  simd.reset();
  const acArena = simd.f32(ac.length);
  acArena.set(ac);
  const sign = simd.f32(co);
  for (let o = 0; o < co; o++) sign[o] = (gamma[o] as number) < 0 ? -1 : 1;
  const idxArena = simd.i32(idx.length);
  idxArena.set(idx);
  const best = simd.f32(points * co);
  const argArena = withArg ? simd.i32(points * co) : undefined;
  const sumArena = training ? simd.f32(points * co) : undefined;
  const tail = [
    best.byteOffset,
    argArena?.byteOffset ?? 0,
    sumArena?.byteOffset ?? 0,
    withArg ? 1 : 0,
    training ? 1 : 0,
  ];
  let count: Int32Array | undefined;
  if (training) {
    count = shared(Int32Array, points);
    for (let p = 0; p < points; p++) {
      const base = p - (p % n);
      for (let q = 0; q < k; q++) {
        const j = base + (idx[p * k + q] as number);
        count[j] = (count[j] as number) + 1;
      }
    }
  }
  runRowsOnBothThreads(
    'gatherRows',
    [acArena.byteOffset, 2 * co, sign.byteOffset, idxArena.byteOffset, n, co, k],
    [tail, tail],
    points,
    POINTS_PER_CHUNK,
  );
  // What the backward pass keeps leaves the arena.
  const arg = argArena === undefined ? undefined : sharedCopy(argArena);
  const gatherSum = sumArena === undefined ? undefined : sharedCopy(sumArena);
  return { acArena, sign, best, arg, gatherSum, count };
}

/**
 * The block's output from the gathered maxima (SIMD, rows split between the threads), in
 * float64 rounded once to float32: z = sign·best + c_i, u = scale·(z − mean) + β, output
 * LeakyReLU(u); with `withZ` also z (float32, on shared memory, for the backward pass); and
 * whether every output is finite.
 */
function activate(
  gathered: { acArena: Float32Array; sign: Float32Array; best: Float32Array },
  scale: Float64Array,
  mean: Float64Array,
  beta: Float32Array,
  negativeSlope: number,
  d: Dims,
  withZ: boolean,
): { out: Float32Array; z?: Float32Array; finite: boolean } {
  const { b, n, co } = d;
  const points = b * n;
  const simd = simdKernels();
  const params = [scale, mean, Float64Array.from(beta)].map((values) => {
    const view = simd.f64(co);
    view.set(values);
    return view;
  }) as [Float64Array, Float64Array, Float64Array];
  const out = simd.f32(points * co);
  const z = withZ ? simd.f32(points * co) : undefined;
  const { acArena, sign, best } = gathered;
  const flag = simd.i32(1).fill(0);
  const tail = [out.byteOffset, z?.byteOffset ?? 0, withZ ? 1 : 0, flag.byteOffset];
  runRowsOnBothThreads(
    'edgeActivate',
    [
      best.byteOffset,
      acArena.byteOffset + 4 * co,
      2 * co,
      sign.byteOffset,
      params[0].byteOffset,
      params[1].byteOffset,
      params[2].byteOffset,
      negativeSlope,
      co,
    ],
    [tail, tail],
    points,
    POINTS_PER_CHUNK,
  );
  return {
    out: out.slice(),
    z: z === undefined ? undefined : sharedCopy(z),
    finite: flag[0] === 0,
  };
}

/**
 * Biased mean and variance over the B·N·k edges of e_ij = a_j + c_i, per channel, from point
 * level sums (float64): Σe = Σ_j cnt_j a_j + k Σ_i c_i and
 * Σe² = Σ_j cnt_j a_j² + 2 Σ_i c_i Σ_{j∈nbr(i)} a_j + k Σ_i c_i².
 */
function edgeMoments(
  ac: Float32Array,
  gatherSum: Float32Array,
  count: Int32Array,
  d: Dims,
): { mean: Float64Array; variance: Float64Array } {
  const { b, n, co, k } = d;
  const w = 2 * co;
  const sum = new Float64Array(co);
  const sumSq = new Float64Array(co);
  for (let p = 0; p < b * n; p++) {
    const cnt = count[p] as number;
    for (let o = 0; o < co; o++) {
      const a = ac[p * w + o] as number;
      const c = ac[p * w + co + o] as number;
      const g = gatherSum[p * co + o] as number;
      sum[o] = (sum[o] as number) + cnt * a + k * c;
      sumSq[o] = (sumSq[o] as number) + cnt * a * a + 2 * c * g + k * c * c;
    }
  }
  const edges = b * n * k;
  const mean = new Float64Array(co);
  const variance = new Float64Array(co);
  for (let o = 0; o < co; o++) {
    const m = (sum[o] as number) / edges;
    mean[o] = m;
    variance[o] = Math.max(0, (sumSq[o] as number) / edges - m * m);
  }
  return { mean, variance };
}

/**
 * Train mode: Σ_{i: j∈nbr(i)} c_i, the scatter of c over the reverse neighbourhoods (SIMD),
 * the rows [0, split) on the worker (its job pushed on `pending`), the rest here.
 */
function scatterNeighbourC(
  ac: Float32Array,
  idx: Int32Array,
  d: Dims,
  split: number,
  pending: Pending[],
): Float32Array {
  const { b, n, co, k } = d;
  const points = b * n;
  const simd = simdKernels();
  simd.reset();
  const acArena = simd.f32(ac.length);
  acArena.set(ac);
  const idxArena = simd.i32(idx.length);
  idxArena.set(idx);
  const out = simd.f32(points * co).fill(0);
  const scatterArgs = (p0: number, p1: number) =>
    [
      acArena.byteOffset,
      2 * co,
      co,
      idxArena.byteOffset,
      n,
      co,
      k,
      p0,
      p1,
      out.byteOffset,
    ] as const;
  pending.push(runOnWorker('simdScatterRows', [...scatterArgs(0, split)]));
  simd.exports.scatterRows(...scatterArgs(split, points));
  return out;
}

/** Train mode: the dense part α + slope·e of every edge, added into `dac` (see `backward`). */
function denseBackward(
  st: ForwardState,
  gatherSum: Float32Array,
  count: Int32Array,
  scatterC: Float32Array,
  dGamma: Float64Array,
  dBeta: Float64Array,
  d: Dims,
  dac: Float32Array,
): void {
  const { b, n, co, k } = d;
  const points = b * n;
  const { ac, mean, invStd, scale } = st;
  const edges = points * k;
  const alpha = new Float64Array(co);
  const slope = new Float64Array(co);
  for (let o = 0; o < co; o++) {
    const sc = scale[o] as number;
    const is = invStd[o] as number;
    alpha[o] =
      (-sc / edges) * ((dBeta[o] as number) - (mean[o] as number) * (dGamma[o] as number) * is);
    slope[o] = (-sc * (dGamma[o] as number) * is) / edges;
  }
  const half = points >> 1;
  const denseArgs = (p0: number, p1: number) =>
    [ac, gatherSum, scatterC, count, alpha, slope, co, k, p0, p1, dac] as const;
  const dense = runOnWorker('edgeBackwardDense', [...denseArgs(0, half)]);
  kernels.edgeBackwardDense(...denseArgs(half, points));
  dense.wait();
}

/**
 * The backward pass: from dL/d output to dL/d[a, c] (`[B·N, 2·Cout]`) and dL/dγ, dL/dβ.
 *
 * With u = s·z + t (s = γ/σ, t = β − s·μ) and g_u = dy·LeakyReLU'(u), only the winning edge
 * of each (i, o) receives g_u. BN backward over all E = B·N·k edges gives
 * de = s·dy_e − (s/E)(Σdy + x̂_e Σ(dy·x̂)), i.e. the sparse part s·g_u plus α + β·e_e on every
 * edge, with α = −(s/E)(dβ − μ dγ/σ), β = −s·dγ/(E σ); summing over the edges of each point:
 * dc_i += kα + β(Σ_{j∈nbr(i)} a_j + k c_i), da_j += cnt_j α + β(cnt_j a_j + Σ_{i: j∈nbr(i)} c_i).
 * In eval mode μ, σ are constants and only the sparse part remains.
 */
function backward(
  dy: Float32Array,
  st: ForwardState,
  idx: Int32Array,
  beta: Float32Array,
  d: Dims,
  negativeSlope: number,
): { dac: Float32Array; dGamma: Float32Array; dBeta: Float32Array } {
  const { b, n, co } = d;
  const points = b * n;
  const { ac, arg, z, mean, invStd, scale, gatherSum, count } = st;
  const train = gatherSum !== undefined && count !== undefined;
  const dac = shared(Float32Array, points * 2 * co);
  // Whole samples per thread: the scatters of a sample stay inside its rows.
  const split = (b >> 1) * n;
  const pending: Pending[] = [];
  // Train mode: Σ_{i: j∈nbr(i)} c_i, the scatter of c over the reverse neighbourhoods (SIMD).
  const scatterC = train ? scatterNeighbourC(ac, idx, d, split, pending) : undefined;
  const partials = [shared(Float64Array, 2 * co), shared(Float64Array, 2 * co)] as const;
  const dyShared = sharedCopy(dy);
  const sparseArgs = (p0: number, p1: number, partial: Float64Array) =>
    [
      dyShared,
      z,
      arg,
      scale,
      mean,
      invStd,
      beta,
      negativeSlope,
      n,
      co,
      p0,
      p1,
      dac,
      partial,
    ] as const;
  pending.push(runOnWorker('edgeBackwardSparse', [...sparseArgs(0, split, partials[0])]));
  kernels.edgeBackwardSparse(...sparseArgs(split, points, partials[1]));
  for (const job of pending) job.wait();
  const dGamma = new Float64Array(co);
  const dBeta = new Float64Array(co);
  for (let o = 0; o < co; o++) {
    dGamma[o] = (partials[0][o] as number) + (partials[1][o] as number);
    dBeta[o] = (partials[0][co + o] as number) + (partials[1][co + o] as number);
  }
  if (train && scatterC !== undefined) {
    denseBackward(st, gatherSum, count, scatterC, dGamma, dBeta, d, dac);
  }
  return { dac, dGamma: Float32Array.from(dGamma), dBeta: Float32Array.from(dBeta) };
}

/** Merged, validated options and the neighbour indices to use. */
function resolve(
  x: tf.Tensor,
  weight: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  options: EdgeConvOptions,
): { d: Dims; opts: EdgeConvOptions & DefaultedEdgeConvOptions } {
  const fn = 'edgeConvBlock';
  const opts = withDefaults(fn, DEFAULT_EDGE_CONV_OPTIONS, options);
  const [b, n, c] = checkTensor(fn, 'x', x, 3) as [number, number, number];
  if (b === 0 || n === 0 || c === 0) throw invalidArgument(fn, 'x', 'non-empty', [b, n, c]);
  const [w2c, co] = checkTensor(fn, 'weight', weight, 2) as [number, number];
  if (w2c !== 2 * c || co === 0)
    throw invalidArgument(fn, 'weight', `of shape [${2 * c}, Cout > 0]`, [w2c, co]);
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    const [len] = checkTensor(fn, name, t, 1);
    if (len !== co) throw invalidArgument(fn, name, `of shape [${co}]`, [len]);
  }
  if (typeof opts.training !== 'boolean')
    throw invalidArgument(fn, 'options.training', 'a boolean', opts.training);
  for (const name of ['momentum', 'eps', 'negativeSlope'] as const) {
    const v = opts[name];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidArgument(fn, `options.${name}`, 'a finite number', v);
  }
  if (opts.momentum < 0 || opts.momentum > 1)
    throw invalidArgument(fn, 'options.momentum', 'in [0, 1]', opts.momentum);
  if (!(opts.eps > 0)) throw invalidArgument(fn, 'options.eps', 'positive', opts.eps);
  const haveMean = opts.runningMean !== undefined;
  if (haveMean !== (opts.runningVar !== undefined)) {
    throw invalidArgument(fn, 'options.runningVar', 'given together with options.runningMean');
  }
  if (!opts.training && !haveMean) {
    throw invalidArgument(fn, 'options.runningMean', 'given in eval mode (training: false)');
  }
  for (const name of ['runningMean', 'runningVar'] as const) {
    const t = opts[name];
    if (t === undefined) continue;
    const [len] = checkTensor(fn, `options.${name}`, t, 1);
    if (len !== co) throw invalidArgument(fn, `options.${name}`, `of shape [${co}]`, [len]);
  }
  let k: number;
  if (opts.knn !== undefined) {
    const shape = checkTensor(fn, 'options.knn', opts.knn, 3, 'int32');
    k = shape[2] as number;
    if (shape[0] !== b || shape[1] !== n || k === 0) {
      throw invalidArgument(fn, 'options.knn', `of shape [${b}, ${n}, k > 0]`, shape);
    }
  } else {
    k = checkInteger(fn, 'options.k', opts.k, { min: 1, max: n });
  }
  return { d: { b, n, c, co, k }, opts };
}

/** Running statistics given in the options, read once. */
interface Running {
  mean: Float32Array;
  variance: Float32Array;
}

/** The data read (and checked) before the forward pass: neighbour indices, γ, β, running stats. */
function readInputs(
  fn: string,
  x: tf.Tensor,
  weight: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  opts: EdgeConvOptions & DefaultedEdgeConvOptions,
  d: Dims,
): { idx: Int32Array; gammaData: Float32Array; betaData: Float32Array; running?: Running } {
  const { n, k } = d;
  const knn = opts.knn ?? knnIndices(x, k);
  const idx = knn.dataSync() as Int32Array;
  if (opts.knn === undefined) knn.dispose();
  for (const v of idx)
    if (!(v >= 0 && v < n)) throw invalidArgument(fn, 'options.knn', `indices in [0, ${n})`, v);
  const gammaData = gamma.dataSync() as Float32Array;
  const betaData = beta.dataSync() as Float32Array;
  checkFinite(fn, 'weight', weight.dataSync() as Float32Array);
  checkFinite(fn, 'gamma', gammaData);
  checkFinite(fn, 'beta', betaData);
  const running =
    opts.runningMean !== undefined && opts.runningVar !== undefined
      ? {
          mean: opts.runningMean.dataSync() as Float32Array,
          variance: opts.runningVar.dataSync() as Float32Array,
        }
      : undefined;
  return { idx, gammaData, betaData, running };
}

/**
 * The BN statistics to normalise with: the edge moments of the batch (train mode, `batch`
 * set) or the running statistics (eval mode).
 */
function normStats(
  fn: string,
  gathered: ReturnType<typeof gatherNeighbours>,
  running: Running | undefined,
  d: Dims,
): { mean: Float64Array; variance: Float64Array; batch: boolean } {
  const { gatherSum, count } = gathered;
  if (gatherSum !== undefined && count !== undefined) {
    return { ...edgeMoments(gathered.acArena, gatherSum, count, d), batch: true };
  }
  if (running !== undefined) {
    return {
      mean: Float64Array.from(running.mean),
      variance: Float64Array.from(running.variance),
      batch: false,
    };
  }
  throw invalidArgument(fn, 'options.runningMean', 'given in eval mode (training: false)');
}

/** [a | c] = x · [W₁ | W₂ − W₁]; operands laid out for the untransposed matMul. */
function pointProducts(xt: tf.Tensor, wt: tf.Tensor, d: Dims): tf.Tensor2D {
  const { b, n, c, co } = d;
  return tf.tidy(() => {
    const w1 = tf.slice(wt, [0, 0], [c, co]);
    const w2 = tf.slice(wt, [c, 0], [c, co]);
    return matMulParallel(
      tf.reshape(xt, [b * n, c]) as tf.Tensor2D,
      tf.concat([w1, tf.sub(w2, w1)], 1) as tf.Tensor2D,
    );
  });
}

/** The input gradients from d[a|c]: dx, dW, dγ, dβ (`tf.customGrad`'s gradFunc body). */
function inputGradients(
  g: { dac: Float32Array; dGamma: Float32Array; dBeta: Float32Array },
  xs: tf.Tensor,
  ws: tf.Tensor,
  d: Dims,
): tf.Tensor[] {
  const { b, n, c, co } = d;
  const dac = tf.tensor2d(g.dac, [b * n, 2 * co], 'float32');
  const w1 = tf.slice(ws, [0, 0], [c, co]);
  const w2 = tf.slice(ws, [c, 0], [c, co]);
  // dx = d[a|c] · [W₁ | W₂ − W₁]ᵀ and dW_cat = xᵀ · d[a|c], transposes made explicit.
  const dx = matMulParallel(dac, tf.transpose(tf.concat([w1, tf.sub(w2, w1)], 1)) as tf.Tensor2D);
  const dWcat = matMulParallel(tf.transpose(tf.reshape(xs, [b * n, c])) as tf.Tensor2D, dac);
  const dW1 = tf.slice(dWcat, [0, 0], [c, co]);
  const dW2 = tf.slice(dWcat, [0, co], [c, co]);
  return [
    tf.reshape(dx, [b, n, c]),
    tf.concat([tf.sub(dW1, dW2), dW2], 0),
    tf.tensor1d(g.dGamma, 'float32'),
    tf.tensor1d(g.dBeta, 'float32'),
  ];
}

/** Train mode: the batch mean, unbiased variance and (when given) updated running statistics. */
function batchResult(
  output: tf.Tensor3D,
  stats: { mean: Float64Array; variance: Float64Array },
  running: Running | undefined,
  momentum: number,
  edges: number,
): EdgeConvResult {
  const unbiased = stats.variance.map((v) => (edges > 1 ? (v * edges) / (edges - 1) : v));
  const result: EdgeConvResult = {
    output,
    batchMean: tf.tensor1d(Float32Array.from(stats.mean), 'float32'),
    batchVar: tf.tensor1d(Float32Array.from(unbiased), 'float32'),
  };
  if (running !== undefined) {
    const m = momentum;
    result.runningMean = tf.tensor1d(
      running.mean.map((v, o) => (1 - m) * v + m * (stats.mean[o] as number)),
      'float32',
    );
    result.runningVar = tf.tensor1d(
      running.variance.map((v, o) => (1 - m) * v + m * (unbiased[o] as number)),
      'float32',
    );
  }
  return result;
}

/**
 * One DGCNN EdgeConv block, fused: for every point i with neighbours j (kNN on `x`),
 * `output_i = max_j LeakyReLU(BN(Wᵀ·[x_j − x_i; x_i]))`, with its gradient w.r.t. `x`,
 * `weight`, `gamma` and `beta` (`tf.customGrad`); no B·N·k·Cout tensor is ever built.
 *
 * The 1×1 conv is split as W₁ᵀ·x_j + (W₂ − W₁)ᵀ·x_i (one matMul on the N points); batch-norm
 * statistics over the edges come from point-level sums; BN + LeakyReLU are monotone per
 * channel, so the max over neighbours is a gather-max of W₁ᵀ·x_j (gather-min where γ < 0).
 *
 * `x`: float32 `[B, N, C]` (points × channels, not PyTorch's `[B, C, N]`); `weight`: float32
 * `[2C, Cout]`, input channels ordered `[x_j − x_i; x_i]` — PyTorch's `Conv2d(2C, Cout, 1)`
 * weight reshaped to `[Cout, 2C]` and transposed; `gamma`, `beta`: float32 `[Cout]`. Train
 * mode normalises with the biased batch variance over (B, N, k) and returns the batch mean and
 * unbiased variance (and updated running statistics when given); eval mode uses
 * `runningMean` / `runningVar`. Ties in the max route the gradient to the lowest neighbour
 * slot. The kNN indices carry no gradient, as in the reference.
 */
export function edgeConvBlock(
  x: tf.Tensor,
  weight: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  options: EdgeConvOptions = {},
): EdgeConvResult {
  const fn = 'edgeConvBlock';
  const { d, opts } = resolve(x, weight, gamma, beta, options);
  const { b, n, co, k } = d;
  const { idx, gammaData, betaData, running } = readInputs(fn, x, weight, gamma, beta, opts, d);
  let stats: { mean: Float64Array; variance: Float64Array } | undefined;

  const op = tf.customGrad((...args) => {
    const [xt, wt, , , save] = args as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.GradSaveFunc,
    ];
    const acTensor = pointProducts(xt, wt, d);
    // Only a recorded forward pass can be followed by a backward pass, which needs the argmax,
    // z and `ac` on shared memory (the worker thread reads them there).
    const recorded = gradientsRecorded();
    const ac = recorded ? sharedCopy(readNow(acTensor)) : readNow(acTensor);
    const gathered = gatherNeighbours(ac, idx, gammaData, d, opts.training, recorded);
    acTensor.dispose();
    const { arg, gatherSum, count } = gathered;
    const norm = normStats(fn, gathered, running, d);
    if (norm.batch) stats = norm;
    const { mean, variance } = norm;
    const invStd = variance.map((v) => 1 / Math.sqrt(v + opts.eps));
    const scale = invStd.map((v, o) => v * (gammaData[o] as number));
    const { out, z, finite } = activate(
      gathered,
      scale,
      mean,
      betaData,
      opts.negativeSlope,
      d,
      recorded,
    );
    // A non-finite x, or a product that overflowed, reaches the output through c_i.
    if (!finite) {
      checkFinite(fn, 'x', readNow(xt));
      throw invalidArgument(fn, 'x', 'values whose products with weight stay finite in float32');
    }
    const state: ForwardState | undefined =
      arg !== undefined && z !== undefined
        ? { ac, arg, z, gatherSum, count, mean, invStd, scale }
        : undefined;
    save([xt, wt]);
    return {
      value: tf.tensor3d(out, [b, n, co], 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor, tf.Tensor];
        if (state === undefined)
          throw new Error(`${fn}: backward pass of an unrecorded forward pass`);
        const g = backward(
          dy.dataSync() as Float32Array,
          state,
          idx,
          betaData,
          d,
          opts.negativeSlope,
        );
        return inputGradients(g, xs, ws, d);
      },
    };
  });
  const output = op(x, weight, gamma, beta) as tf.Tensor3D;
  if (stats === undefined) return { output };
  return batchResult(output, stats, running, opts.momentum, b * n * k);
}
