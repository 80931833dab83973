/**
 * A/B timings of ResNet-18's 3³ stride-1 layers (B = 8; layer4: 512 → 512 channels at 4³) by the
 * 3-D Winograd path against the columns (`winograd3dSwitch` off), interleaved in one process:
 * forward and input gradient (`tf.grad` less the forward), minimum of runs of wall time and of
 * process CPU time (the machine is shared: compare the columns of one run, not runs):
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/ab-layer4.ts [runs] [edge,C ...]
 */
import { convolution, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { winograd3dSwitch } from '../../engine/src/kernels/conv/winograd3d.js';
import { fastest, NEVER, type Timing, timed } from './bench-timing.js';

const RUNS = Number(process.argv[2] ?? 5);
const LAYERS = (process.argv.slice(3).length ? process.argv.slice(3) : ['4,512', '8,256']).map(
  (s) => s.split(',').map(Number) as [number, number],
);
await selectBackend('wasm');

const show = (b: Timing) => `wall ${b.wall.toFixed(1)} cpu ${b.cpu.toFixed(1)}`;

for (const [n, c] of LAYERS) {
  const x = tf.randomNormal([8, n, n, n, c], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 3, c, c], 0, 0.05, 'float32', 2);
  const step = { stride: [1, 1, 1], padding: [1, 1, 1] };
  const dy = tf.randomNormal([8, n, n, n, c], 0, 1, 'float32', 3);
  const forward = () => {
    const y = convolution(x, w, step);
    y.dataSync();
    y.dispose();
  };
  const grad = () => {
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(convolution(a, w, step), dy)))(x);
    g.dataSync();
    g.dispose();
  };
  const best = { on: [NEVER, NEVER], off: [NEVER, NEVER] };
  for (let r = 0; r <= RUNS; r++)
    for (const path of ['on', 'off'] as const) {
      winograd3dSwitch.enabled = path === 'on';
      const f = timed(forward);
      const g = timed(grad);
      if (r === 0) continue; // warm-up
      best[path] = [
        fastest(best[path][0] as Timing, f),
        fastest(best[path][1] as Timing, { wall: g.wall - f.wall, cpu: g.cpu - f.cpu }),
      ];
    }
  console.log(
    `${n}³ ${c}→${c}: forward winograd ${show(best.on[0] as Timing)} | columns ${show(best.off[0] as Timing)};` +
      ` dx−fwd winograd ${show(best.on[1] as Timing)} | columns ${show(best.off[1] as Timing)}`,
  );
  tf.dispose([x, w, dy]);
}
