/**
 * GFLOP/s of the SIMD GEMM of conv-kernels.wat (`gemm`, the products of the fused Winograd
 * kernels) on one thread, plain SIMD against relaxed SIMD's fused multiply-add, interleaved in
 * one process: per shape the best of `--runs` rounds, each timed in CPU time of the process.
 * Shapes: a Winograd block's plane products, rows = tiles of the block, inner = C_in, cols = C_out.
 *
 *   node --conditions=@cellshape/source --import tsx packages/engine/bench/time-gemm.ts [--runs 7]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend/index.js';
import { readNow } from '../src/kernels/checks.js';
import { convKernelsModule } from '../src/kernels/conv/wasm-columns.js';
import { useWasmSimdVariant, wasmSimdVariant } from '../src/kernels/wasm/simd-variant.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
}

const RUNS = Number(arg('--runs', '7'));
/** [rows, inner, cols]. */
const SHAPES: Array<[number, number, number]> = [
  [512, 16, 32],
  [256, 32, 64],
  [128, 64, 128],
  [256, 64, 64],
  [64, 128, 128],
  [1024, 8, 8],
];

/** CPU milliseconds of the process spent in `f`. */
function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

await selectBackend('wasm');
const address = (t: tf.Tensor) => readNow(t).byteOffset;
const best: Record<string, number> = {};
for (const [rows, n, cols] of SHAPES) {
  const a = tf.randomNormal([rows, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, cols], 0, 1, 'float32', 2);
  const c = tf.zeros([rows, cols]);
  // Enough calls for ~50 ms of work at 20 GFLOP/s.
  const calls = Math.max(1, Math.round(1e9 / (2 * rows * n * cols)));
  const label = `${rows}×${n}×${cols}`;
  for (let r = 0; r < RUNS; r++) {
    for (const v of ['plain', 'auto'] as const) {
      useWasmSimdVariant(v);
      const gemm = convKernelsModule().exports.gemm as (...args: number[]) => void;
      const args = [
        address(a),
        address(b),
        address(c),
        rows,
        cols,
        n,
        4 * n,
        4,
        4 * cols,
        4 * cols,
        0,
      ];
      const ms = cpuMs(() => {
        for (let i = 0; i < calls; i++) gemm(...args);
      });
      const key = `${label} ${wasmSimdVariant()}`;
      best[key] = Math.min(best[key] ?? Number.POSITIVE_INFINITY, ms / calls);
    }
  }
  const plain = best[`${label} plain`] as number;
  const relaxed = best[`${label} relaxed`] as number;
  const gflops = (ms: number) => ((2 * rows * n * cols) / ms / 1e6).toFixed(1);
  console.log(
    `${label.padEnd(14)} plain ${gflops(plain).padStart(5)} GFLOP/s  relaxed ${gflops(relaxed).padStart(5)} GFLOP/s  ×${(plain / relaxed).toFixed(2)}`,
  );
  tf.dispose([a, b, c]);
}
