import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { convolution } from './convolution.js';
import type { ConvGeometry } from './geometry.js';
import {
  WINOGRAD3D_MIN_POSITIONS,
  winograd3dApplies,
  winograd3dFilterGrad,
  winograd3dForward,
  winograd3dSwitch,
} from './winograd3d.js';

/** A 3×3×3 stride-1 geometry. */
function geometry(
  batch: number,
  size: number[],
  cin: number,
  cout: number,
  p: number[],
): ConvGeometry {
  const out = size.map((n, i) => n + 2 * (p[i] as number) - 2);
  return {
    dims: 3,
    batch,
    inSize: size as [number, number, number],
    inChannels: cin,
    outSize: out as [number, number, number],
    outChannels: cout,
    kernel: [3, 3, 3],
    stride: [1, 1, 1],
    padding: p as [number, number, number],
  };
}

/** tfjs's own 3-D convolution of the zero-padded input (the plain loops). */
function reference(x: tf.Tensor, w: tf.Tensor, p: number[]): tf.Tensor {
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], ...p.map((q): [number, number] => [q, q]), [0, 0]]);
    return tf.conv3d(padded as tf.Tensor5D, w as tf.Tensor5D, 1, 'valid');
  });
}

const CASES: Record<string, ConvGeometry> = {
  'p1, B 3, C 4→8, sizes not multiples of 4': geometry(3, [5, 7, 6], 4, 8, [1, 1, 1]),
  'p0, C 8→4': geometry(1, [4, 9, 5], 8, 4, [0, 0, 0]),
  'p2 in depth, p1 in the plane, C 12→4': geometry(2, [3, 4, 4], 12, 4, [2, 1, 1]),
  'p 0,2,1, C 4→4': geometry(2, [6, 3, 5], 4, 4, [0, 2, 1]),
};

describe('3-D Winograd on the threaded wasm backend', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  test('applies to 3×3×3 stride-1 convolutions of channel counts multiples of 4 only', () => {
    const g = geometry(WINOGRAD3D_MIN_POSITIONS / 64, [4, 4, 4], 4, 8, [1, 1, 1]);
    expect(winograd3dApplies(g)).toBe(wasmThreadCount() > 1);
    expect(winograd3dApplies({ ...g, batch: WINOGRAD3D_MIN_POSITIONS / 64 - 1 })).toBe(false);
    expect(winograd3dApplies({ ...g, inChannels: 2 })).toBe(false);
    expect(winograd3dApplies({ ...g, stride: [1, 2, 1] })).toBe(false);
    expect(winograd3dApplies({ ...g, kernel: [3, 3, 1] })).toBe(false);
    expect(winograd3dApplies({ ...g, dims: 2 })).toBe(false);
  });

  test.each(Object.entries(CASES))(
    '%s: equals tfjs’s conv3d, in one chunk or per sample',
    async (_n, g) => {
      if (!winograd3dApplies({ ...g, batch: WINOGRAD3D_MIN_POSITIONS })) return;
      await expectNoLeaks(() => {
        const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
        const w = randomNormal([3, 3, 3, g.inChannels, g.outChannels], 2, 0.3);
        const expected = reference(x, w, g.padding);
        const y = winograd3dForward(x, w, g);
        const perSample = winograd3dForward(x, w, g, 1);
        expect(y.shape).toEqual(expected.shape);
        expectTensorsClose(y, expected, { rtol: 1e-5, label: 'one chunk' });
        expectTensorsClose(perSample, expected, { rtol: 1e-5, label: 'per sample' });
        // The filter gradient against the columns' (the plain path's), in one chunk or per sample.
        const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
        winograd3dSwitch.enabled = false;
        const dwColumns = convFilterGrad(x, dy, g);
        winograd3dSwitch.enabled = true;
        for (const chunk of [undefined, 1]) {
          const dw = winograd3dFilterGrad(x, dy, g, chunk);
          expectTensorsClose(dw, dwColumns, {
            rtol: 1e-5,
            label: `filter gradient, chunk ${chunk}`,
          });
          dw.dispose();
        }
        tf.dispose([x, w, expected, perSample, dy, dwColumns]);
        return y;
      });
    },
  );

  test('the convolution’s output and gradients match tfjs’s kernels (input gradient by Winograd)', async () => {
    // 20 samples of 5·7·6: over the positions from which the convolution takes Winograd.
    const g = geometry(20, [5, 7, 6], 4, 8, [1, 1, 1]);
    expect(winograd3dApplies(g)).toBe(wasmThreadCount() > 1);
    if (!winograd3dApplies(g)) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
      const w = randomNormal([3, 3, 3, g.inChannels, g.outChannels], 2, 0.3);
      const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
      const step = { stride: [1, 1, 1], padding: [1, 1, 1] };
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convolution(a, b, step), dy));
      const [dx, dw] = tf.grads(f)([x, w]) as [tf.Tensor, tf.Tensor];
      // The input gradient of a stride-1 convolution: dy convolved (tfjs's conv3d loops) by the
      // filter rotated 180°, channels swapped (tfjs-wasm's conv3dTranspose is wrong here).
      const rotated = tf.tidy(() => tf.transpose(tf.reverse(w, [0, 1, 2]), [0, 1, 2, 4, 3]));
      const dxRef = reference(dy, rotated, [1, 1, 1]);
      tf.tidy(() => {
        expectTensorsClose(convForward(x, w, g), reference(x, w, g.padding), { rtol: 1e-5 });
        expectTensorsClose(dx, dxRef, { rtol: 1e-5, label: 'input gradient' });
        expectTensorsClose(convInputGrad(dy, w, g), dxRef, { rtol: 1e-5 });
        winograd3dSwitch.enabled = false;
        const columns = convFilterGrad(x, dy, g);
        winograd3dSwitch.enabled = true;
        expectTensorsClose(dw, columns, { rtol: 1e-5, label: 'filter gradient' });
      });
      tf.dispose([x, w, dy, dxRef, rotated]);
      return [dx, dw];
    });
  });
});
