import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { convolution } from './convolution.js';
import type { ConvGeometry } from './geometry.js';
import { depthToSpace, spaceToDepth, spaceToDepthApplies } from './space-to-depth.js';
import { winograd3dSwitch } from './winograd3d.js';

/** A 5×5×5 stride-2 geometry with padding 2. */
function geometry(batch: number, size: number[], cin: number, cout: number): ConvGeometry {
  return {
    dims: 3,
    batch,
    inSize: size as [number, number, number],
    inChannels: cin,
    outSize: size.map((n) => Math.floor((n - 1) / 2) + 1) as [number, number, number],
    outChannels: cout,
    kernel: [5, 5, 5],
    stride: [2, 2, 2],
    padding: [2, 2, 2],
  };
}

/** tfjs's own 3-D convolution of the zero-padded input (the plain loops). */
function reference(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [2, 2],
      [2, 2],
      [2, 2],
      [0, 0],
    ]);
    return tf.conv3d(padded as tf.Tensor5D, w as tf.Tensor5D, 2, 'valid');
  });
}

describe('5×5×5 stride-2 convolutions as space-to-depth Winograd (wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('space-to-depth moves each 2×2×2 block into the channels, zeros past odd ends', () => {
    const x = tf.tidy(() => tf.reshape(tf.range(0, 2 * 3 * 2 * 2, 1, 'float32'), [1, 3, 2, 2, 2]));
    const s = spaceToDepth(x, geometry(1, [3, 2, 2], 2, 4));
    expect(s.shape).toEqual([1, 2, 1, 1, 16]);
    // Block (0, 0, 0): x[d, h, w, c] for d, h, w ∈ {0, 1}: value ((d·2 + h)·2 + w)·2 + c.
    const v = Array.from(s.dataSync());
    expect(v.slice(0, 16)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // Block (1, 0, 0): d = 2 (then d = 3, past the end: zeros).
    expect(v.slice(16)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0]);
    tf.dispose([x, s]);
  });

  test('takes wide inputs only, on the threaded backend', () => {
    const g = geometry(8, [32, 32, 32], 32, 64);
    expect(spaceToDepthApplies(g)).toBe(wasmThreadCount() > 1);
    expect(spaceToDepthApplies({ ...g, inChannels: 1 })).toBe(false);
    expect(spaceToDepthApplies({ ...g, padding: [2, 1, 2] })).toBe(false);
    expect(spaceToDepthApplies({ ...g, kernel: [5, 5, 3] })).toBe(false);
  });

  test.each([
    ['even sizes, C 8→4', geometry(2, [32, 30, 28], 8, 4)],
    ['odd sizes, C 12→8', geometry(2, [25, 27, 23], 12, 8)],
  ])('%s: equals tfjs’s conv3d', async (_name, g) => {
    if (!spaceToDepthApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
      const w = randomNormal([5, 5, 5, g.inChannels, g.outChannels], 2, 0.1);
      const expected = reference(x, w);
      const y = convForward(x, w, g);
      expect(y.shape).toEqual(expected.shape);
      expectTensorsClose(y, expected, { rtol: 1e-5, label: 'output' });
      tf.dispose([x, w, expected]);
      return y;
    });
  });

  test('the registered convolution op (also the transposed one’s input gradient) takes it', async () => {
    const g = geometry(2, [32, 30, 28], 8, 4);
    if (!spaceToDepthApplies(g)) return;
    await expectNoLeaks(() => {
      const dy = randomNormal([g.batch, ...g.inSize, g.inChannels], 3);
      const w = randomNormal([5, 5, 5, g.inChannels, g.outChannels], 2, 0.1);
      const step = { stride: [2, 2, 2], padding: [2, 2, 2] };
      const y = convolution(dy, w, step);
      const expected = reference(dy, w);
      expectTensorsClose(y, expected, { rtol: 1e-5 });
      tf.dispose([dy, w, expected]);
      return y;
    });
  });

  test('depth-to-space is the adjoint of space-to-depth (odd sizes)', () => {
    const g = geometry(2, [5, 4, 3], 3, 4);
    tf.tidy(() => {
      const x = randomNormal([2, 5, 4, 3, 3], 1);
      const y = randomNormal([2, 3, 2, 2, 24], 2);
      const left = tf.sum(tf.mul(spaceToDepth(x, g), y)).dataSync()[0] as number;
      const right = tf.sum(tf.mul(x, depthToSpace(y, g))).dataSync()[0] as number;
      expect(Math.abs(left - right)).toBeLessThan(1e-4 * Math.abs(left));
      expect(depthToSpace(spaceToDepth(x, g), g).dataSync()).toEqual(x.dataSync());
    });
  });

  test.each([
    ['even sizes, C 8→4', geometry(2, [32, 30, 28], 8, 4)],
    ['odd sizes, C 12→8', geometry(2, [25, 27, 23], 12, 8)],
  ])('%s: the input gradient (transposed convolution) equals col2vol', async (_name, g) => {
    if (!spaceToDepthApplies(g)) return;
    await expectNoLeaks(() => {
      const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
      const w = randomNormal([5, 5, 5, g.inChannels, g.outChannels], 2, 0.1);
      winograd3dSwitch.enabled = false;
      const plain = convInputGrad(dy, w, g);
      winograd3dSwitch.enabled = true;
      const dx = convInputGrad(dy, w, g);
      expect(dx.shape).toEqual([g.batch, ...g.inSize, g.inChannels]);
      expectTensorsClose(dx, plain, { rtol: 1e-5, label: 'input gradient' });
      tf.dispose([dy, w, plain]);
      return dx;
    });
  });

  test('the filter gradient equals the columns’ (odd sizes, C 12→8)', async () => {
    const g = geometry(2, [25, 27, 23], 12, 8);
    if (!spaceToDepthApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
      const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
      winograd3dSwitch.enabled = false;
      const plain = convFilterGrad(x, dy, g);
      winograd3dSwitch.enabled = true;
      const dw = convFilterGrad(x, dy, g);
      expect(dw.shape).toEqual([5, 5, 5, 12, 8]);
      expectTensorsClose(dw, plain, { rtol: 1e-5, label: 'filter gradient' });
      tf.dispose([x, dy, plain]);
      return dw;
    });
  });
});
