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

const RUNS = Number(process.argv[2] ?? 5);
const LAYERS = (process.argv.slice(3).length ? process.argv.slice(3) : ['4,512', '8,256']).map(
  (s) => s.split(',').map(Number) as [number, number],
);
await selectBackend('wasm');

function timed(f: () => tf.Tensor): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t = performance.now();
  f().dispose();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

type Best = { wall: number; cpu: number };
const min = (a: Best, b: Best): Best => ({
  wall: Math.min(a.wall, b.wall),
  cpu: Math.min(a.cpu, b.cpu),
});
const show = (b: Best) => `wall ${b.wall.toFixed(1)} cpu ${b.cpu.toFixed(1)}`;

for (const [n, c] of LAYERS) {
  const x = tf.randomNormal([8, n, n, n, c], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 3, c, c], 0, 0.05, 'float32', 2);
  const step = { stride: [1, 1, 1], padding: [1, 1, 1] };
  const dy = tf.randomNormal([8, n, n, n, c], 0, 1, 'float32', 3);
  const forward = () => {
    const y = convolution(x, w, step);
    y.dataSync();
    return y;
  };
  const grad = () => {
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(convolution(a, w, step), dy)))(x);
    g.dataSync();
    return g;
  };
  const none = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
  const best = { on: [none, none], off: [none, none] };
  for (let r = 0; r <= RUNS; r++)
    for (const path of ['on', 'off'] as const) {
      winograd3dSwitch.enabled = path === 'on';
      const f = timed(forward);
      const g = timed(grad);
      if (r === 0) continue; // warm-up
      best[path] = [
        min(best[path][0] as Best, f),
        min(best[path][1] as Best, { wall: g.wall - f.wall, cpu: g.cpu - f.cpu }),
      ];
    }
  console.log(
    `${n}³ ${c}→${c}: forward winograd ${show(best.on[0] as Best)} | columns ${show(best.off[0] as Best)};` +
      ` dx−fwd winograd ${show(best.on[1] as Best)} | columns ${show(best.off[1] as Best)}`,
  );
  tf.dispose([x, w, dy]);
}
