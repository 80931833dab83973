/**
 * A/B timings of the 2-D bench cases with the engine's fused kernels on and off, in one
 * process, interleaved, minimum of `runs` of wall time and of the process's CPU time over all
 * threads (less sensitive to other load on a shared machine), plus the peak tensor bytes of each
 * path (tf.profile): one Siamese Barlow Twins training step
 * (`siamese_train_step_B64_128`) and the 2-D autoencoder's eval forward (`ae2d_forward_B64_128`).
 *
 *   node --conditions=@cellshape/source --import tsx packages/profile/scripts/siamese-ab.ts [runs] [B]
 */
import { Adam, selectBackend, useFusedKernels } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { barlowTwinsLoss } from '../src/models/barlow-twins-loss.js';
import { ConvAutoEncoder2D } from '../src/models/conv-autoencoder-2d.js';
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

const autoencoder = new ConvAutoEncoder2D({ inputShape: [S, S, 1] }).eval();

function aeForward(): number {
  const { features, reconstruction } = autoencoder.forward(views[0] as tf.Tensor);
  const value = reconstruction.dataSync()[0] as number;
  tf.dispose([features, reconstruction]);
  return value;
}

type Mode = 'fused' | 'plain';
const gb = (b: number) => (b / 2 ** 30).toFixed(2);

async function abTime(name: string, run: () => number): Promise<void> {
  const best = { fused: Number.POSITIVE_INFINITY, plain: Number.POSITIVE_INFINITY };
  const cpu = { fused: Number.POSITIVE_INFINITY, plain: Number.POSITIVE_INFINITY };
  const peak = { fused: 0, plain: 0 };
  for (const mode of ['fused', 'plain'] as Mode[]) {
    useFusedKernels(mode === 'fused');
    run(); // warm-up
    peak[mode] = (await tf.profile(() => void run())).peakBytes;
  }
  for (let i = 0; i < runs; i++)
    for (const mode of ['plain', 'fused'] as Mode[]) {
      useFusedKernels(mode === 'fused');
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      run();
      best[mode] = Math.min(best[mode], performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[mode] = Math.min(cpu[mode], (c.user + c.system) / 1000);
    }
  useFusedKernels(true);
  console.log(
    `${name} on ${tf.getBackend()}: wall plain ${best.plain.toFixed(0)} ms, fused ${best.fused.toFixed(0)} ms (×${(best.plain / best.fused).toFixed(2)}); CPU time (all threads) plain ${cpu.plain.toFixed(0)} ms, fused ${cpu.fused.toFixed(0)} ms (×${(cpu.plain / cpu.fused).toFixed(2)}); peak tensors plain ${gb(peak.plain)} GiB, fused ${gb(peak.fused)} GiB`,
  );
}

await abTime(`siamese train step B=${B} ${S}²`, step);
await abTime(`ae2d eval forward B=${B} ${S}²`, aeForward);
