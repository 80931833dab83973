import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { wasmThreadCount } from '../backend/threaded-wasm.js';
import { type RowKernelExports, simdKernels } from './wasm/simd-kernels.js';

/*
 * The row loops of the kNN selection, of the nearest-neighbour pairing and of the EdgeConv
 * backward pass, written as self-contained factories (no imports, no outer names: what one
 * needs from another comes in as an argument) so that the same source runs on the main thread
 * and, through `toString()`, in a worker thread (`ROW_KERNELS_SOURCE`).
 */

/** The helpers of the kNN selection: best-first insertion and the largest squared norm. */
function knnHelpers() {
  /** Inserts candidate j (score s) into a best-first list of `filled` ≤ k entries. */
  function insert(
    s: number,
    j: number,
    filled: number,
    k: number,
    topScore: Float32Array,
    out: Int32Array,
    outOff: number,
  ): number {
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && (topScore[p - 1] as number) < s) {
      topScore[p] = topScore[p - 1] as number;
      out[outOff + p] = out[outOff + p - 1] as number;
      p--;
    }
    topScore[p] = s;
    out[outOff + p] = j;
    return filled;
  }

  /** The largest squared norm of a sample. */
  function maxOf(sq: Float32Array): number {
    let m = 0;
    for (let j = 0; j < sq.length; j++) if ((sq[j] as number) > m) m = sq[j] as number;
    return m;
  }

  return { insert, maxOf };
}

type KnnHelpers = ReturnType<typeof knnHelpers>;

/** The kNN selection over rows of points (`selectFromPoints`). */
function knnKernels(insert: KnnHelpers['insert'], maxOf: KnnHelpers['maxOf']) {
  /**
   * Neighbours of the rows [i0, i1) of one sample of points (row-major n×c at `base`), the dot
   * products computed here (c = 3 unrolled): score `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²`
   * rounded to float32 at each step as in the reference; the k-th best gates insertion (ties
   * keep the lower index). The roundings move a score by at most
   * 2⁻²⁴·(|2g − |x_j|²| + |s|) ≤ 2⁻²²·(|x_i|² + max|x_j|²) (as |g| ≤ (|x_i|² + |x_j|²)/2), so
   * a candidate whose unrounded score is more than 16× that below the k-th best cannot enter
   * and skips the exact evaluation: same result, fewer roundings.
   */
  function selectFromPoints(
    x: Float32Array,
    base: number,
    sq: Float32Array,
    n: number,
    c: number,
    k: number,
    i0: number,
    i1: number,
    out: Int32Array,
    outBase: number,
  ): void {
    const topScore = new Float32Array(k);
    const maxSq = maxOf(sq);
    for (let i = i0; i < i1; i++) {
      const sqi = sq[i] as number;
      const margin = 2 ** -18 * (sqi + maxSq);
      const ri = base + i * c;
      const outOff = outBase + i * k;
      let filled = 0;
      let kth = Number.NEGATIVE_INFINITY;
      let skipBelow = Number.NEGATIVE_INFINITY;
      if (c === 3) {
        const x0 = x[ri] as number;
        const x1 = x[ri + 1] as number;
        const x2 = x[ri + 2] as number;
        for (let j = 0, rj = base; j < n; j++, rj += 3) {
          const dot =
            x0 * (x[rj] as number) + x1 * (x[rj + 1] as number) + x2 * (x[rj + 2] as number);
          const sqj = sq[j] as number;
          if (2 * dot - sqj - sqi < skipBelow) continue;
          const s = Math.fround(Math.fround(2 * Math.fround(dot) - sqj) - sqi);
          if (s <= kth) continue;
          filled = insert(s, j, filled, k, topScore, out, outOff);
          if (filled === k) {
            kth = topScore[k - 1] as number;
            skipBelow = kth - margin;
          }
        }
      } else {
        for (let j = 0, rj = base; j < n; j++, rj += c) {
          let acc = 0;
          for (let q = 0; q < c; q++) acc += (x[ri + q] as number) * (x[rj + q] as number);
          const sqj = sq[j] as number;
          if (2 * acc - sqj - sqi < skipBelow) continue;
          const s = Math.fround(Math.fround(2 * Math.fround(acc) - sqj) - sqi);
          if (s <= kth) continue;
          filled = insert(s, j, filled, k, topScore, out, outOff);
          if (filled === k) {
            kth = topScore[k - 1] as number;
            skipBelow = kth - margin;
          }
        }
      }
    }
  }

  return { selectFromPoints };
}

/** The both-direction nearest neighbours of two batches of clouds (`nearestSamples`). */
function nearestKernels() {
  /**
   * Both-direction nearest neighbours of the samples [s0, s1) of two batches of 3-D clouds
   * (`a`: B·N·3, `b`: B·M·3): one pass over the N·M pairs of a sample serves both
   * directions; squared distances in float64, rounded once to float32; ties keep the lower
   * index.
   */
  function nearestSamples(
    a: Float32Array,
    b: Float32Array,
    n: number,
    m: number,
    s0: number,
    s1: number,
    indexAToB: Int32Array,
    sqDistAToB: Float32Array,
    indexBToA: Int32Array,
    sqDistBToA: Float32Array,
  ): void {
    const bestB = new Float64Array(m);
    for (let s = s0; s < s1; s++) {
      const aBase = s * n * 3;
      const bBase = s * m * 3;
      const bOut = s * m;
      bestB.fill(Number.POSITIVE_INFINITY);
      for (let i = 0; i < n; i++) {
        const ax = a[aBase + 3 * i] as number;
        const ay = a[aBase + 3 * i + 1] as number;
        const az = a[aBase + 3 * i + 2] as number;
        let best = Number.POSITIVE_INFINITY;
        let bestJ = 0;
        for (let j = 0, r = bBase; j < m; j++, r += 3) {
          const dx = ax - (b[r] as number);
          const dy = ay - (b[r + 1] as number);
          const dz = az - (b[r + 2] as number);
          const d = dx * dx + dy * dy + dz * dz;
          if (d < best) {
            best = d;
            bestJ = j;
          }
          if (d < (bestB[j] as number)) {
            bestB[j] = d;
            indexBToA[bOut + j] = i;
          }
        }
        indexAToB[s * n + i] = bestJ;
        sqDistAToB[s * n + i] = best;
      }
      for (let j = 0; j < m; j++) sqDistBToA[bOut + j] = bestB[j] as number;
    }
  }

  return { nearestSamples };
}

/** EdgeConv backward, the sparse part (`edgeBackwardSparse`). */
function edgeBackwardSparseKernels() {
  /**
   * EdgeConv backward, first part, over the points [p0, p1) (whole samples, so the scatters
   * stay inside the range): g = dy·LeakyReLU'(u) with u = s·(z − μ) + β; partial sums of
   * dL/dβ = Σg (`partial[co + o]`) and dL/dγ = Σ g·(z − μ)/σ (`partial[o]`); the winning edge
   * of each (i, o) gets s·g on its a_j and c_i columns of `dac` (`[B·N, 2·co]`).
   */
  function edgeBackwardSparse(
    dy: Float32Array,
    z: Float32Array,
    arg: Int32Array,
    scale: Float64Array,
    mean: Float64Array,
    invStd: Float64Array,
    beta: Float32Array,
    negativeSlope: number,
    n: number,
    co: number,
    p0: number,
    p1: number,
    dac: Float32Array,
    partial: Float64Array,
  ): void {
    const w = 2 * co;
    for (let p = p0; p < p1; p++) {
      const base = p - (p % n);
      for (let o = 0; o < co; o++) {
        const e = p * co + o;
        const centred = (z[e] as number) - (mean[o] as number);
        const u = (scale[o] as number) * centred + (beta[o] as number);
        const g = (dy[e] as number) * (u > 0 ? 1 : negativeSlope);
        partial[co + o] = (partial[co + o] as number) + g;
        partial[o] = (partial[o] as number) + g * centred * (invStd[o] as number);
        const gs = (scale[o] as number) * Math.fround(g);
        const j = base + (arg[e] as number);
        dac[j * w + o] = (dac[j * w + o] as number) + gs;
        dac[p * w + co + o] = (dac[p * w + co + o] as number) + gs;
      }
    }
  }

  return { edgeBackwardSparse };
}

/** EdgeConv backward, the train-mode dense part (`edgeBackwardDense`). */
function edgeBackwardDenseKernels() {
  /**
   * EdgeConv backward, train-mode part, over the points [p0, p1): every edge also receives
   * α + slope·e from the batch statistics; summed per point,
   * da_j += cnt_j·α + slope·(cnt_j·a_j + Σ_{i: j∈nbr(i)} c_i) and
   * dc_i += k·α + slope·(Σ_{j∈nbr(i)} a_j + k·c_i).
   */
  function edgeBackwardDense(
    ac: Float32Array,
    gatherSum: Float32Array,
    scatterC: Float32Array,
    count: Int32Array,
    alpha: Float64Array,
    slope: Float64Array,
    co: number,
    k: number,
    p0: number,
    p1: number,
    dac: Float32Array,
  ): void {
    const w = 2 * co;
    for (let p = p0; p < p1; p++) {
      const cnt = count[p] as number;
      for (let o = 0; o < co; o++) {
        const al = alpha[o] as number;
        const sl = slope[o] as number;
        const a = ac[p * w + o] as number;
        const c = ac[p * w + co + o] as number;
        dac[p * w + o] =
          (dac[p * w + o] as number) + cnt * al + sl * (cnt * a + (scatterC[p * co + o] as number));
        dac[p * w + co + o] =
          (dac[p * w + co + o] as number) +
          k * al +
          sl * ((gatherSum[p * co + o] as number) + k * c);
      }
    }
  }

  return { edgeBackwardDense };
}

/** All row kernels, composed from the factories above (main thread). */
function rowKernels() {
  const { insert, maxOf } = knnHelpers();
  return {
    ...knnKernels(insert, maxOf),
    ...nearestKernels(),
    ...edgeBackwardSparseKernels(),
    ...edgeBackwardDenseKernels(),
  };
}

/** The same composition as `rowKernels`, as source for the worker thread. */
const ROW_KERNELS_SOURCE = `(() => {
  const { insert, maxOf } = (${knnHelpers.toString()})();
  return {
    ...(${knnKernels.toString()})(insert, maxOf),
    ...(${nearestKernels.toString()})(),
    ...(${edgeBackwardSparseKernels.toString()})(),
    ...(${edgeBackwardDenseKernels.toString()})(),
  };
})()`;

/** The row kernels on the main thread. */
export const kernels = rowKernels();

/** The SIMD row kernels (simd-kernels.ts) by the names jobs use, on the main thread. */
const simdJobs = {
  simdScatterRows: (...a: Parameters<RowKernelExports['scatterRows']>) =>
    simdKernels().exports.scatterRows(...a),
};

/** A SIMD row kernel whose row range `[r0, r1)` follows its leading arguments. */
export type SimdRowKernel =
  | 'selectFromGram'
  | 'selectFromHalves'
  | 'selectFromCoordinates'
  | 'gatherRows'
  | 'edgeActivate'
  | 'channelExtremes';

/**
 * Runs a SIMD row kernel over the rows `[0, total)` on both threads, `chunk` rows at a time from
 * a shared counter, so that neither waits for the other beyond one chunk (the rows of these
 * kernels vary in cost, and the worker starts later). Each call is
 * `kernel(...before, r0, r1, ...after)`; `after` may differ per thread (scratch space), given
 * as `[this thread's, the worker's]`. The kernel must only write its rows' outputs, never add
 * to them: without the worker (or after a stall) every row is computed again on this thread.
 * (The EdgeConv backward's accumulating scatter therefore keeps its fixed split by samples.)
 */
export function runRowsOnBothThreads(
  kernel: SimdRowKernel,
  before: readonly number[],
  after: readonly [readonly number[], readonly number[]],
  total: number,
  chunk: number,
): void {
  const run = simdKernels().exports[kernel] as (...args: number[]) => void;
  if (!workerAvailable()) {
    run(...before, 0, total, ...after[0]);
    return;
  }
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const pending = runOnWorker(
    'simdRows',
    [kernel, before, after[1], total, chunk, counter],
    // Without the worker (or if it stalls) this thread does every row; the rows a late worker
    // also computes get the same values.
    () => run(...before, 0, total, ...after[0]),
  );
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * chunk;
    if (r0 >= total) break;
    run(...before, r0, Math.min(total, r0 + chunk), ...after[0]);
  }
  pending.wait();
}

/**
 * {@link runRowsOnBothThreads} for an export `name` of a {@link SharedWasmKernels} module (the
 * worker instantiates it on its memory once per key). Unlike {@link runModuleRowsOnBothThreads},
 * the kernel may add into per-thread outputs (its `after` arguments): without the worker, or if
 * it stalls, `restart()` runs first (to clear this thread's outputs) and this thread then
 * computes every row with its own `after`; the result says whether the worker's share counts.
 */
export function runWasmRowsOnBothThreads(
  wasm: SharedWasmKernels,
  name: string,
  before: readonly number[],
  after: readonly [readonly number[], readonly number[]],
  total: number,
  chunk: number,
  restart: () => void = () => undefined,
): { workerShare: boolean } {
  const run = wasm.exports[name] as (...args: number[]) => void;
  const alone = () => {
    restart();
    run(...before, 0, total, ...after[0]);
  };
  if (!workerAvailable() || total <= chunk) {
    run(...before, 0, total, ...after[0]);
    return { workerShare: false };
  }
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let workerShare = true;
  const pending = runOnWorker(
    'moduleRows',
    [...moduleOnce(wasm), name, before, after[1], total, chunk, counter],
    () => {
      workerShare = false;
      alone();
    },
  );
  if (workerShare) {
    for (;;) {
      const r0 = Atomics.add(counter, 0, 1) * chunk;
      if (r0 >= total) break;
      run(...before, r0, Math.min(total, r0 + chunk), ...after[0]);
    }
    pending.wait();
  }
  return { workerShare };
}

/**
 * A WebAssembly module instantiated on a shared memory that the worker instantiates too (once per
 * `key`): e.g. kernels that run in the memory of tfjs's threaded wasm backend.
 */
export interface SharedWasmKernels {
  /** Names this module-on-memory pair; a new memory needs a new key. */
  key: string;
  module: object;
  memory: object;
  /** The instance on this thread. */
  exports: Record<string, unknown>;
}

const sentToWorker = new Set<string>();

/** A job's first arguments: the module's key, and the module and memory the first time only. */
function moduleOnce(target: SharedWasmKernels): unknown[] {
  const first = !sentToWorker.has(target.key);
  sentToWorker.add(target.key);
  return [target.key, first ? target.module : undefined, first ? target.memory : undefined];
}

/**
 * {@link runRowsOnBothThreads} for a kernel of any {@link SharedWasmKernels} module: the rows
 * `[0, total)` in chunks from a shared counter on both threads, each call
 * `kernel(...before, r0, r1, ...after)` with `r0` a multiple of `chunk`, writing only its rows'
 * outputs (a kernel may write per-chunk results at `r0 / chunk`).
 */
export function runModuleRowsOnBothThreads(
  target: SharedWasmKernels,
  kernel: string,
  before: readonly number[],
  after: readonly number[],
  total: number,
  chunk: number,
): void {
  const run = target.exports[kernel] as (...args: number[]) => void;
  const all = () => {
    for (let r0 = 0; r0 < total; r0 += chunk)
      run(...before, r0, Math.min(total, r0 + chunk), ...after);
  };
  if (!workerAvailable() || total <= chunk) {
    all();
    return;
  }
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const pending = runOnWorker(
    'moduleRows',
    [...moduleOnce(target), kernel, before, after, total, chunk, counter],
    all,
  );
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * chunk;
    if (r0 >= total) break;
    run(...before, r0, Math.min(total, r0 + chunk), ...after);
  }
  pending.wait();
}

/** A job for the worker: a kernel name, its arguments, and the flag it raises when done. */
interface Job {
  kernel: keyof typeof kernels | keyof typeof simdJobs | 'matMul' | 'simdRows' | 'moduleRows';
  args: unknown[];
  done: Int32Array;
}

// `__name` is what esbuild's keepNames (tsx) may insert into function bodies. The worker also
// starts its own tfjs wasm backend (XNNPACK runs one thread per backend in Node) for
// `matMul` jobs, and raises `ready[0]` (1: ready, 2: failed) when it is up.
const WORKER_SOURCE = `
const __name = (f) => f;
const { parentPort, workerData } = require('node:worker_threads');
const kernels = ${ROW_KERNELS_SOURCE};
let tf;
(async () => {
  if (!workerData.withTf) return;
  try {
    const { createRequire } = require('node:module');
    const req = createRequire(workerData.base);
    tf = req(workerData.core);
    req(workerData.wasm);
    if (!(await tf.setBackend('wasm'))) throw new Error('no wasm backend');
    await tf.ready();
    Atomics.store(workerData.ready, 0, 1);
  } catch (e) {
    Atomics.store(workerData.ready, 0, 2);
  }
})();
// The SIMD row kernels, on the main thread's shared wasm memory.
const simd = new WebAssembly.Instance(workerData.simdModule, {
  env: { memory: workerData.simdMemory },
}).exports;
kernels.simdScatterRows = (...a) => simd.scatterRows(...a);
kernels.simdRows = (name, before, after, total, chunk, counter) => {
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * chunk;
    if (r0 >= total) break;
    simd[name](...before, r0, Math.min(total, r0 + chunk), ...after);
  }
};
// Modules on shared memories (run*RowsOnBothThreads), instantiated on first use per key.
const modules = new Map();
kernels.moduleRows = (key, module, memory, name, before, after, total, chunk, counter) => {
  if (!modules.has(key)) modules.set(key, new WebAssembly.Instance(module, { env: { memory } }).exports);
  const run = modules.get(key)[name];
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * chunk;
    if (r0 >= total) break;
    run(...before, r0, Math.min(total, r0 + chunk), ...after);
  }
};
kernels.matMul = (a, rows, inner, w, cols, out) => {
  const r = tf.tidy(() => tf.matMul(tf.tensor2d(a, [rows, inner]), tf.tensor2d(w, [inner, cols])));
  out.set(r.dataSync());
  r.dispose();
};
parentPort.on('message', (job) => {
  try { kernels[job.kernel](...job.args); Atomics.store(job.done, 0, 1); }
  catch (e) { Atomics.store(job.done, 0, 2); }
  Atomics.notify(job.done, 0);
});
`;

/** Raised by the worker when its tfjs wasm backend is ready (1) or failed (2). */
const tfReady = new Int32Array(new SharedArrayBuffer(4));

/** Where the worker loads tfjs from: the packages this module itself resolves. */
function tfjsPaths(): { base: string; core: string; wasm: string } | undefined {
  try {
    const req = createRequire(import.meta.url);
    return {
      base: import.meta.url,
      core: req.resolve('@tensorflow/tfjs-core'),
      wasm: req.resolve('@tensorflow/tfjs-backend-wasm'),
    };
  } catch {
    return undefined;
  }
}

/** How long the main thread waits for the worker before doing its share itself. */
const WAIT_MS = 120_000;

let worker: Worker | undefined;
let usable = availableParallelism() > 1 && process.env.CELLSHAPE_KERNEL_THREADS !== '1';

function getWorker(): Worker | undefined {
  if (!usable) return undefined;
  if (worker === undefined) {
    try {
      const paths = tfjsPaths();
      if (paths === undefined) Atomics.store(tfReady, 0, 2);
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          ...(paths ?? { base: '', core: '', wasm: '' }),
          simdModule: simdKernels().module,
          simdMemory: simdKernels().memory,
          ready: tfReady,
          // Only tfjs's single-threaded wasm build needs our row split of products.
          withTf: wasmThreadCount() <= 1,
        },
      });
      worker.unref();
      worker.on('error', () => {
        usable = false;
        worker = undefined;
      });
    } catch {
      usable = false;
      return undefined;
    }
  }
  return worker;
}

/** A pending share of work on the worker thread; {@link Pending.wait} blocks until it is done. */
export interface Pending {
  wait(): void;
}

/**
 * Runs `kernels[kernel](...args)` on the worker thread (a second core) and returns at once;
 * without a usable worker (one core, `CELLSHAPE_KERNEL_THREADS=1`, or a failed start) it runs
 * `fallback` (default: the same kernel) on the calling thread. Typed arrays the kernel reads or writes must be backed by a
 * `SharedArrayBuffer` ({@link shared}). If the worker fails or stalls, `wait()` runs
 * `fallback` on the calling thread (the kernels are deterministic, so a late worker writes the
 * same values).
 */
export function runOnWorker(
  kernel: Job['kernel'],
  args: unknown[],
  fallback: () => void = () => {
    const table: Record<string, unknown> = { ...kernels, ...simdJobs };
    (table[kernel] as (...a: unknown[]) => void)(...args);
  },
): Pending {
  const w = getWorker();
  if (w === undefined) {
    fallback();
    return { wait: () => undefined };
  }
  const done = new Int32Array(new SharedArrayBuffer(4));
  w.postMessage({ kernel, args, done } satisfies Job);
  return {
    wait: () => {
      const state = Atomics.wait(done, 0, 0, WAIT_MS);
      if (state === 'timed-out' || Atomics.load(done, 0) !== 1) {
        usable = false;
        fallback();
      }
    },
  };
}

/** Whether the worker's own tfjs wasm backend is up (for `matMul` jobs); starts it if needed. */
export function workerMatMulReady(): boolean {
  return getWorker() !== undefined && Atomics.load(tfReady, 0) === 1;
}

/** Whether {@link runOnWorker} will use a second thread. */
export function workerAvailable(): boolean {
  return getWorker() !== undefined;
}

/** A zeroed typed array of `length` elements on a `SharedArrayBuffer`. */
export function shared<T extends Float32Array | Float64Array | Int32Array>(
  type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT));
}

/** A copy of `data` on a `SharedArrayBuffer`. */
export function sharedCopy<T extends Float32Array | Float64Array | Int32Array>(data: T): T {
  const ctor = data.constructor as {
    new (buffer: SharedArrayBuffer): T;
    BYTES_PER_ELEMENT: number;
  };
  const out = shared(ctor, data.length);
  out.set(data);
  return out;
}
