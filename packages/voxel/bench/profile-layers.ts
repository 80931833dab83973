/**
 * Times each convolution of the voxel benchmarks' models on the engine (forward, input gradient,
 * filter gradient; min of runs), beside the bare matrix product of the same size, to set beside
 * `profile_layers.py` (PyTorch, 2 threads):
 *
 *   node --conditions=@cellshape/source --import tsx packages/voxel/bench/profile-layers.ts [filter]
 */
import { convolution, convolutionTranspose, selectBackend } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';

const B = 8;
type Layer = [string, boolean, number, number, number, number, number, number, number];
// name, transposed, C_in, C_out, kernel, stride, padding, output padding, input edge
const LAYERS: Layer[] = [
  ['simple.conv1', false, 1, 32, 5, 2, 2, 0, 64],
  ['simple.conv2', false, 32, 64, 5, 2, 2, 0, 32],
  ['simple.conv3', false, 64, 128, 3, 2, 0, 0, 16],
  ['simple.deconv3', true, 128, 64, 3, 2, 0, 1, 7],
  ['simple.deconv2', true, 64, 32, 5, 2, 2, 1, 16],
  ['simple.deconv1', true, 32, 1, 5, 2, 2, 1, 32],
  ['resnet.conv1', false, 1, 64, 7, 2, 3, 0, 64],
  ['resnet.layer1', false, 64, 64, 3, 1, 1, 0, 32],
  ['resnet.layer2.0', false, 64, 128, 3, 2, 1, 0, 32],
  ['resnet.layer2', false, 128, 128, 3, 1, 1, 0, 16],
  ['resnet.layer3', false, 256, 256, 3, 1, 1, 0, 8],
  ['resnet.layer4', false, 512, 512, 3, 1, 1, 0, 4],
];

function best(f: () => tf.Tensor | tf.Tensor[], runs = 3): number {
  const once = (): number => {
    const t = performance.now();
    const out = f();
    for (const o of [out].flat()) o.dataSync();
    const ms = performance.now() - t;
    tf.dispose(out);
    return ms;
  };
  once();
  let m = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) m = Math.min(m, once());
  return m;
}

await selectBackend('wasm');
const only = process.argv[2];
for (const [name, tr, ci, co, k, s, p, op, n] of LAYERS) {
  if (only && !name.includes(only)) continue;
  const x = tf.randomNormal([B, n, n, n, ci], 0, 1, 'float32', 1);
  const w = tf.randomNormal(tr ? [k, k, k, co, ci] : [k, k, k, ci, co], 0, 1, 'float32', 2);
  const step = { stride: [s, s, s], padding: [p, p, p], outputPadding: [op, op, op] };
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    tr ? convolutionTranspose(a, b, step) : convolution(a, b, step);
  const y = f(x, w);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const fwd = best(() => f(x, w));
  const dx = best(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a, w), dy)))(x));
  const dw = best(() => tf.grad((b: tf.Tensor) => tf.sum(tf.mul(f(x, b), dy)))(w));
  // The bare product of the forward: [rows, K·C] × [K·C, C_out] (transposed: the col2vol one).
  const rows = tr ? x.size / ci : y.size / co;
  const [inner, cols] = tr ? [ci, k ** 3 * co] : [k ** 3 * ci, co];
  const a = tf.randomNormal([Math.min(rows, Math.floor(2 ** 23 / inner)), inner]) as tf.Tensor2D;
  const bm = tf.randomNormal([inner, cols]) as tf.Tensor2D;
  const mm = (best(() => tf.matMul(a, bm)) * rows) / (a.shape[0] as number);
  const gflop = (2 * rows * inner * cols) / 1e6;
  console.log(
    `${name.padEnd(16)} out ${y.shape.slice(1, 4)} fwd ${fwd.toFixed(0).padStart(6)} ms  dx−fwd ${(dx - fwd).toFixed(0).padStart(6)}  dw−fwd ${(dw - fwd).toFixed(0).padStart(6)}  | matMul ${mm.toFixed(0).padStart(6)} ms (${(gflop / mm).toFixed(1)} GFLOP/s)`,
  );
  tf.dispose([x, w, y, dy, a, bm]);
}
