import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng, InvalidArgumentError, type NdArray, parseNpz } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  expectClose,
  expectNoLeaks,
  expectTensorsClose,
  randomNormal,
  TEST_BACKENDS,
  useBackend,
} from '../test/index.js';
import { Conv2d, Conv3d } from './conv.js';
import { convOutputSize, convTransposeOutputSize } from './conv-options.js';
import { ConvTranspose2d, ConvTranspose3d } from './conv-transpose.js';
import type { Convolution } from './convolution.js';
import { ModuleState } from './module-state.js';

// Single PyTorch layers of packages/engine/scripts/make-conv-fixture.py, channels first.
const LAYERS = parseNpz(readFileSync(resolve(import.meta.dirname, 'fixtures/conv-layers.npz')));

type Make = (rng: ReturnType<typeof createRng>) => Convolution;
const CASES: Record<string, Make> = {
  conv2d_basic: (r) => new Conv2d(r, { inChannels: 3, outChannels: 5, kernelSize: 3 }),
  conv2d_stride_pad: (r) =>
    new Conv2d(r, {
      inChannels: 2,
      outChannels: 4,
      kernelSize: [3, 2],
      stride: [2, 1],
      padding: [1, 2],
    }),
  conv2d_nobias: (r) =>
    new Conv2d(r, {
      inChannels: 2,
      outChannels: 3,
      kernelSize: 4,
      stride: 3,
      padding: 2,
      bias: false,
    }),
  conv3d_basic: (r) => new Conv3d(r, { inChannels: 2, outChannels: 3, kernelSize: 3 }),
  conv3d_stride_pad: (r) =>
    new Conv3d(r, {
      inChannels: 3,
      outChannels: 2,
      kernelSize: [3, 1, 2],
      stride: [2, 1, 3],
      padding: [1, 0, 1],
    }),
  convt2d_basic: (r) => new ConvTranspose2d(r, { inChannels: 3, outChannels: 2, kernelSize: 3 }),
  convt2d_stride_pad_op: (r) =>
    new ConvTranspose2d(r, {
      inChannels: 2,
      outChannels: 3,
      kernelSize: 3,
      stride: 2,
      padding: 1,
      outputPadding: 1,
    }),
  convt2d_op_gt_pad: (r) =>
    new ConvTranspose2d(r, {
      inChannels: 2,
      outChannels: 2,
      kernelSize: [2, 3],
      stride: [3, 2],
      padding: [0, 1],
      outputPadding: [2, 1],
      bias: false,
    }),
  convt3d_basic: (r) =>
    new ConvTranspose3d(r, { inChannels: 2, outChannels: 3, kernelSize: 2, stride: 2 }),
  convt3d_stride_pad_op: (r) =>
    new ConvTranspose3d(r, {
      inChannels: 3,
      outChannels: 2,
      kernelSize: [3, 3, 2],
      stride: [2, 3, 2],
      padding: [1, 1, 0],
      outputPadding: [1, 2, 1],
    }),
};

/** Channels-first ↔ channels-last axis orders for a rank. */
const lastAxes = (rank: number) => [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
const firstAxes = (rank: number) => [
  0,
  rank - 1,
  ...Array.from({ length: rank - 2 }, (_, i) => i + 1),
];

describe.each(TEST_BACKENDS)('convolution layers on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  test.each(Object.keys(CASES))('%s: PyTorch weights give PyTorch outputs within 1e-5', (name) => {
    const layer = (CASES[name] as Make)(createRng(0));
    const state = new ModuleState(name, layer.stateEntries(''));
    const weights = new Map(
      ['weight', 'bias'].flatMap((key) => {
        const array = LAYERS[`${name}.${key}`];
        return array ? [[key, array] as [string, NdArray]] : [];
      }),
    );
    state.loadStateDict(weights);
    const input = LAYERS[`${name}.input`] as NdArray;
    const expected = LAYERS[`${name}.output`] as NdArray;
    const rank = input.shape.length;
    const x = tf.tidy(() =>
      tf.transpose(tf.tensor(input.data as Float32Array, input.shape), lastAxes(rank)),
    );
    expect(layer.outputShape(x.shape)).toEqual(lastAxes(rank).map((a) => expected.shape[a]));
    const y = layer.forward(x);
    expect(y.shape).toEqual(layer.outputShape(x.shape));
    const values = tf.tidy(() => tf.transpose(y, firstAxes(rank)).dataSync() as Float32Array);
    expectClose(values, expected.data as Float32Array, 0, 1e-5);
    tf.dispose([x, y]);
    state.dispose();
  });
});

describe('convolution layers train on every backend', () => {
  /** Σ dy·layer(x)'s gradients w.r.t. the layer's weight, bias and input, on `backend`. */
  async function gradients(backend: (typeof TEST_BACKENDS)[number], make: Make, xShape: number[]) {
    await useBackend(backend);
    const layer = make(createRng(3));
    const x = randomNormal(xShape, 4);
    const dy = randomNormal(layer.outputShape(xShape), 5);
    const params = [layer.weight.variable, layer.bias?.variable as tf.Variable];
    const values = await expectNoLeaks(() => {
      const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.forward(input), dy)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(() => f(x), params);
      value.dispose();
      const dx = tf.grad(f)(x);
      const out = [...params.map((p) => grads[p.name] as tf.Tensor), dx].map(
        (t) => t.dataSync() as Float32Array,
      );
      tf.dispose([...Object.values(grads), dx]);
      return out;
    });
    tf.dispose([x, dy]);
    layer.dispose();
    return values;
  }

  test.each([
    [
      'Conv3d anisotropic kernel, stride, padding',
      CASES.conv3d_stride_pad as Make,
      [3, 5, 4, 6, 3],
    ],
    [
      'ConvTranspose3d k3 s2 p1 op1',
      ((r) =>
        new ConvTranspose3d(r, {
          inChannels: 3,
          outChannels: 2,
          kernelSize: 3,
          stride: 2,
          padding: 1,
          outputPadding: 1,
        })) as Make,
      [2, 3, 4, 3, 3],
    ],
    ['Conv2d anisotropic kernel, stride, padding', CASES.conv2d_stride_pad as Make, [3, 7, 6, 2]],
  ] as Array<[string, Make, number[]]>)(
    '%s: weight, bias and input gradients agree on cpu and wasm',
    async (_, make, shape) => {
      const cpu = await gradients('cpu', make, shape);
      const wasm = await gradients('wasm', make, shape);
      for (const [i, name] of ['weight', 'bias', 'input'].entries())
        expectTensorsClose(wasm[i] as Float32Array, cpu[i] as Float32Array, {
          rtol: 1e-5,
          label: name,
        });
    },
  );
});

describe('convolution options and sizes', () => {
  test('output sizes are PyTorch’s', () => {
    expect(convOutputSize(8, 3, 2, 1)).toBe(4);
    expect(convOutputSize(10, 4, 3, 2)).toBe(4);
    expect(convOutputSize(7, 3)).toBe(5);
    expect(convTransposeOutputSize(4, 3, 2, 1, 1)).toBe(8);
    expect(convTransposeOutputSize(3, 2, 3, 0, 2)).toBe(10);
    expect(convTransposeOutputSize(5, 3)).toBe(7);
  });

  test('PyTorch layouts and default init: weight then bias, bounds from fan_in', () => {
    const conv = new Conv3d(createRng(0), { inChannels: 2, outChannels: 5, kernelSize: [3, 1, 2] });
    expect(conv.weight.torchShape).toEqual([5, 2, 3, 1, 2]);
    expect(conv.weight.variable.shape).toEqual([3, 1, 2, 2, 5]);
    const up = new ConvTranspose2d(createRng(0), { inChannels: 6, outChannels: 3, kernelSize: 2 });
    expect(up.weight.torchShape).toEqual([6, 3, 2, 2]);
    expect(up.weight.variable.shape).toEqual([2, 2, 3, 6]);
    // PyTorch's fan_in of a transposed conv is weight.size(1)·∏k = 3·4 = 12.
    const bound = 1 / Math.sqrt(12);
    for (const p of [up.weight, up.bias]) {
      const values = p?.variable.dataSync() as Float32Array;
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(bound / 2);
    }
    conv.dispose();
    up.dispose();
  });

  test('invalid options and inputs throw InvalidArgumentError naming them', () => {
    const rng = createRng(0);
    expect(() => new Conv2d(rng, { inChannels: 0, outChannels: 1, kernelSize: 3 })).toThrow(
      /Conv2d: 'options.inChannels' must be an integer ≥ 1/,
    );
    expect(() => new Conv3d(rng, { inChannels: 1, outChannels: 1, kernelSize: [3, 3] })).toThrow(
      /'options.kernelSize' must be an integer or 3 integers ≥ 1/,
    );
    expect(
      () => new Conv2d(rng, { inChannels: 1, outChannels: 1, kernelSize: 3, stride: 0 }),
    ).toThrow(/'options.stride\[0\]'/);
    expect(
      () =>
        new ConvTranspose2d(rng, {
          inChannels: 1,
          outChannels: 1,
          kernelSize: 3,
          stride: 2,
          outputPadding: 2,
        }),
    ).toThrow(/'options.outputPadding\[0\]' must be smaller than the stride \(2\)/);
    expect(
      () =>
        new Conv2d(rng, {
          inChannels: 1,
          outChannels: 1,
          kernelSize: 3,
          outputPadding: 1,
        } as never),
    ).toThrow(/only transposed convolutions/);
    expect(() => new Conv2d(rng, null as never)).toThrow(InvalidArgumentError);
    const conv = new Conv2d(rng, { inChannels: 2, outChannels: 1, kernelSize: 3 });
    expect(() => conv.forward(tf.zeros([1, 5, 5, 3]))).toThrow(
      /'x' must be a float32 tensor of shape \[B, H, W, 2\]/,
    );
    expect(() => conv.forward(tf.zeros([1, 2, 5, 2]))).toThrow(/non-empty output/);
    expect(() => conv.forward([1] as never)).toThrow(/'x' must be a tf.Tensor/);
    conv.dispose();
  });
});
