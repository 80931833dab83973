/**
 * Times one eval-mode forward of the default DFN (B = 16, N = 2048, k = 20, F = 128, M = 2025)
 * per backend, after a warm-up on a small batch. Information only (the benchmark suite of the
 * repo is `pnpm bench`).
 *
 * usage: node --conditions=@cellshape/source --import tsx packages/cloud/scripts/bench-forward.ts [cpu,wasm] [B]
 */
import { type BackendName, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';
import { CloudAutoEncoder } from '../src/model/index.js';

const backends = (process.argv[2] ?? 'wasm,cpu').split(',') as BackendName[];
const batch = Number(process.argv[3] ?? 16);
for (const backend of backends) {
  await selectBackend(backend);
  const model = new CloudAutoEncoder({ numFeatures: 128, k: 20 }).eval();
  const warm = tf.randomNormal([1, 256, 3]);
  tf.dispose(model.forward(warm));
  const x = tf.randomNormal([batch, 2048, 3], 0, 1, 'float32', 0);
  const start = performance.now();
  const out = model.forward(x);
  out.reconstruction.dataSync();
  const ms = performance.now() - start;
  console.log(
    JSON.stringify({
      bench: 'dfn_forward_eval',
      backend,
      B: batch,
      N: 2048,
      k: 20,
      F: 128,
      ms: Math.round(ms),
    }),
  );
  tf.dispose([warm, x, out]);
  model.dispose();
}
