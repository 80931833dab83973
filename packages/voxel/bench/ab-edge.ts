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
import { cubeGeometry, fastest, NEVER, timed } from './bench-timing.js';

const RUNS = Number(process.argv[2] ?? 3);

const LAYERS: Array<[string, ConvGeometry]> = [
  ['simple conv1 / deconv1 1↔32 k5 s2 64³', cubeGeometry(64, 1, 32, 5, 2, 2)],
  ['simple conv3 64→128 k3 s2 p0 16³', cubeGeometry(16, 64, 128, 3, 2, 0)],
  ['resnet conv1 1→64 k7 s2 64³', cubeGeometry(64, 1, 64, 7, 2, 3)],
  ['resnet layer2.0 64→128 k3 s2 32³', cubeGeometry(32, 64, 128, 3, 2, 1)],
  ['resnet layer3.0 128→256 k3 s2 16³', cubeGeometry(16, 128, 256, 3, 2, 1)],
  ['resnet layer4.0 256→512 k3 s2 8³', cubeGeometry(8, 256, 512, 3, 2, 1)],
  ['resnet shortcut 64→128 k1 s2 32³', cubeGeometry(32, 64, 128, 1, 2, 0)],
];

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
    const best = [NEVER, NEVER, NEVER];
    let diff = 0;
    for (let r = 0; r <= RUNS; r++) {
      // The plain columns, the fused columns, the engine's path (one-channel kernel on).
      const outs = [0, 1, 2].map((i) => {
        fusedColumnsSwitch.enabled = i > 0;
        oneChannel3dSwitch.enabled = i > 1;
        let out = undefined as unknown as tf.Tensor;
        const t = timed(() => {
          out = f();
          out.dataSync();
        });
        if (r > 0) best[i] = fastest(best[i] ?? NEVER, t);
        return out;
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
