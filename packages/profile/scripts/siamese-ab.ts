/**
 * A/B timing of one Siamese Barlow Twins training step (the `siamese_train_step_B64_128` bench
 * case) with the engine's fused kernels on and off, in one process, interleaved, minimum of
 * `runs` (the machine may be shared), plus the peak tensor bytes of each path (tf.profile):
 *
 *   node --conditions=@cellshape/source --import tsx packages/profile/scripts/siamese-ab.ts [runs] [B]
 */
import { Adam, selectBackend, useFusedKernels } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { barlowTwinsLoss } from '../src/models/barlow-twins-loss.js';
import { SiameseEncoder } from '../src/models/siamese-encoder.js';

await selectBackend();
const runs = Number(process.argv[2] ?? 4);
const B = Number(process.argv[3] ?? 64);
const S = 128;
const encoder = new SiameseEncoder({ inputShape: [S, S, 1] }).train();
const adam = new Adam(encoder.namedParameters(), { lr: 1e-3, weightDecay: 1e-6 });
const views = [1, 2].map((seed) => tf.randomUniform([B, S, S, 1], 0, 1, 'float32', seed));

function step(): number {
  const params = encoder.namedParameters();
  const { value, grads } = tf.variableGrads(
    () =>
      barlowTwinsLoss(
        encoder.encode(views[0] as tf.Tensor),
        encoder.encode(views[1] as tf.Tensor),
        {
          lambda: 0.005,
        },
      ),
    params.map(([, v]) => v),
  );
  adam.step(new Map(params.map(([name, v]) => [name, grads[v.name] as tf.Tensor])));
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

const best = { fused: Number.POSITIVE_INFINITY, plain: Number.POSITIVE_INFINITY };
const peak = { fused: 0, plain: 0 };
for (const mode of ['fused', 'plain'] as const) {
  useFusedKernels(mode === 'fused');
  step(); // warm-up
  peak[mode] = (await tf.profile(() => void step())).peakBytes;
}
for (let i = 0; i < runs; i++)
  for (const mode of ['plain', 'fused'] as const) {
    useFusedKernels(mode === 'fused');
    const t0 = performance.now();
    step();
    best[mode] = Math.min(best[mode], performance.now() - t0);
  }
useFusedKernels(true);
const gb = (b: number) => (b / 2 ** 30).toFixed(2);
console.log(
  `siamese train step B=${B} ${S}² on ${tf.getBackend()}: plain ${best.plain.toFixed(0)} ms (peak tensors ${gb(peak.plain)} GiB), fused ${best.fused.toFixed(0)} ms (peak ${gb(peak.fused)} GiB), ×${(best.plain / best.fused).toFixed(2)}`,
);
