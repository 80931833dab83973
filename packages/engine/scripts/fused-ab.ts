/**
 * A/B timings of the fused batch-norm kernels against the plain tfjs compositions, in one
 * process, interleaved, minimum of several runs (the machine may be shared):
 *
 *   node --conditions=@cellshape/source --import tsx packages/engine/scripts/fused-ab.ts [runs]
 *
 * Cases: the Siamese encoder's first block tail (ReLU → BatchNorm2d → max-pool → dropout) on
 * [64, 128, 128, 16], forward and forward + backward; BatchNorm3d on [8, 32, 32, 32, 32]
 * (training forward + backward, evaluation forward).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/index.js';
import { activationNormPool } from '../src/kernels/fused/activation-norm-pool.js';
import { useFusedKernels } from '../src/kernels/fused/fused-wasm.js';
import { BatchNorm } from '../src/nn/batch-norm.js';

await selectBackend('wasm');
const runs = Number(process.argv[2] ?? 5);

interface Case {
  name: string;
  run: () => void;
}

function timeCase(c: Case, fused: boolean): number {
  useFusedKernels(fused);
  const t0 = performance.now();
  c.run();
  return performance.now() - t0;
}

const pool = { x: tf.randomNormal([64, 128, 128, 16]), norm: new BatchNorm(16) };
const bn3 = { x: tf.randomNormal([8, 32, 32, 32, 32]), norm: new BatchNorm(32) };
const sumOf = (f: () => tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(f(), x));

const cases: Case[] = [
  {
    name: 'relu-bn-pool-dropout forward [64,128,128,16]',
    run: () =>
      tf.tidy(() => {
        activationNormPool(pool.x as tf.Tensor4D, pool.norm, {
          training: true,
          dropout: { rate: 0.1, seed: 1 },
        }).dataSync();
      }),
  },
  {
    name: 'relu-bn-pool-dropout forward+backward',
    run: () =>
      tf.tidy(() => {
        const g = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(
            tf.mul(
              activationNormPool(x as tf.Tensor4D, pool.norm, {
                training: true,
                dropout: { rate: 0.1, seed: 1 },
              }),
              tf.sum(w),
            ),
          ),
        )([pool.x, pool.norm.weight]);
        g[0]?.dataSync();
      }),
  },
  {
    name: 'BatchNorm3d train forward+backward [8,32,32,32,32]',
    run: () =>
      tf.tidy(() => {
        const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.square(bn3.norm.apply(x, true))))(bn3.x);
        dx.dataSync();
      }),
  },
  {
    name: 'BatchNorm3d eval forward [8,32,32,32,32]',
    run: () => tf.tidy(() => void bn3.norm.apply(bn3.x, false).dataSync()),
  },
];
void sumOf;

for (const c of cases) {
  const best = { fused: Number.POSITIVE_INFINITY, plain: Number.POSITIVE_INFINITY };
  for (let i = 0; i < runs; i++) {
    best.plain = Math.min(best.plain, timeCase(c, false));
    best.fused = Math.min(best.fused, timeCase(c, true));
  }
  console.log(
    `${c.name.padEnd(52)} plain ${best.plain.toFixed(1).padStart(8)} ms  fused ${best.fused.toFixed(1).padStart(7)} ms  ×${(best.plain / best.fused).toFixed(1)}`,
  );
}
useFusedKernels(true);
