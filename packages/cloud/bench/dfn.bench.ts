/**
 * The DFN autoencoder at the training size (N = 2048, k = 20, F = 128, foldingnet decoder),
 * beside the PyTorch reference in the same run (bench.py `dfn_forward_eval` /
 * `dfn_train_step`, torch on 2 threads): the eval forward and one training step (train-mode
 * forward, `chamfer_sum`, backward, Adam lr 1e-4, weight decay 1e-6). Default implementation
 * ('fast') on the backend `selectBackend()` picks (CELLSHAPE_BACKEND to force one).
 */
import { Adam, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { chamferLoss } from '../src/losses/index.js';
import { CloudAutoEncoder } from '../src/model/index.js';

const [N, K, F] = [2048, 20, 128];

interface State {
  model: CloudAutoEncoder;
  points: tf.Tensor3D;
  adam?: Adam;
}

async function prepare(b: number, train: boolean): Promise<State> {
  await selectBackend();
  const model = new CloudAutoEncoder({ numFeatures: F, k: K });
  const points = tf.randomNormal([b, N, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
  if (!train) return { model: model.eval(), points };
  const adam = new Adam(model.namedParameters(), { lr: 1e-4, weightDecay: 1e-6 });
  return { model: model.train(), points, adam };
}

function forward(s: State): number {
  const { features, reconstruction } = s.model.forward(s.points);
  const value = reconstruction.dataSync()[0] as number;
  tf.dispose([features, reconstruction]);
  return value;
}

function trainStep(s: State): number {
  const params = s.model.namedParameters();
  const { value, grads } = tf.variableGrads(
    () => {
      const { features, reconstruction } = s.model.forward(s.points);
      features.dispose();
      return chamferLoss(s.points, reconstruction);
    },
    params.map(([, v]) => v),
  );
  const byName = new Map(params.map(([name, v]) => [name, grads[v.name] as tf.Tensor]));
  s.adam?.step(byName);
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

const facts = (): Record<string, string> => ({ backend: tf.getBackend() });

function cases(b: number): BenchCase<State>[] {
  const ref = (only: string) => ({ only, args: ['--B', String(b)] });
  return [
    {
      bench: `forward_B${b}`,
      description: `DFN eval forward, [${b}, 2048, 3] → features + [${b}, 2025, 3]`,
      setup: () => prepare(b, false),
      run: forward,
      reference: ref('dfn_forward_eval'),
      runs: { min: 3, max: 10, budgetSeconds: 40 },
      facts,
    },
    {
      bench: `train_step_B${b}`,
      description: `DFN train step at B = ${b}: forward, chamfer_sum, backward, Adam`,
      setup: () => prepare(b, true),
      run: trainStep,
      reference: ref('dfn_train_step'),
      runs: { min: 3, max: 10, budgetSeconds: 60 },
      facts: (_s, loss) => ({ ...facts(), loss: Number(loss).toPrecision(6) }),
    },
  ];
}

const all: BenchCase<State>[] = [...cases(16), ...cases(4)];
export default all as BenchCase[];
