/**
 * The voxel autoencoder at the default cube (64³, B = 8), beside the PyTorch reference of
 * `reference_voxel.py` in the same run (torch on 2 threads): the simple 3-layer model's eval
 * forward and training step (training-mode forward, BCE, backward, Adam lr 1e-4, weight decay
 * 1e-6), and the ResNet-18 autoencoder's eval forward. Backend: what `selectBackend()` picks
 * (CELLSHAPE_BACKEND to force one).
 */
import { Adam, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase, ReferenceRun } from '../../../scripts/bench-types.js';
import { bceLoss } from '../src/losses/index.js';
import { VoxelAutoEncoder, type VoxelAutoEncoderOptions } from '../src/model/index.js';

const [B, N] = [8, 64];

interface State {
  model: VoxelAutoEncoder;
  volumes: tf.Tensor;
  adam?: Adam;
}

async function prepare(options: VoxelAutoEncoderOptions, train: boolean): Promise<State> {
  await selectBackend();
  const model = new VoxelAutoEncoder({ ...options, inputShape: [N, N, N, 1] });
  const volumes = tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([B, N, N, N, 1], 0, 1, 'float32', 1), 0.5), 'float32'),
  );
  if (!train) return { model: model.eval(), volumes };
  const adam = new Adam(model.namedParameters(), { lr: 1e-4, weightDecay: 1e-6 });
  return { model: model.train(), volumes, adam };
}

function forward(s: State): number {
  const { features, reconstruction } = s.model.forward(s.volumes);
  const value = reconstruction.dataSync()[0] as number;
  tf.dispose([features, reconstruction]);
  return value;
}

function trainStep(s: State): number {
  const params = s.model.namedParameters();
  const { value, grads } = tf.variableGrads(
    () => {
      const { features, reconstruction } = s.model.forward(s.volumes);
      features.dispose();
      return bceLoss(s.volumes, reconstruction);
    },
    params.map(([, v]) => v),
  );
  s.adam?.step(new Map(params.map(([name, v]) => [name, grads[v.name] as tf.Tensor])));
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

const reference = (only: string): ReferenceRun => ({
  script: 'packages/voxel/bench/reference_voxel.py',
  only,
  args: ['--B', String(B), '--n', String(N)],
});
const facts = (): Record<string, string> => ({ backend: tf.getBackend() });

const cases: BenchCase<State>[] = [
  {
    bench: `voxel_forward_B${B}_${N}`,
    description: `simple 3-layer voxel autoencoder, eval forward [${B}, ${N}³, 1] → features + reconstruction`,
    setup: () => prepare({}, false),
    run: forward,
    reference: reference('voxel_forward'),
    runs: { min: 2, max: 10, budgetSeconds: 60 },
    facts,
  },
  {
    bench: `voxel_train_step_B${B}_${N}`,
    description: `simple 3-layer voxel autoencoder train step at B = ${B}: forward, BCE, backward, Adam`,
    setup: () => prepare({}, true),
    run: trainStep,
    reference: reference('voxel_train_step'),
    runs: { min: 2, max: 10, budgetSeconds: 90 },
    facts: (_s, loss) => ({ ...facts(), loss: Number(loss).toPrecision(6) }),
  },
  {
    bench: `resnet18_forward_B${B}_${N}`,
    description: `ResNet-18 voxel autoencoder (shortcut B, no max-pool), eval forward [${B}, ${N}³, 1]`,
    setup: () => prepare({ encoderType: 'resnet', resnetDepth: 18 }, false),
    run: forward,
    reference: reference('resnet18_forward'),
    runs: { min: 2, max: 10, budgetSeconds: 90 },
    facts,
  },
];

export default cases as BenchCase[];
