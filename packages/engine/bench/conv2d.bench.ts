/**
 * The engine's 2-D convolutions and max pooling at the Siamese encoder's sizes (profile's
 * `siamese_train_step_B64_128`: 128×128×1 crops, batch 64, 3×3 "same" convolutions 1→32→64→
 * 128→256, each followed by a 2×2 max pool), layer by layer, each beside PyTorch's same layers
 * (`reference_conv2d.py`, 2 threads, NCHW as a PyTorch model holds them). Each case sums the
 * four layers, every layer run on its own seeded input. Backend: `selectBackend()`
 * (CELLSHAPE_BACKEND to force).
 */
import { createRng } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BenchCase } from '../../../scripts/bench-types.js';
import { selectBackend, wasmThreadCount } from '../src/backend/index.js';
import { Conv2d } from '../src/nn/index.js';

const B = 64;
const SCRIPT = 'packages/engine/bench/reference_conv2d.py';
/** Side and channels in → out of each encoder layer. */
const LAYERS: Array<[number, number, number]> = [
  [128, 1, 32],
  [64, 32, 64],
  [32, 64, 128],
  [16, 128, 256],
];

interface Layer {
  conv: Conv2d;
  x: tf.Tensor4D;
  /** The output gradient (a seeded cotangent). */
  dy: tf.Tensor;
}

const input = (s: number, c: number, seed: number): tf.Tensor4D =>
  tf.randomNormal([B, s, s, c], 0, 1, 'float32', seed);

async function layers(): Promise<Layer[]> {
  await selectBackend();
  const rng = createRng(1);
  return LAYERS.map(([s, ci, co], i) => ({
    conv: new Conv2d(rng, { inChannels: ci, outChannels: co, kernelSize: 3, padding: 1 }),
    // Past the first layer the input is a variable: the backward case wants its gradient.
    x: i > 0 ? tf.variable(input(s, ci, 7 + i)) : input(s, ci, 7 + i),
    dy: tf.randomNormal([B, s, s, co], 0, 1, 'float32', 17 + i),
  }));
}

/** The pooling inputs: each layer's output shape. */
async function poolInputs(): Promise<tf.Tensor4D[]> {
  await selectBackend();
  return LAYERS.map(([s, , co], i) => tf.randomNormal([B, s, s, co], 0, 1, 'float32', 27 + i));
}

/**
 * Forward, then the gradients of Σ y·dy w.r.t. every variable it reads — the weight, the bias
 * and, past the first layer, the input — in one backward pass, as PyTorch's.
 */
function backward(l: Layer): void {
  const f = () => tf.sum(tf.mul(l.conv.forward(l.x), l.dy)) as tf.Scalar;
  const { value, grads } = tf.variableGrads(f);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

const facts = () => ({ backend: tf.getBackend(), threads: wasmThreadCount() });
const runs = { min: 2, max: 5, budgetSeconds: 30 };

const cases = [
  {
    bench: 'conv2d_forward_B64_128',
    description:
      'the 4 Conv2d 3×3 "same" layers of the Siamese encoder (1→32@128² … 128→256@16²), forward',
    setup: layers,
    run: (ls: Layer[]) => {
      for (const l of ls) l.conv.forward(l.x).dispose();
    },
    reference: { script: SCRIPT, only: 'conv2d_forward', args: [] },
    runs,
    facts,
  } satisfies BenchCase<Layer[]>,
  {
    bench: 'conv2d_backward_B64_128',
    description:
      'the same 4 layers: forward + weight, bias and input gradients (no input gradient for the first)',
    setup: layers,
    run: (ls: Layer[]) => {
      for (const l of ls) backward(l);
    },
    reference: { script: SCRIPT, only: 'conv2d_backward', args: [] },
    runs,
    facts,
  } satisfies BenchCase<Layer[]>,
  {
    bench: 'maxpool2d_B64_128',
    description: 'MaxPool 2×2 stride 2 after each of the 4 layers: forward + input gradient',
    setup: poolInputs,
    run: (xs: tf.Tensor4D[]) => {
      for (const x of xs) {
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(
          x,
        );
        dx.dispose();
      }
    },
    reference: { script: SCRIPT, only: 'maxpool2d', args: [] },
    runs,
    facts,
  } satisfies BenchCase<tf.Tensor4D[]>,
];

export default cases as BenchCase[];
