/**
 * The engine's 3-D convolutions at the simple voxel autoencoder's sizes (B = 8, 64³): its
 * first two encoder layers (Conv3d 1→32 and 32→64, 5³, stride 2, padding 2) and the last two
 * decoder layers mirroring them (ConvTranspose3d 64→32 and 32→1, output padding 1), forward
 * only and forward + backward (gradients of every weight and bias and of the intermediate
 * activation), each beside PyTorch's same layers (`reference_conv.py`, 2 threads). Backend:
 * `selectBackend()` (CELLSHAPE_BACKEND to force).
 */
import { createRng } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { selectBackend, wasmThreadCount } from '../src/backend/index.js';
import { Conv3d, ConvTranspose3d } from '../src/nn/index.js';

const [B, S] = [8, 64];
const SCRIPT = 'packages/engine/bench/reference_conv.py';

/** Two layers and their input. */
interface Stack {
  layers: Array<Conv3d | ConvTranspose3d>;
  input: tf.Tensor;
}

async function encoder(): Promise<Stack> {
  await selectBackend();
  const rng = createRng(1);
  const conv = { kernelSize: 5, stride: 2, padding: 2 };
  return {
    layers: [
      new Conv3d(rng, { inChannels: 1, outChannels: 32, ...conv }),
      new Conv3d(rng, { inChannels: 32, outChannels: 64, ...conv }),
    ],
    input: tf.randomNormal([B, S, S, S, 1], 0, 1, 'float32', 7),
  };
}

async function decoder(): Promise<Stack> {
  await selectBackend();
  const rng = createRng(1);
  const up = { kernelSize: 5, stride: 2, padding: 2, outputPadding: 1 };
  const s = S / 4;
  return {
    layers: [
      new ConvTranspose3d(rng, { inChannels: 64, outChannels: 32, ...up }),
      new ConvTranspose3d(rng, { inChannels: 32, outChannels: 1, ...up }),
    ],
    input: tf.randomNormal([B, s, s, s, 64], 0, 1, 'float32', 7),
  };
}

function forward(s: Stack): tf.Tensor {
  return s.layers.reduce((h, layer) => {
    const next = layer.forward(h);
    if (h !== s.input) h.dispose();
    return next;
  }, s.input);
}

/** Forward, then the gradients of Σ output w.r.t. every weight and bias (read back). */
function backward(s: Stack): number {
  const { value, grads } = tf.variableGrads(() => tf.sum(forward(s)) as tf.Scalar);
  const v = value.dataSync()[0] as number;
  for (const g of Object.values(grads)) g.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
  return v;
}

const facts = () => ({ backend: tf.getBackend(), threads: wasmThreadCount() });
const runs = { min: 2, max: 5, budgetSeconds: 30 };

const cases: BenchCase<Stack>[] = [
  {
    bench: 'conv3d_forward_B8_64',
    description: 'Conv3d 1→32 → Conv3d 32→64 (5³, s2, p2) on [8, 64³, 1], forward',
    setup: encoder,
    run: (s) => forward(s).dispose(),
    reference: { script: SCRIPT, only: 'conv3d_forward', args: [] },
    runs,
    facts,
  },
  {
    bench: 'conv3d_backward_B8_64',
    description: 'the same two Conv3d, forward + gradients of weights, biases and the activation',
    setup: encoder,
    run: backward,
    reference: { script: SCRIPT, only: 'conv3d_backward', args: [] },
    runs,
    facts,
  },
  {
    bench: 'conv3d_transpose_forward_B8_64',
    description: 'ConvTranspose3d 64→32 → 32→1 (5³, s2, p2, op1) on [8, 16³, 64], forward',
    setup: decoder,
    run: (s) => forward(s).dispose(),
    reference: { script: SCRIPT, only: 'conv3d_transpose_forward', args: [] },
    runs,
    facts,
  },
  {
    bench: 'conv3d_transpose_backward_B8_64',
    description: 'the same two ConvTranspose3d, forward + gradients',
    setup: decoder,
    run: backward,
    reference: { script: SCRIPT, only: 'conv3d_transpose_backward', args: [] },
    runs,
    facts,
  },
];

export default cases;
