import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { selectBackend } from './index.js';

/** Central finite difference of a scalar function of one tensor, in float64 on the host. */
function numericGrad(
  f: (x: tf.Tensor) => tf.Scalar,
  x: Float32Array,
  shape: number[],
): Float64Array {
  const out = new Float64Array(x.length);
  const h = 1e-2;
  for (let i = 0; i < x.length; i++) {
    const at = (d: number): number => {
      const y = x.slice();
      y[i] = (y[i] as number) + d;
      return tf.tidy(() => f(tf.tensor(y, shape)).dataSync()[0] as number);
    };
    out[i] = (at(h) - at(-h)) / (2 * h);
  }
  return out;
}

const x0 = Float32Array.from({ length: 12 }, (_, i) => Math.sin(1.3 * i + 0.2) + 0.1 * i);
const cases: Array<[string, (x: tf.Tensor) => tf.Scalar]> = [
  [
    'matMul both ways',
    (x) => tf.sum(tf.matMul(tf.reshape(x, [3, 4]), tf.transpose(tf.reshape(x, [3, 4])))),
  ],
  [
    'broadcast add/sub/mul/div',
    (x) => {
      const m = tf.reshape(x, [3, 4]);
      const row = tf.slice(x, 0, 4);
      return tf.sum(tf.div(tf.mul(tf.sub(tf.add(m, 1), row), m), tf.add(tf.square(row), 1)));
    },
  ],
  [
    'reductions',
    (x) =>
      tf.add(tf.sum(tf.max(tf.reshape(x, [3, 4]), 1)), tf.sum(tf.mean(tf.reshape(x, [3, 4]), 0))),
  ],
  [
    'gather',
    (x) =>
      tf.sum(
        tf.mul(
          tf.gather(tf.reshape(x, [4, 3]), tf.tensor1d([0, 2, 2, 3], 'int32')),
          tf.reshape(tf.range(0, 12), [4, 3]),
        ),
      ),
  ],
  [
    'activations',
    (x) => tf.sum(tf.add(tf.leakyRelu(x, 0.2), tf.mul(tf.relu(x), tf.exp(tf.mul(x, 0.1))))),
  ],
  [
    'concat, tile, slice',
    (x) => tf.sum(tf.mul(tf.tile(tf.concat([x, tf.slice(x, 3, 5)]), [2]), tf.range(0, 34))),
  ],
  [
    'sqrt, rsqrt, log, min',
    (x) =>
      tf.add(
        tf.sum(tf.sqrt(tf.add(tf.square(x), 1))),
        tf.add(tf.sum(tf.rsqrt(tf.add(tf.square(x), 2))), tf.min(tf.log(tf.add(tf.abs(x), 1)))),
      ),
  ],
  [
    // Bugs once: ExpandDims saved a wrong input name; max/min with keepDims mis-shaped.
    'expandDims, max/min with keepDims, logSumExp, log1p',
    (x) => {
      const m = tf.reshape(x, [3, 4]);
      return tf.add(
        tf.add(tf.sum(tf.mul(tf.expandDims(m, 1), 0.5)), tf.sum(tf.max(m, 1, true))),
        tf.add(
          tf.add(tf.sum(tf.logSumExp(m, 0)), tf.sum(tf.min(m, 0, true))),
          tf.sum(tf.log1p(tf.square(x))),
        ),
      );
    },
  ],
];

describe.each(['cpu', 'wasm'] as const)('registered gradients on %s', (backend) => {
  test.each(cases)('%s matches finite differences', async (_name, f) => {
    await selectBackend(backend);
    const analytic = tf
      .grad(f)(tf.tensor(x0, [12]))
      .dataSync();
    const numeric = numericGrad(f, x0, [12]);
    numeric.forEach((v, i) => {
      expect(analytic[i]).toBeCloseTo(v, 1);
    });
  });
});
