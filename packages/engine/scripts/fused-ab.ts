/**
 * A/B timings of the fused batch-norm kernels against the plain tfjs compositions, in one
 * process, interleaved, minimum of several runs of wall time and of CPU time over all threads
 * (the machine may be shared):
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

/** Wall and CPU time (all threads) of one run, ms. */
function timeCase(c: Case, fused: boolean): [number, number] {
  useFusedKernels(fused);
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  c.run();
  const cpu = process.cpuUsage(c0);
  return [performance.now() - t0, (cpu.user + cpu.system) / 1000];
}

const pool = { x: tf.randomNormal([64, 128, 128, 16]), norm: new BatchNorm(16) };
const bn3 = { x: tf.randomNormal([8, 32, 32, 32, 32]), norm: new BatchNorm(32) };

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

const f = (v: number) => v.toFixed(1).padStart(7);
for (const c of cases) {
  const wall = { fused: Number.POSITIVE_INFINITY, plain: Number.POSITIVE_INFINITY };
  const cpu = { ...wall };
  for (let i = 0; i < runs; i++)
    for (const mode of ['plain', 'fused'] as const) {
      const [w, t] = timeCase(c, mode === 'fused');
      wall[mode] = Math.min(wall[mode], w);
      cpu[mode] = Math.min(cpu[mode], t);
    }
  console.log(
    `${c.name.padEnd(52)} wall plain ${f(wall.plain)} fused ${f(wall.fused)} ×${(wall.plain / wall.fused).toFixed(1)} | CPU plain ${f(cpu.plain)} fused ${f(cpu.fused)} ×${(cpu.plain / cpu.fused).toFixed(1)} (ms)`,
  );
}
useFusedKernels(true);
