/**
 * The convolutions that take the columns path (vol2col + a matrix product) at the voxel models'
 * shapes (B = 8, 64³ input), each part with tfjs's `tf.matMul` (XNNPACK) and with our SIMD GEMM
 * on both threads (kernels/conv/wasm-gemm.ts, relaxed build where available), interleaved in
 * one process: minimum CPU time (both threads) and wall time of `--runs` calls per path.
 *
 *   node --conditions=@cellshape/source --import tsx packages/engine/bench/time-columns-gemm.ts [--runs 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/backend/index.js';
import { convFilterGrad, convForward, convInputGrad } from '../src/kernels/conv/conv-gemm.js';
import type { ConvGeometry } from '../src/kernels/conv/geometry.js';
import { useWasmGemm } from '../src/kernels/conv/wasm-gemm.js';
import { wasmSimdVariant } from '../src/kernels/wasm/simd-variant.js';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 3;
const B = 8;

/** name, input side, C_in → C_out, kernel, stride, padding. */
const LAYERS: Array<[string, number, number, number, number, number, number]> = [
  ['simple.conv1', 64, 1, 32, 5, 2, 2],
  ['simple.conv3', 16, 64, 128, 3, 2, 0],
  ['resnet.conv1', 64, 1, 64, 7, 2, 3],
  ['resnet.layer2.0', 32, 64, 128, 3, 2, 1],
  ['resnet.layer3.0', 16, 128, 256, 3, 2, 1],
];

function geometry(
  side: number,
  ci: number,
  co: number,
  k: number,
  s: number,
  p: number,
): ConvGeometry {
  const out = Math.floor((side + 2 * p - k) / s) + 1;
  return {
    dims: 3,
    batch: B,
    inSize: [side, side, side],
    inChannels: ci,
    outSize: [out, out, out],
    outChannels: co,
    kernel: [k, k, k],
    stride: [s, s, s],
    padding: [p, p, p],
  };
}

function measure(f: () => tf.Tensor): { cpu: number; wall: number } {
  const c = process.cpuUsage();
  const w = performance.now();
  const y = f();
  y.dataSync();
  const wall = performance.now() - w;
  const d = process.cpuUsage(c);
  y.dispose();
  return { cpu: (d.user + d.system) / 1000, wall };
}

await selectBackend('wasm');
console.log(`SIMD build: ${wasmSimdVariant()}; ms as tf.matMul → ours (CPU, wall)`);
for (const [name, side, ci, co, k, s, p] of LAYERS) {
  const g = geometry(side, ci, co, k, s, p);
  const x = tf.randomNormal([B, side, side, side, ci], 0, 1, 'float32', 1);
  const w = tf.randomNormal([k, k, k, ci, co], 0, 0.1, 'float32', 2);
  const dy = tf.randomNormal([B, ...g.outSize, co], 0, 1, 'float32', 3);
  const row: string[] = [];
  for (const [part, f] of [
    ['fwd', () => convForward(x, w, g)],
    ['dx', () => convInputGrad(dy, w, g)],
    ['dw', () => convFilterGrad(x, dy, g)],
  ] as const) {
    const best = {
      xnn: { cpu: Infinity, wall: Infinity },
      ours: { cpu: Infinity, wall: Infinity },
    };
    for (let r = -1; r < RUNS; r++)
      for (const path of ['xnn', 'ours'] as const) {
        useWasmGemm(path === 'ours');
        const m = measure(f);
        if (r < 0) continue;
        best[path].cpu = Math.min(best[path].cpu, m.cpu);
        best[path].wall = Math.min(best[path].wall, m.wall);
      }
    const { xnn, ours } = best;
    row.push(
      `${part} ${xnn.cpu.toFixed(0)}→${ours.cpu.toFixed(0)} (×${(xnn.cpu / ours.cpu).toFixed(2)}), ${xnn.wall.toFixed(0)}→${ours.wall.toFixed(0)} (×${(xnn.wall / ours.wall).toFixed(2)})`,
    );
  }
  console.log(`${name.padEnd(16)} ${row.join('  ')}`);
  tf.dispose([x, w, dy]);
}
