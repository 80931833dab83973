/**
 * A/B timings of the voxel models' convolutions that Winograd does not take (one-channel first
 * layers, which are also the geometry of the decoder's last transposed convolution; stride-2 3³
 * and 1³ layers): the plain columns path (vol2col chunks × filter by XNNPACK's `tf.matMul`;
 * `fusedColumnsSwitch` off), the fused columns (`oneChannel3dSwitch` off) and the path the
 * engine now takes, forward, input
 * gradient and filter gradient, interleaved in one process, minimum of runs of wall time and
 * of process CPU time (the machine is shared: compare within a run), B = 8; each pair's largest
 * difference is printed too:
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/ab-edge.ts [runs] [layer filter]
 */
import { selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  convFilterGrad,
  convForward,
  convInputGrad,
} from '../../engine/src/kernels/conv/conv-gemm.js';
import { fusedColumnsSwitch } from '../../engine/src/kernels/conv/fused-columns.js';
import {
  type ConvGeometry,
  filterShape,
  inputShape,
  outputShape,
} from '../../engine/src/kernels/conv/geometry.js';
import { oneChannel3dSwitch } from '../../engine/src/kernels/conv/one-channel-3d.js';

const RUNS = Number(process.argv[2] ?? 3);

/** A cubic 3-D geometry at B = 8. */
function conv3(
  n: number,
  cin: number,
  cout: number,
  k: number,
  s: number,
  p: number,
): ConvGeometry {
  const m = Math.floor((n + 2 * p - k) / s) + 1;
  return {
    dims: 3,
    batch: 8,
    inSize: [n, n, n],
    inChannels: cin,
    outSize: [m, m, m],
    outChannels: cout,
    kernel: [k, k, k],
    stride: [s, s, s],
    padding: [p, p, p],
  };
}

const LAYERS: Array<[string, ConvGeometry]> = [
  ['simple conv1 / deconv1 1↔32 k5 s2 64³', conv3(64, 1, 32, 5, 2, 2)],
  ['simple conv3 64→128 k3 s2 p0 16³', conv3(16, 64, 128, 3, 2, 0)],
  ['resnet conv1 1→64 k7 s2 64³', conv3(64, 1, 64, 7, 2, 3)],
  ['resnet layer2.0 64→128 k3 s2 32³', conv3(32, 64, 128, 3, 2, 1)],
  ['resnet layer3.0 128→256 k3 s2 16³', conv3(16, 128, 256, 3, 2, 1)],
  ['resnet layer4.0 256→512 k3 s2 8³', conv3(8, 256, 512, 3, 2, 1)],
  ['resnet shortcut 64→128 k1 s2 32³', conv3(32, 64, 128, 1, 2, 0)],
];

function timed(f: () => tf.Tensor): { wall: number; cpu: number; out: tf.Tensor } {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const out = f();
  out.dataSync();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, out };
}

await selectBackend('wasm');
for (const [name, g] of LAYERS.filter(([n]) => !process.argv[3] || n.includes(process.argv[3]))) {
  const x = tf.randomNormal(inputShape(g));
  const w = tf.randomNormal(filterShape(g), 0, 0.05);
  const dy = tf.randomNormal(outputShape(g));
  const pairs: Array<[string, () => tf.Tensor]> = [
    ['fwd', () => convForward(x, w, g)],
    ['dx', () => convInputGrad(dy, w, g)],
    ['dw', () => convFilterGrad(x, dy, g)],
  ];
  const line: string[] = [];
  for (const [what, f] of pairs) {
    const best = [0, 1, 2].map(() => ({ wall: 1e12, cpu: 1e12 }));
    let diff = 0;
    for (let r = 0; r <= RUNS; r++) {
      // The plain columns, the fused columns, the engine's path (one-channel kernel on).
      const outs = [0, 1, 2].map((i) => {
        fusedColumnsSwitch.enabled = i > 0;
        oneChannel3dSwitch.enabled = i > 1;
        const t = timed(f);
        const b = best[i] as { wall: number; cpu: number };
        if (r > 0) [b.wall, b.cpu] = [Math.min(b.wall, t.wall), Math.min(b.cpu, t.cpu)];
        return t.out;
      });
      if (r === 0)
        diff = tf
          .tidy(() => tf.max(tf.abs(tf.sub(outs[0] as tf.Tensor, outs[1] as tf.Tensor))))
          .dataSync()[0] as number;
      tf.dispose(outs);
    }
    const ms = (key: 'wall' | 'cpu') => best.map((b) => b[key].toFixed(0)).join('→');
    line.push(`${what} ${ms('wall')} ms (cpu ${ms('cpu')}, |Δ| ${diff.toExponential(1)})`);
  }
  console.log(`${name.padEnd(36)} ${line.join('  ')}`);
  tf.dispose([x, w, dy]);
}
