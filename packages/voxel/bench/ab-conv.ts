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
import { cubeGeometry, fastest, NEVER, type Timing, timed } from './bench-timing.js';

const RUNS = Number(process.argv[2] ?? 3);

/** ResNet-18's 3³ stride-1 convolutions at 64³ (no max-pool): one per stage. */
const LAYERS: Array<[string, ConvGeometry]> = [
  ['simple conv1 64³ 1→32 k5 s2', cubeGeometry(64, 1, 32, 5, 2, 2)],
  ['simple conv2 32³ 32→64 k5 s2', cubeGeometry(32, 32, 64, 5, 2, 2)],
  ['layer1 32³ 64→64', cubeGeometry(32, 64, 64, 3, 1, 1)],
  ['layer2 16³ 128→128', cubeGeometry(16, 128, 128, 3, 1, 1)],
  ['layer3 8³ 256→256', cubeGeometry(8, 256, 256, 3, 1, 1)],
  ['layer4 4³ 512→512', cubeGeometry(4, 512, 512, 3, 1, 1)],
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
  const best: Record<string, Timing> = {};
  for (let r = 0; r <= RUNS; r++)
    for (const [path, f] of Object.entries(paths)) {
      const t = timed(() => {
        const y = f();
        y.dataSync();
        y.dispose();
      });
      if (r > 0) best[path] = fastest(best[path] ?? NEVER, t);
    }
  const line = Object.entries(best).map(
    ([p, t]) => `${p} ${t.wall.toFixed(0)} ms (cpu ${t.cpu.toFixed(0)})`,
  );
  const speedUp = (best['fwd columns']?.wall as number) / (best['fwd now']?.wall as number);
  console.log(`${name.padEnd(20)} ${line.join('  ')}  fwd speed-up ${speedUp.toFixed(2)}`);
  tf.dispose([x, w, dy]);
}
