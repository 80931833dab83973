/**
 * A/B timings of the engine's convolution paths on the voxel models' layers (B = 8, 64³): the
 * columns × filter product (`conv-gemm.ts`'s plain path, rebuilt here) against the path the
 * engine now takes, interleaved in one process, minimum of runs of wall time and of process
 * CPU time (the machine is shared: compare the columns of one run, not runs):
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/ab-conv.ts [runs] [layer filter]
 */
import { selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import {
  CHUNK_VALUES,
  convForward,
  convInputGrad,
} from '../../engine/src/kernels/conv/conv-gemm.js';
import {
  type ConvGeometry,
  columnWidth,
  filterShape,
  inputShape,
  outputRows,
  outputShape,
} from '../../engine/src/kernels/conv/geometry.js';
import { uninitialised, wasmColumns } from '../../engine/src/kernels/conv/wasm-columns.js';

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

/** ResNet-18's 3³ stride-1 convolutions at 64³ (no max-pool): one per stage. */
const LAYERS: Array<[string, ConvGeometry]> = [
  ['simple conv1 64³ 1→32 k5 s2', conv3(64, 1, 32, 5, 2, 2)],
  ['simple conv2 32³ 32→64 k5 s2', conv3(32, 32, 64, 5, 2, 2)],
  ['layer1 32³ 64→64', conv3(32, 64, 64, 3, 1, 1)],
  ['layer2 16³ 128→128', conv3(16, 128, 128, 3, 1, 1)],
  ['layer3 8³ 256→256', conv3(8, 256, 256, 3, 1, 1)],
  ['layer4 4³ 512→512', conv3(4, 512, 512, 3, 1, 1)],
];

/** The plain columns path of the forward: vol2col chunks × the filter matrix, concatenated. */
function columnsForward(x: tf.Tensor, filter: tf.Tensor, g: ConvGeometry): tf.Tensor {
  return tf.tidy(() => {
    const w = tf.reshape(filter, [columnWidth(g), g.outChannels]) as tf.Tensor2D;
    const step = Math.max(1, Math.floor(CHUNK_VALUES / columnWidth(g)));
    const parts: tf.Tensor[] = [];
    for (let r0 = 0; r0 < outputRows(g); r0 += step) {
      const r1 = Math.min(outputRows(g), r0 + step);
      const cols = uninitialised([r1 - r0, columnWidth(g)]);
      wasmColumns(x, cols, g, r0, r1, 'gather');
      parts.push(tf.matMul(cols as tf.Tensor2D, w));
      cols.dispose();
    }
    return tf.reshape(tf.concat(parts, 0), outputShape(g));
  });
}

function timed(f: () => tf.Tensor): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const y = f();
  y.dataSync();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  y.dispose();
  return { wall, cpu: (c.user + c.system) / 1000 };
}

await selectBackend('wasm');
for (const [name, g] of LAYERS.filter(([n]) => !process.argv[3] || n.includes(process.argv[3]))) {
  const x = tf.randomNormal(inputShape(g));
  const w = tf.randomNormal(filterShape(g), 0, 0.05);
  const dy = tf.randomNormal(outputShape(g));
  const paths: Record<string, () => tf.Tensor> = {
    'fwd columns': () => columnsForward(x, w, g),
    'fwd now': () => convForward(x, w, g),
    'dx now': () => convInputGrad(dy, w, g),
  };
  const best: Record<string, { wall: number; cpu: number }> = {};
  for (let r = 0; r <= RUNS; r++)
    for (const [path, f] of Object.entries(paths)) {
      const t = timed(f);
      const b = best[path];
      if (r > 0)
        best[path] = {
          wall: Math.min(b?.wall ?? 1e12, t.wall),
          cpu: Math.min(b?.cpu ?? 1e12, t.cpu),
        };
    }
  const line = Object.entries(best).map(
    ([p, t]) => `${p} ${t.wall.toFixed(0)} ms (cpu ${t.cpu.toFixed(0)})`,
  );
  const speedUp = (best['fwd columns']?.wall as number) / (best['fwd now']?.wall as number);
  console.log(`${name.padEnd(20)} ${line.join('  ')}  fwd speed-up ${speedUp.toFixed(2)}`);
  tf.dispose([x, w, dy]);
}
