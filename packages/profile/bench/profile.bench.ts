/**
 * The 2D models at the GBM thesis's crop size (128×128, one channel, B = 64), beside the same
 * architectures in PyTorch (`reference_profile.py`, torch on 2 threads) in the same run:
 *
 * * `siamese_train_step_B64_128`: the default SiameseEncoder (blocks 16-32-64-128, F = 128,
 *   dropout 0.1), both views through the encoder in training mode, the Barlow Twins loss
 *   (λ = 0.005), backward, Adam (lr 1e-3, weight decay 1e-6). The views are drawn before timing.
 * * `ae2d_forward_B64_128`: the default ConvAutoEncoder2D (levels 8-16-32-64, two 3×3
 *   convolutions each, code 8×8×1 = 64 features), eval forward (features + reconstruction).
 *
 * Backend: what `selectBackend()` picks (CELLSHAPE_BACKEND to force one).
 */
import { Adam, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchCase, ReferenceRun } from '../../../scripts/bench-types.js';
import { barlowTwinsLoss } from '../src/models/barlow-twins-loss.js';
import { ConvAutoEncoder2D } from '../src/models/conv-autoencoder-2d.js';
import { SiameseEncoder } from '../src/models/siamese-encoder.js';

const [B, S] = [64, 128];

interface SiameseState {
  encoder: SiameseEncoder;
  views: [tf.Tensor, tf.Tensor];
  adam: Adam;
}

interface AeState {
  model: ConvAutoEncoder2D;
  images: tf.Tensor;
}

const images = (seed: number): tf.Tensor => tf.randomUniform([B, S, S, 1], 0, 1, 'float32', seed);

async function prepareSiamese(): Promise<SiameseState> {
  await selectBackend();
  const encoder = new SiameseEncoder({ inputShape: [S, S, 1] }).train();
  const adam = new Adam(encoder.namedParameters(), { lr: 1e-3, weightDecay: 1e-6 });
  return { encoder, views: [images(1), images(2)], adam };
}

function siameseStep(s: SiameseState): number {
  const params = s.encoder.namedParameters();
  const { value, grads } = tf.variableGrads(
    () =>
      barlowTwinsLoss(s.encoder.encode(s.views[0]), s.encoder.encode(s.views[1]), {
        lambda: 0.005,
      }),
    params.map(([, v]) => v),
  );
  s.adam.step(new Map(params.map(([name, v]) => [name, grads[v.name] as tf.Tensor])));
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

async function prepareAe(): Promise<AeState> {
  await selectBackend();
  return { model: new ConvAutoEncoder2D({ inputShape: [S, S, 1] }).eval(), images: images(3) };
}

function aeForward(s: AeState): number {
  const { features, reconstruction } = s.model.forward(s.images);
  const value = reconstruction.dataSync()[0] as number;
  tf.dispose([features, reconstruction]);
  return value;
}

const reference = (only: string): ReferenceRun => ({
  script: 'packages/profile/bench/reference_profile.py',
  only,
  args: ['--B', String(B), '--size', String(S)],
});
const facts = (): Record<string, string> => ({ backend: tf.getBackend() });

const siamese: BenchCase<SiameseState> = {
  bench: `siamese_train_step_B${B}_${S}`,
  description: `Siamese encoder train step at B = ${B}, ${S}²: two views, Barlow Twins, backward, Adam`,
  setup: prepareSiamese,
  run: siameseStep,
  reference: reference('siamese_train_step'),
  runs: { min: 2, max: 10, budgetSeconds: 60 },
  facts: (_s, loss) => ({ ...facts(), loss: Number(loss).toPrecision(6) }),
};

const ae: BenchCase<AeState> = {
  bench: `ae2d_forward_B${B}_${S}`,
  description: `2D conv autoencoder (U-Net without skips), eval forward [${B}, ${S}, ${S}, 1]`,
  setup: prepareAe,
  run: aeForward,
  reference: reference('ae2d_forward'),
  runs: { min: 2, max: 10, budgetSeconds: 60 },
  facts,
};

export default [siamese, ae] as BenchCase[];
