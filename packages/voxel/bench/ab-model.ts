/**
 * A/B timings of the voxel benchmarks' models with some of the engine's convolution paths on and
 * off, interleaved in one process, minimum of runs of wall time and of process CPU time (the
 * machine is shared: compare the columns of one run, not runs). Same models and inputs as
 * voxel.bench.ts. The paths (`winograd`: the 3-D Winograd passes, off = columns × filter;
 * `edge`: the one-channel kernels and fused columns of the convolutions Winograd does not take,
 * off = the plain columns × filter):
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/ab-model.ts [winograd|edge] [runs] [case filter]
 */
import { Adam, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { fusedColumnsSwitch } from '../../engine/src/kernels/conv/fused-columns.js';
import { oneChannel3dSwitch } from '../../engine/src/kernels/conv/one-channel-3d.js';
import { winograd3dSwitch } from '../../engine/src/kernels/conv/winograd3d.js';
import { bceLoss } from '../src/losses/index.js';
import { VoxelAutoEncoder, type VoxelAutoEncoderOptions } from '../src/model/index.js';
import { fastest, NEVER, type Timing, timed } from './bench-timing.js';

const SWITCHES = {
  winograd: [winograd3dSwitch],
  edge: [fusedColumnsSwitch, oneChannel3dSwitch],
};
const which = (process.argv[2] ?? 'winograd') as keyof typeof SWITCHES;
if (!(which in SWITCHES)) throw new Error(`ab-model: unknown path ${which} (winograd or edge)`);
const switches = SWITCHES[which];
const setPaths = (on: boolean) => {
  for (const s of switches) s.enabled = on;
};
const RUNS = Number(process.argv[3] ?? 3);
const [B, N] = [8, 64];

await selectBackend('wasm');
const volumes = tf.tidy(() =>
  tf.cast(tf.greater(tf.randomUniform([B, N, N, N, 1], 0, 1, 'float32', 1), 0.5), 'float32'),
);

function forwardCase(options: VoxelAutoEncoderOptions): () => void {
  const model = new VoxelAutoEncoder({ ...options, inputShape: [N, N, N, 1] }).eval();
  return () => {
    const { features, reconstruction } = model.forward(volumes);
    reconstruction.dataSync();
    tf.dispose([features, reconstruction]);
  };
}

function trainCase(): () => void {
  const model = new VoxelAutoEncoder({ inputShape: [N, N, N, 1] }).train();
  const params = model.namedParameters();
  const adam = new Adam(params, { lr: 1e-4, weightDecay: 1e-6 });
  return () => {
    const { value, grads } = tf.variableGrads(
      () => {
        const { features, reconstruction } = model.forward(volumes);
        features.dispose();
        return bceLoss(volumes, reconstruction);
      },
      params.map(([, v]) => v),
    );
    adam.step(new Map(params.map(([name, v]) => [name, grads[v.name] as tf.Tensor])));
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

const CASES: Array<[string, () => () => void]> = [
  ['voxel_forward_B8_64', () => forwardCase({})],
  ['voxel_train_step_B8_64', trainCase],
  ['resnet18_forward_B8_64', () => forwardCase({ encoderType: 'resnet', resnetDepth: 18 })],
];

for (const [name, make] of CASES.filter(([n]) => !process.argv[4] || n.includes(process.argv[4]))) {
  const run = make();
  const best: Record<string, Timing> = {};
  for (let r = 0; r <= RUNS; r++)
    for (const path of ['off', 'on']) {
      setPaths(path === 'on');
      const t = timed(run);
      if (r > 0) best[path] = fastest(best[path] ?? NEVER, t);
    }
  setPaths(true);
  const line = Object.entries(best).map(
    ([p, t]) => `${p} ${t.wall.toFixed(0)} ms (cpu ${t.cpu.toFixed(0)})`,
  );
  const [a, b] = [best.off as Timing, best.on as Timing];
  console.log(
    `${name.padEnd(24)} ${line.join('  ')}  speed-up wall ${(a.wall / b.wall).toFixed(2)} cpu ${(a.cpu / b.cpu).toFixed(2)}`,
  );
}
