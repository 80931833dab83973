import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import * as convGemm from './conv-gemm.js';
import { convFilterGrad, convForward } from './conv-gemm.js';
import { convolution } from './convolution.js';
import { fusedColumnsSwitch } from './fused-columns.js';
import type { ConvGeometry } from './geometry.js';
import {
  oneChannel3dApplies,
  oneChannel3dFilterApplies,
  oneChannel3dSwitch,
} from './one-channel-3d.js';

/** A one-channel 3-D geometry with the same kernel, stride and padding on every axis. */
function geometry(batch: number, size: number[], cout: number, k: number, s: number, p: number) {
  return {
    dims: 3,
    batch,
    inSize: size as [number, number, number],
    inChannels: 1,
    outSize: size.map((n) => Math.floor((n + 2 * p - k) / s) + 1) as [number, number, number],
    outChannels: cout,
    kernel: [k, k, k],
    stride: [s, s, s],
    padding: [p, p, p],
  } satisfies ConvGeometry;
}

/** tfjs's own 3-D convolution of the zero-padded input (the plain loops), plus the bias. */
function reference(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor, g: ConvGeometry): tf.Tensor {
  return tf.tidy(() => {
    const p = g.padding[0];
    const padded = tf.pad(x, [
      [0, 0],
      [p, p],
      [p, p],
      [p, p],
      [0, 0],
    ]);
    return tf.add(tf.conv3d(padded as tf.Tensor5D, w as tf.Tensor5D, g.stride[0], 'valid'), bias);
  });
}

describe('one-channel 3-D convolutions straight from the padded input (wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('takes one-channel cubic kernels with 8·n channels on the threaded backend only', () => {
    const g = geometry(8, [64, 64, 64], 32, 5, 2, 2);
    expect(oneChannel3dApplies(g)).toBe(wasmThreadCount() > 1);
    expect(oneChannel3dApplies({ ...g, inChannels: 2 })).toBe(false);
    expect(oneChannel3dApplies({ ...g, outChannels: 12 })).toBe(false);
    expect(oneChannel3dApplies({ ...g, stride: [2, 2, 1] })).toBe(false);
    expect(oneChannel3dApplies({ ...g, outSize: [32, 32, 30] })).toBe(false);
    expect(oneChannel3dFilterApplies({ ...g, outSize: [32, 32, 30] })).toBe(wasmThreadCount() > 1);
  });

  // Odd depths and heights, several rows per thread, more images than threads.
  test.each([
    ['5³ stride 2 padding 2, C_out 16', geometry(3, [19, 17, 16], 16, 5, 2, 2)],
    ['7³ stride 2 padding 3, C_out 8', geometry(2, [15, 13, 16], 8, 7, 2, 3)],
    ['3³ stride 1 padding 0, C_out 8', geometry(2, [9, 7, 10], 8, 3, 1, 0)],
  ])('%s: equals tfjs’s conv3d, bias added', async (_, g) => {
    if (!oneChannel3dApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, 1], 1);
      const w = randomNormal([...g.kernel, 1, g.outChannels], 2, 0.1);
      const bias = randomNormal([g.outChannels], 3);
      const expected = reference(x, w, bias, g);
      const y = convForward(x, w, g, undefined, bias);
      expect(y.shape).toEqual(expected.shape);
      expectTensorsClose(y, expected, { rtol: 1e-5, label: 'output' });
      tf.dispose([x, w, bias, expected]);
      return y;
    });
  });

  // Output widths that are no multiple of 4 too; more output planes than threads.
  test.each([
    ['5³ stride 2 padding 2, C_out 16', geometry(3, [19, 17, 13], 16, 5, 2, 2)],
    ['7³ stride 2 padding 3, C_out 8', geometry(2, [15, 13, 16], 8, 7, 2, 3)],
    ['3³ stride 1 padding 1, C_out 24', geometry(2, [9, 7, 10], 24, 3, 1, 1)],
  ])('%s: the filter gradient equals the plain columns path’s', async (_, g) => {
    if (!oneChannel3dFilterApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, 1], 1);
      const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 2);
      oneChannel3dSwitch.enabled = false;
      fusedColumnsSwitch.enabled = false;
      const expected = convFilterGrad(x, dy, g);
      oneChannel3dSwitch.enabled = true;
      fusedColumnsSwitch.enabled = true;
      const dw = convFilterGrad(x, dy, g);
      expect(dw.shape).toEqual([...g.kernel, 1, g.outChannels]);
      expectTensorsClose(dw, expected, { rtol: 1e-4, label: 'filter gradient' });
      tf.dispose([x, dy, expected]);
      return dw;
    });
  });

  test('the registered convolution op takes it', async () => {
    const g = geometry(2, [12, 10, 16], 8, 5, 2, 2);
    if (!oneChannel3dApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([2, 12, 10, 16, 1], 1);
      const w = randomNormal([5, 5, 5, 1, 8], 2, 0.1);
      const bias = tf.zeros([8]);
      const y = convolution(x, w, { stride: [2, 2, 2], padding: [2, 2, 2] });
      const expected = reference(x, w, bias, g);
      expectTensorsClose(y, expected, { rtol: 1e-5 });
      tf.dispose([x, w, bias, expected]);
      return y;
    });
  });

  test('a first layer’s input gradient is never computed (only its filter’s and bias’s)', () => {
    const inputGrad = vi.spyOn(convGemm, 'convInputGrad');
    const filterGrad = vi.spyOn(convGemm, 'convFilterGrad');
    try {
      const x = randomNormal([2, 8, 8, 8, 1], 1);
      const w = tf.variable(randomNormal([5, 5, 5, 1, 8], 2, 0.1));
      const bias = tf.variable(tf.zeros([8]));
      const step = { stride: [2, 2, 2], padding: [2, 2, 2] };
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(tf.square(convolution(x, w, step, bias))),
      );
      expect(Object.keys(grads).sort()).toEqual([bias.name, w.name].sort());
      expect(filterGrad).toHaveBeenCalledTimes(1);
      expect(inputGrad).not.toHaveBeenCalled();
      tf.dispose([x, w, bias, value, ...Object.values(grads)]);
    } finally {
      inputGrad.mockRestore();
      filterGrad.mockRestore();
    }
  });
});
