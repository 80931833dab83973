/**
 * Per-layer timings of the engine's 2-D convolutions at the shapes of profile's bench cases
 * (`siamese_train_step_B64_128`: blocks 16-32-64-128 on 128² crops; `ae2d_forward_B64_128`:
 * levels 8-16-32-64, two 3×3 convolutions each, 2×2 stride-2 up-convolutions), each part
 * (forward, input gradient, filter gradient) on its own, minimum of `--runs` calls after one
 * warm-up. Beside `reference_conv2d_layers.py` (the same layers in PyTorch, 2 threads).
 * `--ab`: each part with the plain and the relaxed-SIMD build of our kernels instead
 * (simd-variant.ts), interleaved, minimum CPU time of the process (both threads) per build.
 *
 *   node --conditions=@cellshape/source --import tsx packages/engine/bench/time-conv2d-layers.ts [--runs 3] [--only siamese|ae2d] [--ab]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend/index.js';
import { convFilterGrad, convForward, convInputGrad } from '../src/kernels/conv/conv-gemm.js';
import type { ConvGeometry } from '../src/kernels/conv/geometry.js';
import { useWasmSimdVariant, wasmSimdVariant } from '../src/kernels/wasm/simd-variant.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
}

const RUNS = Number(arg('--runs', '3'));
const ONLY = arg('--only', '');
const AB = process.argv.includes('--ab');
const B = 64;

/** A layer: side in, channels in → out, kernel, stride, padding; `transpose`: an up-convolution. */
interface Layer {
  name: string;
  side: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  p: number;
  transpose?: boolean;
  parts: Array<'fwd' | 'dx' | 'dw'>;
}

const SIAMESE: Layer[] = [
  [128, 1, 16],
  [64, 16, 32],
  [32, 32, 64],
  [16, 64, 128],
].map(([side, ci, co], i) => ({
  name: `siamese.${i}`,
  side: side as number,
  ci: ci as number,
  co: co as number,
  k: 3,
  s: 1,
  p: 1,
  parts: i === 0 ? ['fwd', 'dw'] : ['fwd', 'dx', 'dw'],
}));

const conv3 = (name: string, side: number, ci: number, co: number): Layer => ({
  name,
  side,
  ci,
  co,
  k: 3,
  s: 1,
  p: 1,
  parts: ['fwd'],
});
const up = (name: string, side: number, ci: number, co: number): Layer => ({
  name,
  side,
  ci,
  co,
  k: 2,
  s: 2,
  p: 0,
  transpose: true,
  parts: ['fwd'],
});
const AE2D: Layer[] = [
  conv3('ae.enc0.0', 128, 1, 8),
  conv3('ae.enc0.1', 128, 8, 8),
  conv3('ae.enc1.0', 64, 8, 16),
  conv3('ae.enc1.1', 64, 16, 16),
  conv3('ae.enc2.0', 32, 16, 32),
  conv3('ae.enc2.1', 32, 32, 32),
  conv3('ae.enc3.0', 16, 32, 64),
  conv3('ae.enc3.1', 16, 64, 64),
  conv3('ae.expand', 8, 1, 64),
  up('ae.up3', 8, 64, 64),
  conv3('ae.dec3', 16, 64, 64),
  up('ae.up2', 16, 64, 32),
  conv3('ae.dec2', 32, 32, 32),
  up('ae.up1', 32, 32, 16),
  conv3('ae.dec1', 64, 16, 16),
  up('ae.up0', 64, 16, 8),
  conv3('ae.dec0', 128, 8, 8),
];

/** The convolution geometry of a layer (an up-convolution: the convolution it transposes). */
function geometryOf(l: Layer): ConvGeometry {
  const out = l.transpose ? l.side * l.s : Math.floor((l.side + 2 * l.p - l.k) / l.s) + 1;
  const [inSide, outSide, ci, co] = l.transpose
    ? [out, l.side, l.co, l.ci]
    : [l.side, out, l.ci, l.co];
  return {
    dims: 2,
    batch: B,
    inSize: [1, inSide, inSide],
    inChannels: ci,
    outSize: [1, outSide, outSide],
    outChannels: co,
    kernel: [1, l.k, l.k],
    stride: [1, l.s, l.s],
    padding: [0, l.p, l.p],
  };
}

/** Minimum time of `f` (the wasm backend computes synchronously: no read-back timed). */
function time(f: () => tf.Tensor): number {
  f().dispose();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const y = f();
    best = Math.min(best, performance.now() - t);
    y.dispose();
  }
  return best;
}

/** CPU milliseconds of the process (all threads) in one call of `f`. */
function cpuTime(f: () => tf.Tensor): number {
  const t = process.cpuUsage();
  const y = f();
  const d = process.cpuUsage(t);
  y.dispose();
  return (d.user + d.system) / 1000;
}

/** Minimum CPU time of `f` with the plain and the relaxed build, interleaved (after a warm-up of each). */
function timeBuilds(f: () => tf.Tensor): { plain: number; relaxed: number } {
  const best = { plain: Number.POSITIVE_INFINITY, relaxed: Number.POSITIVE_INFINITY };
  for (let r = -1; r < RUNS; r++)
    for (const choice of ['plain', 'auto'] as const) {
      useWasmSimdVariant(choice);
      const ms = cpuTime(f);
      const variant = wasmSimdVariant();
      if (r >= 0) best[variant] = Math.min(best[variant], ms);
    }
  return best;
}

await selectBackend('wasm');
const layers = ONLY === 'siamese' ? SIAMESE : ONLY === 'ae2d' ? AE2D : [...SIAMESE, ...AE2D];
const totals: Record<string, number> = {};
for (const l of layers) {
  const g = geometryOf(l);
  const x = tf.randomNormal([B, g.inSize[1], g.inSize[2], g.inChannels], 0, 1, 'float32', 1);
  const w = tf.randomNormal([l.k, l.k, g.inChannels, g.outChannels], 0, 0.1, 'float32', 2);
  const dy = tf.randomNormal([B, g.outSize[1], g.outSize[2], g.outChannels], 0, 1, 'float32', 3);
  const row: string[] = [];
  for (const part of l.parts) {
    // An up-convolution's forward is its convolution's input gradient (of an input like dy).
    const f =
      part === 'fwd'
        ? l.transpose
          ? () => convInputGrad(dy, w, g)
          : () => convForward(x, w, g)
        : part === 'dx'
          ? () => convInputGrad(dy, w, g)
          : () => convFilterGrad(x, dy, g);
    const key = l.name.split('.')[0] as string;
    if (AB) {
      const { plain, relaxed } = timeBuilds(f);
      row.push(
        `${part} ${plain.toFixed(0).padStart(5)}/${relaxed.toFixed(0).padStart(5)} ×${(plain / relaxed).toFixed(2)}`,
      );
      totals[`${key} plain`] = (totals[`${key} plain`] ?? 0) + plain;
      totals[`${key} relaxed`] = (totals[`${key} relaxed`] ?? 0) + relaxed;
      continue;
    }
    const ms = time(f);
    row.push(`${part} ${ms.toFixed(1).padStart(7)}`);
    totals[key] = (totals[key] ?? 0) + ms;
  }
  console.log(`${l.name.padEnd(12)} ${`${l.side}² ${l.ci}→${l.co}`.padEnd(14)} ${row.join('  ')}`);
  tf.dispose([x, w, dy]);
}
console.log(
  `totals (ms${AB ? ' of CPU, plain and relaxed builds' : ''}, one view / one forward):`,
  totals,
);
