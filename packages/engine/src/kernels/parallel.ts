import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * The row loops of the kNN selection and of the EdgeConv gather, written as one
 * self-contained function (no imports, no outer names) so that the same source runs on the
 * main thread and, through `toString()`, in a worker thread.
 */
function rowKernels() {
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

  /**
   * k best neighbours of rows [i0, i1) of one sample from its Gram matrix (row-major n×n):
   * score `s_ij = (2<x_i,x_j> − |x_j|²) − |x_i|²` rounded to float32 at each step as in the
   * reference; the k-th best gates insertion (ties keep the lower index).
   */
  function selectFromGram(
    gram: Float32Array,
    sq: Float32Array,
    n: number,
    k: number,
    i0: number,
    i1: number,
    out: Int32Array,
    outBase: number,
  ): void {
    const topScore = new Float32Array(k);
    for (let i = i0; i < i1; i++) {
      const sqi = sq[i] as number;
      const row = i * n;
      const outOff = outBase + i * k;
      let filled = 0;
      let kth = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const s = Math.fround(Math.fround(2 * (gram[row + j] as number) - (sq[j] as number)) - sqi);
        if (s <= kth) continue;
        filled = insert(s, j, filled, k, topScore, out, outOff);
        if (filled === k) kth = topScore[k - 1] as number;
      }
    }
  }

  /**
   * Neighbours of the rows [i0, i1) of one sample of points (row-major n×c at `base`), the dot
   * products computed here (c = 3 unrolled), rounded like {@link selectFromGram}.
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
    for (let i = i0; i < i1; i++) {
      const sqi = sq[i] as number;
      const ri = base + i * c;
      const outOff = outBase + i * k;
      let filled = 0;
      let kth = Number.NEGATIVE_INFINITY;
      if (c === 3) {
        const x0 = x[ri] as number;
        const x1 = x[ri + 1] as number;
        const x2 = x[ri + 2] as number;
        for (let j = 0, rj = base; j < n; j++, rj += 3) {
          const g = Math.fround(
            x0 * (x[rj] as number) + x1 * (x[rj + 1] as number) + x2 * (x[rj + 2] as number),
          );
          const s = Math.fround(Math.fround(2 * g - (sq[j] as number)) - sqi);
          if (s <= kth) continue;
          filled = insert(s, j, filled, k, topScore, out, outOff);
          if (filled === k) kth = topScore[k - 1] as number;
        }
      } else {
        for (let j = 0, rj = base; j < n; j++, rj += c) {
          let acc = 0;
          for (let q = 0; q < c; q++) acc += (x[ri + q] as number) * (x[rj + q] as number);
          const s = Math.fround(Math.fround(2 * Math.fround(acc) - (sq[j] as number)) - sqi);
          if (s <= kth) continue;
          filled = insert(s, j, filled, k, topScore, out, outOff);
          if (filled === k) kth = topScore[k - 1] as number;
        }
      }
    }
  }

  /**
   * EdgeConv gather over the rows (points) [p0, p1) of `[B·N]`: per channel the max of the
   * (sign-adjusted) neighbour values `signed` `[B·N, co]` with its arg, and with `gatherSum`
   * the plain sum of `a_j` (columns 0..co−1 of `ac`, `[B·N, 2·co]`).
   */
  function gatherRows(
    signed: Float32Array,
    idx: Int32Array,
    n: number,
    co: number,
    k: number,
    p0: number,
    p1: number,
    best: Float32Array,
    arg: Int32Array,
    ac: Float32Array | undefined,
    gatherSum: Float32Array | undefined,
  ): void {
    for (let p = p0; p < p1; p++) {
      const base = p - (p % n);
      const row = p * co;
      const nb = p * k;
      const j0 = idx[nb] as number;
      best.set(signed.subarray((base + j0) * co, (base + j0 + 1) * co), row);
      arg.fill(j0, row, row + co);
      for (let q = 1; q < k; q++) {
        const j = idx[nb + q] as number;
        const aj = (base + j) * co;
        for (let o = 0; o < co; o++) {
          const v = signed[aj + o] as number;
          if (v > (best[row + o] as number)) {
            best[row + o] = v;
            arg[row + o] = j;
          }
        }
      }
      if (ac === undefined || gatherSum === undefined) continue;
      const w = 2 * co;
      for (let q = 0; q < k; q++) {
        const aj = (base + (idx[nb + q] as number)) * w;
        for (let o = 0; o < co; o++)
          gatherSum[row + o] = (gatherSum[row + o] as number) + (ac[aj + o] as number);
      }
    }
  }

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

  return { selectFromGram, selectFromPoints, gatherRows, nearestSamples };
}

/** The row kernels on the main thread. */
export const kernels = rowKernels();

/** A job for the worker: a kernel name, its arguments, and the flag it raises when done. */
interface Job {
  kernel: 'selectFromGram' | 'selectFromPoints' | 'gatherRows' | 'nearestSamples' | 'matMul';
  args: unknown[];
  done: Int32Array;
}

// `__name` is what esbuild's keepNames (tsx) may insert into function bodies. The worker also
// starts its own tfjs wasm backend (XNNPACK runs one thread per backend in Node) for
// `matMul` jobs, and raises `ready[0]` (1: ready, 2: failed) when it is up.
const WORKER_SOURCE = `
const __name = (f) => f;
const { parentPort, workerData } = require('node:worker_threads');
const kernels = (${rowKernels.toString()})();
let tf;
(async () => {
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
        workerData: { ...(paths ?? { base: '', core: '', wasm: '' }), ready: tfReady },
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
    (kernels[kernel as keyof typeof kernels] as (...a: unknown[]) => void)(...args);
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
export function shared<T extends Float32Array | Int32Array>(
  type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT));
}

/** A copy of `data` on a `SharedArrayBuffer`. */
export function sharedCopy<T extends Float32Array | Int32Array>(data: T): T {
  const ctor = data.constructor as {
    new (buffer: SharedArrayBuffer): T;
    BYTES_PER_ELEMENT: number;
  };
  const out = shared(ctor, data.length);
  out.set(data);
  return out;
}
