import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, test } from 'vitest';
import {
  expectNoLeaks,
  expectTensorsClose,
  randomNormal,
  TEST_BACKENDS,
  useBackend,
} from '../../test/index.js';

/** tfjs's backprop kernels of the active backend (the reference on cpu). */
function kernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;
}

const X2 = [3, 7, 6, 2];
const F2 = [3, 3, 2, 4];
const X3 = [2, 5, 6, 5, 2];
const F3 = [3, 3, 3, 2, 3];

/** Output, input gradient and filter gradient of plain tfjs convolutions via `tf.grads`. */
function viaGrads() {
  return tf.tidy(() => {
    const out: tf.Tensor[] = [];
    const pairs: Array<[number[], number[], (x: tf.Tensor, f: tf.Tensor) => tf.Tensor]> = [
      [X2, F2, (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')],
      [X2, F2, (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 1)],
      [X3, F3, (x, f) => tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, 2, 'same')],
      [
        [3, 4, 3, 4],
        [3, 3, 2, 4],
        (x, f) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [3, 8, 6, 2], 2, 'same'),
      ],
    ];
    pairs.forEach(([xs, fs, op], i) => {
      const x = randomNormal(xs, 10 + i);
      const f = randomNormal(fs, 20 + i, 0.3);
      const y = op(x, f);
      const dy = randomNormal(y.shape, 30 + i);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), dy)))([x, f]);
      out.push(y, ...grads);
    });
    return out;
  });
}

/** The same from tfjs's own cpu kernels (Conv2DBackpropInput/Filter, Conv3D…V2). */
function viaKernels(): tf.Tensor[] {
  return tf.tidy(() => {
    const out: tf.Tensor[] = [];
    const cases: Array<[number[], number[], number, 'same' | number]> = [
      [X2, F2, 2, 'same'],
      [X2, F2, 1, 1],
      [X3, F3, 2, 'same'],
    ];
    cases.forEach(([xs, fs, s, pad], i) => {
      const x = randomNormal(xs, 10 + i);
      const f = randomNormal(fs, 20 + i, 0.3);
      const three = xs.length === 5;
      const y = three
        ? tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, s, pad as 'same')
        : tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad);
      const dy = randomNormal(y.shape, 30 + i);
      const strides = xs.slice(1, -1).map(() => s);
      const common = three ? { strides, pad } : { strides, pad, dataFormat: 'NHWC' };
      out.push(
        y,
        kernel(
          three ? 'Conv3DBackpropInputV2' : 'Conv2DBackpropInput',
          { dy, filter: f },
          {
            ...common,
            inputShape: xs,
          },
        ),
        kernel(
          three ? 'Conv3DBackpropFilterV2' : 'Conv2DBackpropFilter',
          { x, dy },
          {
            ...common,
            filterShape: fs,
          },
        ),
      );
    });
    // conv2dTranspose: y = Conv2DBackpropInput(x, f); dx = conv2d(dy, f); df = filter grad.
    const x = randomNormal([3, 4, 3, 4], 13);
    const f = randomNormal([3, 3, 2, 4], 23, 0.3);
    const y = tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [3, 8, 6, 2], 2, 'same');
    const dy = randomNormal(y.shape, 33);
    const common = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC' };
    out.push(
      y,
      tf.conv2d(dy as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'),
      kernel('Conv2DBackpropFilter', { x: dy, dy: x }, { ...common, filterShape: [3, 3, 2, 4] }),
    );
    return out;
  });
}

let expected: Float32Array[] = [];

beforeAll(async () => {
  await useBackend('cpu');
  expected = viaKernels().map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
});

describe.each(TEST_BACKENDS)('tfjs convolutions differentiate through the engine on %s', (b) => {
  beforeAll(async () => {
    await useBackend(b);
  });

  test('conv2d (same, stride 2; explicit pad 1), conv3d, conv2dTranspose: value and gradients', async () => {
    await expectNoLeaks(() => {
      const got = viaGrads();
      for (const [i, t] of got.entries())
        expectTensorsClose(t, expected[i] as Float32Array, { rtol: 1e-5, label: `tensor ${i}` });
      return got;
    });
  });

  test('the Conv2DBackpropFilter kernel (registered for wasm, which lacks one) is right', async () => {
    await expectNoLeaks(() => {
      const x = randomNormal(X2, 10);
      const dy = randomNormal([3, 4, 3, 4], 30);
      const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: F2 };
      const df = kernel('Conv2DBackpropFilter', { x, dy }, attrs);
      expectTensorsClose(df, expected[2] as Float32Array, { rtol: 1e-5 });
      return [x, dy, df];
    });
  });
});
