import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { convolution, convolutionTranspose } from './convolution.js';
import {
  fusedColumnsApplies,
  fusedColumnsSwitch,
  fusedFilterGradApplies,
  fusedInputGradApplies,
} from './fused-columns.js';
import { type ConvGeometry, filterShape, inputShape, outputShape } from './geometry.js';
import { oneChannel3dSwitch } from './one-channel-3d.js';

/** A 3-D geometry with the same kernel, stride and padding on every axis. */
function geometry(
  batch: number,
  size: number[],
  cin: number,
  cout: number,
  k: number,
  s: number,
  p: number,
): ConvGeometry {
  return {
    dims: 3,
    batch,
    inSize: size as [number, number, number],
    inChannels: cin,
    outSize: size.map((n) => Math.floor((n + 2 * p - k) / s) + 1) as [number, number, number],
    outChannels: cout,
    kernel: [k, k, k],
    stride: [s, s, s],
    padding: [p, p, p],
  };
}

/**
 * `f` on the plain columns path (XNNPACK's products of the whole column matrix; the one-channel
 * kernel, which would take some forward passes, off too).
 */
function plain<T>(f: () => T): T {
  fusedColumnsSwitch.enabled = false;
  oneChannel3dSwitch.enabled = false;
  try {
    return f();
  } finally {
    fusedColumnsSwitch.enabled = true;
    oneChannel3dSwitch.enabled = true;
  }
}

// Odd sizes (rows per image not a multiple of 4), several blocks per thread, more images than
// threads; one-channel filters (K = 125, 343: not a multiple of 4), a last panel of 4 channels.
const CASES: Array<[string, ConvGeometry]> = [
  ['one channel, 5³ stride 2, C_out 12', geometry(3, [21, 18, 23], 1, 12, 5, 2, 2)],
  ['one channel, 7³ stride 2, C_out 8', geometry(2, [17, 15, 13], 1, 8, 7, 2, 3)],
  ['3³ stride 2 padding 1, 6 → 16', geometry(3, [9, 8, 11], 6, 16, 3, 2, 1)],
  ['3³ stride 2 padding 0, 8 → 4', geometry(2, [9, 9, 7], 8, 4, 3, 2, 0)],
  ['1³ stride 2, 12 → 20', geometry(3, [7, 9, 8], 12, 20, 1, 2, 0)],
  // K·C_out > 2²⁰: the forward product by slices of 256 columns (the last partial).
  [
    '3³ stride 2, a filter larger than the cache, 160 → 260',
    geometry(2, [4, 4, 3], 160, 260, 3, 2, 1),
  ],
];

describe('3-D convolutions by fused columns and the one-channel kernel (wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterEach(() => {
    fusedColumnsSwitch.enabled = true;
    oneChannel3dSwitch.enabled = true;
  });

  test('takes 3-D non-pointwise geometries on the threaded backend only', () => {
    const threaded = wasmThreadCount() > 1;
    const g = geometry(8, [64, 64, 64], 1, 32, 5, 2, 2);
    expect(fusedColumnsApplies(g)).toBe(threaded);
    expect(fusedFilterGradApplies(g)).toBe(threaded);
    expect(fusedInputGradApplies(g)).toBe(threaded);
    expect(fusedColumnsApplies({ ...g, outChannels: 6 })).toBe(false);
    expect(fusedInputGradApplies({ ...g, batch: 1 })).toBe(false);
    expect(fusedColumnsApplies(geometry(2, [8, 8, 8], 4, 8, 1, 1, 0))).toBe(false);
    expect(fusedColumnsApplies({ ...g, dims: 2, inSize: [1, 64, 64], kernel: [1, 5, 5] })).toBe(
      false,
    );
    // Large filters keep XNNPACK's products for the gradients.
    const wide = geometry(8, [16, 16, 16], 128, 256, 3, 2, 1);
    expect(fusedColumnsApplies(wide)).toBe(threaded);
    expect(fusedFilterGradApplies(wide)).toBe(false);
    expect(fusedInputGradApplies(wide)).toBe(false);
  });

  test.each(CASES)(
    '%s: output, input and filter gradients equal the plain path’s',
    async (_, g) => {
      if (!fusedColumnsApplies(g)) return;
      await expectNoLeaks(() => {
        const x = randomNormal(inputShape(g), 1);
        const w = randomNormal(filterShape(g), 2, 0.1);
        const bias = randomNormal([g.outChannels], 3);
        const dy = randomNormal(outputShape(g), 4);
        const expected = plain(() => [
          tf.tidy(() => tf.add(convForward(x, w, g), bias)),
          convInputGrad(dy, w, g),
          convFilterGrad(x, dy, g),
        ]);
        const ours = [convForward(x, w, g, undefined, bias), convInputGrad(dy, w, g)];
        ours.push(convFilterGrad(x, dy, g));
        expect(ours.map((t) => t.shape)).toEqual(expected.map((t) => t.shape));
        expectTensorsClose(ours[0] as tf.Tensor, expected[0] as tf.Tensor, {
          rtol: 1e-5,
          label: 'output',
        });
        expectTensorsClose(ours[1] as tf.Tensor, expected[1] as tf.Tensor, {
          rtol: 1e-5,
          label: 'input gradient',
        });
        expectTensorsClose(ours[2] as tf.Tensor, expected[2] as tf.Tensor, {
          rtol: 1e-4,
          label: 'filter gradient',
        });
        tf.dispose([x, w, bias, dy, ...expected]);
        return ours;
      });
    },
  );

  test('the registered ops and their gradients (a one-output-channel transposed convolution too)', async () => {
    const g = geometry(2, [13, 12, 11], 1, 8, 5, 2, 2);
    if (!fusedColumnsApplies(g)) return;
    const x = randomNormal(inputShape(g), 1);
    const w = randomNormal(filterShape(g), 2, 0.1);
    const bias = randomNormal([8], 3);
    const z = randomNormal(outputShape(g), 4);
    const step = { stride: [2, 2, 2], padding: [2, 2, 2] };
    const tstep = { ...step, outputPadding: [0, 1, 0] };
    // The decoder's last layer: 8 → 1 channels, the adjoint of the convolution above.
    const wt = randomNormal([5, 5, 5, 1, 8], 5, 0.1);
    const losses = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor, zz: tf.Tensor, tt: tf.Tensor) =>
      tf.add(
        tf.sum(tf.square(convolution(xx, ww, step, bb))),
        tf.sum(tf.square(convolutionTranspose(zz, tt, tstep))),
      );
    await expectNoLeaks(() => {
      const ours = tf.grads(losses)([x, w, bias, z, wt]);
      const expected = plain(() => tf.grads(losses)([x, w, bias, z, wt]));
      ours.forEach((t, i) => {
        expectTensorsClose(t, expected[i] as tf.Tensor, { rtol: 1e-4, label: `gradient ${i}` });
      });
      tf.dispose(expected);
      return ours;
    });
    tf.dispose([x, w, bias, z, wt]);
  });
});
