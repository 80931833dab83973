import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import { expectNoLeaks, expectTensorsClose, randomNormal, useBackend } from '../../test/index.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { convolution } from './convolution.js';
import type { ConvGeometry } from './geometry.js';
import { filterPlanes, G } from './winograd.js';
import {
  type DepthBlock,
  WINOGRAD3D_MIN_POSITIONS,
  winograd3dApplies,
  winograd3dFilterGrad,
  winograd3dForward,
  winograd3dInputGrad,
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

/** The plain path's (columns × filter) forward, input and filter gradients. */
function columns(x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor, g: ConvGeometry): tf.Tensor[] {
  winograd3dSwitch.enabled = false;
  try {
    return [convForward(x, w, g), convInputGrad(dy, w, g), convFilterGrad(x, dy, g)];
  } finally {
    winograd3dSwitch.enabled = true;
  }
}

// Blocks: the default, one tile × one slice, groups that end part-way through a slice's tiles
// and through the depth, and blocks of two samples (the last one of one).
const BLOCKS: Array<DepthBlock | undefined> = [
  undefined,
  { tiles: 1, slices: 1, samples: 1 },
  { tiles: 3, slices: 2, samples: 1 },
  { tiles: 5, slices: 3, samples: 2 },
];

const CASES: Record<string, ConvGeometry> = {
  'p1, B 3, C 4→8, sizes not multiples of 4': geometry(3, [5, 7, 6], 4, 8, [1, 1, 1]),
  'p0, C 8→4': geometry(2, [4, 9, 5], 8, 4, [0, 0, 0]),
  'p2 in depth, p1 in the plane, C 12→4': geometry(2, [3, 4, 4], 12, 4, [2, 1, 1]),
  'p 0,2,1, odd sizes, C 4→4': geometry(2, [7, 3, 5], 4, 4, [0, 2, 1]),
  'p2, C 16→12': geometry(1, [5, 6, 9], 16, 12, [2, 2, 2]),
  'p1, C 256→64 (space-to-depth width)': geometry(1, [4, 5, 4], 256, 64, [1, 1, 1]),
  'p1, C 32→64, batch of 3 in many blocks': geometry(3, [4, 6, 8], 32, 64, [1, 1, 1]),
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
    expect(winograd3dApplies({ ...g, padding: [1, 3, 1] })).toBe(false);
    expect(winograd3dApplies({ ...g, dims: 2 })).toBe(false);
  });

  test.each(Object.entries(CASES))(
    '%s: forward, input and filter gradients equal the columns’, in any blocks',
    async (_n, g) => {
      if (!winograd3dApplies({ ...g, batch: WINOGRAD3D_MIN_POSITIONS })) return;
      await expectNoLeaks(() => {
        const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
        const w = randomNormal([3, 3, 3, g.inChannels, g.outChannels], 2, 0.3);
        const bias = randomNormal([g.outChannels], 4);
        const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
        const [y, dx, dw] = columns(x, w, dy, g) as [tf.Tensor, tf.Tensor, tf.Tensor];
        // The columns themselves against tfjs's own loops.
        const loops = reference(x, w, g.padding);
        expectTensorsClose(y, loops, { rtol: 1e-5, label: 'columns' });
        // Winograd's rounding grows with the products' inner side (2e-5 of the largest value
        // at 256 channels; the filter transforms alone are exact to 4e-8, tested below).
        const rtol = Math.max(g.inChannels, g.outChannels) > 16 ? 4e-5 : 1e-5;
        const withBias = tf.add(y, bias);
        for (const block of BLOCKS) {
          const label = block ? JSON.stringify(block) : 'default block';
          const outputs = [
            winograd3dForward(x, w, g, undefined, { block }),
            winograd3dForward(x, w, g, bias, { block }),
            winograd3dInputGrad(dy, w, g, { block }),
            winograd3dFilterGrad(x, dy, g, { block }),
          ];
          [y, withBias, dx, dw].forEach((expected, i) => {
            const what = ['forward', 'forward + bias', 'input gradient', 'filter gradient'][i];
            expectTensorsClose(outputs[i] as tf.Tensor, expected, {
              rtol,
              label: `${what}, ${label}`,
            });
          });
          tf.dispose(outputs);
        }
        tf.dispose([x, w, bias, dy, dx, dw, withBias, loops]);
        return y;
      });
    },
  );

  test.each([
    ['p1', geometry(2, [5, 6, 7], 16, 8, [1, 1, 1])],
    ['p2, 0, 1', geometry(2, [4, 5, 6], 8, 16, [2, 0, 1])],
  ])('%s: a space-to-depth filter’s skipped products change nothing', async (_n, g) => {
    if (!winograd3dApplies({ ...g, batch: WINOGRAD3D_MIN_POSITIONS })) return;
    await expectNoLeaks(() => {
      const x = randomNormal([g.batch, ...g.inSize, g.inChannels], 1);
      const dy = randomNormal([g.batch, ...g.outSize, g.outChannels], 3);
      // A space-to-depth filter: depth tap 2 is zero for the second half of the input channels.
      const half = g.inChannels / 2;
      const keep = tf.tidy(() => {
        const lastTap = tf.concat([tf.ones([1, 9, half]), tf.zeros([1, 9, half])], 2);
        const taps = tf.concat([tf.ones([2, 9, g.inChannels]), lastTap]);
        return tf.reshape(taps, [3, 3, 3, g.inChannels, 1]);
      });
      const w = tf.tidy(() =>
        tf.mul(randomNormal([3, 3, 3, g.inChannels, g.outChannels], 2, 0.3), keep),
      );
      const [y, dx, dw] = columns(x, w, dy, g) as [tf.Tensor, tf.Tensor, tf.Tensor];
      // The gradient of those zero taps is not computed (their filter values stay zero).
      const dwKept = tf.mul(dw, keep);
      for (const block of BLOCKS) {
        const options = { block, spaceToDepth: true };
        const outputs = [
          winograd3dForward(x, w, g, undefined, options),
          winograd3dInputGrad(dy, w, g, options),
          winograd3dFilterGrad(x, dy, g, options),
        ];
        [y, dx, dwKept].forEach((expected, i) => {
          const what = ['forward', 'input gradient', 'filter gradient'][i];
          expectTensorsClose(outputs[i] as tf.Tensor, expected, {
            rtol: 1e-5,
            label: `${what}, ${block ? JSON.stringify(block) : 'default'}`,
          });
        });
        tf.dispose(outputs);
      }
      tf.dispose([x, dy, keep, w, y, dx, dw]);
      return dwKept;
    });
  });

  test.each([false, true])(
    'the filter planes (flipped: %s) equal G·g·Gᵀ in float64',
    async (flipped) => {
      const [ci, co] = [8, 12];
      await expectNoLeaks(() => {
        const w = randomNormal([3, 3, 3, ci, co], 2);
        const f = w.dataSync();
        const v = filterPlanes(w, flipped);
        const got = v.dataSync();
        const expected = new Float32Array(got.length);
        const n = ci * co;
        for (let a = 0; a < 6; a++)
          for (let b = 0; b < 6; b++)
            for (let k = 0; k < 3; k++)
              for (let c = 0; c < ci; c++)
                for (let o = 0; o < co; o++) {
                  let s = 0;
                  for (let i = 0; i < 3; i++)
                    for (let j = 0; j < 3; j++) {
                      // Flipped: g[2 − k, 2 − i, 2 − j], plane [C_out, C_in].
                      const tap = flipped ? (2 - k) * 9 + (2 - i) * 3 + (2 - j) : k * 9 + i * 3 + j;
                      s +=
                        (G[a]?.[i] as number) *
                        (G[b]?.[j] as number) *
                        (f[tap * n + c * co + o] as number);
                    }
                  const plane = ((a * 6 + b) * 3 + k) * n;
                  expected[plane + (flipped ? o * ci + c : c * co + o)] = s;
                }
        expectTensorsClose(got, expected, { rtol: 1e-7 });
        w.dispose();
        return v;
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
        const plain = convFilterGrad(x, dy, g);
        winograd3dSwitch.enabled = true;
        expectTensorsClose(dw, plain, { rtol: 1e-5, label: 'filter gradient' });
      });
      tf.dispose([x, w, dy, dxRef, rotated]);
      return [dx, dw];
    });
  });
});
