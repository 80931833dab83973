/**
 * Timings of the Winograd filter planes (`filterPlanes`) of 3³ filters at ResNet-18's channel
 * counts, forward and flipped (the input gradient's), minimum of runs of wall time and of process
 * CPU time (the machine is shared: compare the columns of one run, not runs):
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/ab-planes.ts [runs]
 */
import { selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { filterPlanes } from '../../engine/src/kernels/conv/winograd.js';
import { fastest, NEVER, timed } from './bench-timing.js';

const RUNS = Number(process.argv[2] ?? 5);
await selectBackend('wasm');

for (const c of [128, 256, 512]) {
  const w = tf.randomNormal([3, 3, 3, c, c]);
  for (const flipped of [false, true]) {
    let best = NEVER;
    for (let r = 0; r < RUNS; r++)
      best = fastest(
        best,
        timed(() => filterPlanes(w, flipped).dispose()),
      );
    const mb = (36 * 3 * c * c * 4) / 2 ** 20;
    console.log(
      `${c}² ${flipped ? 'flipped' : 'forward'} (${mb.toFixed(0)} MB of planes): wall ${best.wall.toFixed(1)} ms, cpu ${best.cpu.toFixed(1)} ms`,
    );
  }
  w.dispose();
}
