import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { wasmThreadCount } from '../../backend/index.js';
import {
  expectNoLeaks,
  expectTensorsClose,
  randomNormal,
  TEST_BACKENDS,
  useBackend,
} from '../../test/index.js';
import { useWasmSimdVariant } from '../wasm/simd-variant.js';
import { convFilterGrad, convForward, convInputGrad } from './conv-gemm.js';
import { convolution, convolutionTranspose } from './convolution.js';
import type { ConvGeometry } from './geometry.js';
import { wasmColumnsAvailable, wasmTranspose } from './wasm-columns.js';
import {
  winogradApplies,
  winogradFilterGrad,
  winogradForward,
  winogradInputGrad,
} from './winograd.js';

/** One layer: input `[batch, ...size, cin]`, kernel, stride, padding (and output padding). */
interface Case {
  batch: number;
  size: number[];
  cin: number;
  cout: number;
  k: number[];
  s: number[];
  p: number[];
  op?: number[];
}

const CONV: Record<string, Case> = {
  '3d k3 s1 p1, C 1→2': {
    batch: 1,
    size: [5, 6, 7],
    cin: 1,
    cout: 2,
    k: [3, 3, 3],
    s: [1, 1, 1],
    p: [1, 1, 1],
  },
  '3d k5 s2 p2, B 3, C 3→4': {
    batch: 3,
    size: [7, 5, 6],
    cin: 3,
    cout: 4,
    k: [5, 5, 5],
    s: [2, 2, 2],
    p: [2, 2, 2],
  },
  '3d k7 s2 p3': {
    batch: 1,
    size: [9, 8, 7],
    cin: 2,
    cout: 3,
    k: [7, 7, 7],
    s: [2, 2, 2],
    p: [3, 3, 3],
  },
  '3d k1 s2 p0 (shortcut)': {
    batch: 3,
    size: [5, 5, 4],
    cin: 4,
    cout: 3,
    k: [1, 1, 1],
    s: [2, 2, 2],
    p: [0, 0, 0],
  },
  '3d k1 s1 p0 (pointwise)': {
    batch: 3,
    size: [3, 4, 5],
    cin: 4,
    cout: 2,
    k: [1, 1, 1],
    s: [1, 1, 1],
    p: [0, 0, 0],
  },
  '3d anisotropic': {
    batch: 3,
    size: [6, 5, 7],
    cin: 3,
    cout: 2,
    k: [3, 1, 2],
    s: [2, 1, 3],
    p: [1, 0, 1],
  },
  '2d k3 s2 p1, B 3': { batch: 3, size: [9, 8], cin: 3, cout: 4, k: [3, 3], s: [2, 2], p: [1, 1] },
  '2d k5 s1 p2': { batch: 1, size: [6, 7], cin: 2, cout: 3, k: [5, 5], s: [1, 1], p: [2, 2] },
  // One input channel, stride 1: padded-image products on the threaded wasm backend.
  '2d k3 s1 p1, B 3, C 1→8 (one channel)': {
    batch: 3,
    size: [9, 12],
    cin: 1,
    cout: 8,
    k: [3, 3],
    s: [1, 1],
    p: [1, 1],
  },
  '2d k2×4 s1 p0×2, C 1→12 (one channel)': {
    batch: 2,
    size: [5, 5],
    cin: 1,
    cout: 12,
    k: [2, 4],
    s: [1, 1],
    p: [0, 2],
  },
  // 3×3 stride 1 with channel counts multiples of 4: Winograd on the threaded wasm backend.
  '2d k3 s1 p1, B 3, C 4→8, odd sizes (Winograd)': {
    batch: 3,
    size: [7, 5],
    cin: 4,
    cout: 8,
    k: [3, 3],
    s: [1, 1],
    p: [1, 1],
  },
  '2d k3 s1 p0, C 8→4 (Winograd)': {
    batch: 1,
    size: [6, 9],
    cin: 8,
    cout: 4,
    k: [3, 3],
    s: [1, 1],
    p: [0, 0],
  },
  '2d k3 s1 p1, B 2, C 8→12, 14×13 (Winograd, interior and edge tiles)': {
    batch: 2,
    size: [14, 13],
    cin: 8,
    cout: 12,
    k: [3, 3],
    s: [1, 1],
    p: [1, 1],
  },
  '2d k3 s1 p2, C 12→16 (Winograd)': {
    batch: 2,
    size: [4, 3],
    cin: 12,
    cout: 16,
    k: [3, 3],
    s: [1, 1],
    p: [2, 2],
  },
};

const TRANSPOSED: Record<string, Case> = {
  '3d k3 s2 p1 op1, B 3 (tfjs-wasm 4.22’s conv3dTranspose is off by 13 here)': {
    batch: 3,
    size: [4, 3, 5],
    cin: 3,
    cout: 2,
    k: [3, 3, 3],
    s: [2, 2, 2],
    p: [1, 1, 1],
    op: [1, 1, 1],
  },
  '3d k5 s2 p2 op 1,0,1': {
    batch: 1,
    size: [3, 4, 3],
    cin: 2,
    cout: 1,
    k: [5, 5, 5],
    s: [2, 2, 2],
    p: [2, 2, 2],
    op: [1, 0, 1],
  },
  '3d k2 s2 p0': {
    batch: 3,
    size: [3, 3, 3],
    cin: 4,
    cout: 3,
    k: [2, 2, 2],
    s: [2, 2, 2],
    p: [0, 0, 0],
    op: [0, 0, 0],
  },
  '3d k3 s1 p0 (a full convolution)': {
    batch: 1,
    size: [3, 4, 2],
    cin: 2,
    cout: 2,
    k: [3, 3, 3],
    s: [1, 1, 1],
    p: [0, 0, 0],
    op: [0, 0, 0],
  },
  '3d k1 s1 p0 (pointwise)': {
    batch: 3,
    size: [3, 2, 4],
    cin: 3,
    cout: 2,
    k: [1, 1, 1],
    s: [1, 1, 1],
    p: [0, 0, 0],
    op: [0, 0, 0],
  },
  '2d k3 s2 p1 op1, B 3': {
    batch: 3,
    size: [5, 4],
    cin: 3,
    cout: 2,
    k: [3, 3],
    s: [2, 2],
    p: [1, 1],
    op: [1, 1],
  },
  '2d k2 s2 p0, B 3, C 4→8 (disjoint taps)': {
    batch: 3,
    size: [3, 4],
    cin: 4,
    cout: 8,
    k: [2, 2],
    s: [2, 2],
    p: [0, 0],
    op: [0, 0],
  },
  '2d k2×3 s2×3 p0, C 12→4 (disjoint taps)': {
    batch: 2,
    size: [2, 8],
    cin: 12,
    cout: 4,
    k: [2, 3],
    s: [2, 3],
    p: [0, 0],
    op: [0, 0],
  },
  '2d k3 s1 p1, C 8→4 (Winograd)': {
    batch: 2,
    size: [5, 6],
    cin: 8,
    cout: 4,
    k: [3, 3],
    s: [1, 1],
    p: [1, 1],
    op: [0, 0],
  },
  '2d k4 s3 p0 op2': {
    batch: 1,
    size: [4, 3],
    cin: 2,
    cout: 3,
    k: [4, 4],
    s: [3, 3],
    p: [0, 0],
    op: [2, 2],
  },
};

const padOf = (c: Case, t: tf.Tensor) =>
  tf.pad(t, [[0, 0], ...c.p.map((p): [number, number] => [p, p]), [0, 0]]);

/** tfjs's own backprop kernels (cpu backend): the input gradient of a 'valid' convolution. */
function backpropInput(dy: tf.Tensor, filter: tf.Tensor, shape: number[], s: number[]): tf.Tensor {
  const attrs =
    s.length === 3
      ? { strides: s, pad: 'valid', inputShape: shape }
      : { strides: s, pad: 'valid', dataFormat: 'NHWC', inputShape: shape };
  const name = s.length === 3 ? 'Conv3DBackpropInputV2' : 'Conv2DBackpropInput';
  return tf.engine().runKernel(name, { dy, filter }, attrs as never) as tf.Tensor;
}

function backpropFilter(x: tf.Tensor, dy: tf.Tensor, shape: number[], s: number[]): tf.Tensor {
  const attrs =
    s.length === 3
      ? { strides: s, pad: 'valid', filterShape: shape }
      : { strides: s, pad: 'valid', dataFormat: 'NHWC', filterShape: shape };
  const name = s.length === 3 ? 'Conv3DBackpropFilterV2' : 'Conv2DBackpropFilter';
  return tf.engine().runKernel(name, { x, dy }, attrs as never) as tf.Tensor;
}

function validConv(x: tf.Tensor, filter: tf.Tensor, s: number[]): tf.Tensor {
  return s.length === 3
    ? tf.conv3d(x as tf.Tensor5D, filter as tf.Tensor5D, s as [number, number, number], 'valid')
    : tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, s as [number, number], 'valid');
}

/** Crops `p` from both ends of every spatial axis. */
function crop(t: tf.Tensor, p: number[]): tf.Tensor {
  return tf.slice(
    t,
    [0, ...p, 0],
    [-1, ...t.shape.slice(1, -1).map((n, i) => n - 2 * (p[i] as number)), -1],
  );
}

interface Expected {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** The inputs of a case, seeded: x, filter, and the output cotangent of `yShape`. */
function inputs(c: Case, transposed: boolean, yShape: number[]) {
  const filterShape = transposed ? [...c.k, c.cout, c.cin] : [...c.k, c.cin, c.cout];
  return {
    x: randomNormal([c.batch, ...c.size, c.cin], 1),
    w: randomNormal(filterShape, 2, 0.3),
    dy: randomNormal(yShape, 3),
  };
}

function outSize(c: Case, transposed: boolean): number[] {
  return c.size.map((n, i) => {
    const [k, s, p] = [c.k[i] as number, c.s[i] as number, c.p[i] as number];
    return transposed
      ? (n - 1) * s - 2 * p + k + ((c.op ?? [])[i] as number)
      : Math.floor((n + 2 * p - k) / s) + 1;
  });
}

/** The reference on the cpu backend from tfjs's own kernels. */
function reference(c: Case, transposed: boolean): Expected {
  return tf.tidy(() => {
    const yShape = [c.batch, ...outSize(c, transposed), c.cout];
    const { x, w, dy } = inputs(c, transposed, yShape);
    if (!transposed) {
      const padded = padOf(c, x);
      return {
        y: validConv(padded, w, c.s).dataSync() as Float32Array,
        dx: crop(backpropInput(dy, w, padded.shape, c.s), c.p).dataSync() as Float32Array,
        dw: backpropFilter(padded, dy, w.shape, c.s).dataSync() as Float32Array,
      };
    }
    // The transposed convolution is the input gradient of the convolution from its padded output.
    const full = [
      c.batch,
      ...yShape.slice(1, -1).map((n, i) => n + 2 * (c.p[i] as number)),
      c.cout,
    ];
    const paddedDy = padOf(c, dy);
    return {
      y: crop(backpropInput(x, w, full, c.s), c.p).dataSync() as Float32Array,
      dx: validConv(paddedDy, w, c.s).dataSync() as Float32Array,
      dw: backpropFilter(paddedDy, x, w.shape, c.s).dataSync() as Float32Array,
    };
  });
}

function ours(c: Case, transposed: boolean) {
  const yShape = [c.batch, ...outSize(c, transposed), c.cout];
  const { x, w, dy } = inputs(c, transposed, yShape);
  const step = { stride: c.s, padding: c.p, outputPadding: c.op ?? c.s.map(() => 0) };
  const apply = (a: tf.Tensor, b: tf.Tensor) =>
    transposed ? convolutionTranspose(a, b, step) : convolution(a, b, step);
  const y = apply(x, w);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(apply(a, b), dy)))([
    x,
    w,
  ]) as [tf.Tensor, tf.Tensor];
  tf.dispose([x, w, dy]);
  return { y, dx, dw, yShape };
}

const expected = new Map<string, Expected>();

beforeAll(async () => {
  await useBackend('cpu');
  for (const [name, c] of Object.entries(CONV)) expected.set(`conv ${name}`, reference(c, false));
  for (const [name, c] of Object.entries(TRANSPOSED))
    expected.set(`transposed ${name}`, reference(c, true));
});

/**
 * Each backend, and the wasm backend once more with the plain SIMD build of our kernels (the
 * default runs relaxed SIMD's fused multiply-adds where available): both within the tolerances.
 */
const RUNS = [
  ...TEST_BACKENDS.map((b) => [b, 'auto'] as const),
  ['wasm', 'plain'] as const,
] as const;

describe.each(RUNS)('convolution kernels on %s (%s SIMD build)', (backend, simd) => {
  beforeAll(async () => {
    await useBackend(backend);
    useWasmSimdVariant(simd);
  });
  afterAll(() => useWasmSimdVariant('auto'));

  const cases = [
    ...Object.entries(CONV).map(([n, c]) => [`conv ${n}`, c, false] as const),
    ...Object.entries(TRANSPOSED).map(([n, c]) => [`transposed ${n}`, c, true] as const),
  ];
  test.each(cases)('%s: output and both gradients equal tfjs’s cpu kernels', async (name, c, t) => {
    const e = expected.get(name) as Expected;
    await expectNoLeaks(() => {
      const { y, dx, dw, yShape } = ours(c, t);
      expect(y.shape).toEqual(yShape);
      expectTensorsClose(y, e.y, { rtol: 1e-5, label: 'output' });
      expectTensorsClose(dx, e.dx, { rtol: 1e-5, label: 'input gradient' });
      expectTensorsClose(dw, e.dw, { rtol: 1e-5, label: 'filter gradient' });
      return [y, dx, dw];
    });
  });

  test.each([
    ['Winograd', [2, 9, 7, 8], [3, 3, 8, 12]],
    ['one channel', [2, 6, 8, 1], [3, 3, 1, 8]],
    ['columns', [2, 6, 7, 3], [3, 3, 3, 5]],
  ])(
    'a bias (%s path) is added as the output is written, its gradient the sum of dy',
    async (_, xs, ws) => {
      const x = randomNormal(xs as number[], 1);
      const w = randomNormal(ws as number[], 2);
      const bias = randomNormal([(ws as number[])[3] as number], 3);
      const step = { stride: [1, 1], padding: [1, 1] };
      await expectNoLeaks(() => {
        const y = convolution(x, w, step, bias);
        const expected = tf.tidy(() => tf.add(convolution(x, w, step), bias));
        expectTensorsClose(y, expected, { rtol: 1e-5, label: 'output' });
        const [gx, gw, gb] = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.square(convolution(xx, ww, step, bb))),
        )([x, w, bias]);
        const [ex, ew, eb] = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.square(tf.add(convolution(xx, ww, step), bb))),
        )([x, w, bias]);
        expectTensorsClose(gx as tf.Tensor, ex as tf.Tensor, {
          rtol: 1e-4,
          label: 'input gradient',
        });
        expectTensorsClose(gw as tf.Tensor, ew as tf.Tensor, {
          rtol: 1e-4,
          label: 'filter gradient',
        });
        expectTensorsClose(gb as tf.Tensor, eb as tf.Tensor, {
          rtol: 1e-4,
          label: 'bias gradient',
        });
        return [y, expected, gx, gw, gb, ex, ew, eb] as tf.Tensor[];
      });
      tf.dispose([x, w, bias]);
    },
  );

  test('Winograd blocks of 4 tiles give the one-block results', async () => {
    const g: ConvGeometry = {
      dims: 2,
      batch: 2,
      inSize: [1, 5, 7],
      inChannels: 4,
      outSize: [1, 5, 7],
      outChannels: 8,
      kernel: [1, 3, 3],
      stride: [1, 1, 1],
      padding: [0, 1, 1],
    };
    expect(winogradApplies(g)).toBe(backend === 'wasm' && wasmThreadCount() > 1);
    if (!winogradApplies(g)) return;
    const x = randomNormal([2, 5, 7, 4], 4);
    const w = randomNormal([3, 3, 4, 8], 5);
    const dy = randomNormal([2, 5, 7, 8], 6);
    await expectNoLeaks(() => {
      // 2·2·2 = 8 tiles of 4×4: two blocks, one per thread.
      const pairs = [
        [winogradForward(x, w, g), winogradForward(x, w, g, 4)],
        [winogradInputGrad(dy, w, g), winogradInputGrad(dy, w, g, 4)],
        [winogradFilterGrad(x, dy, g), winogradFilterGrad(x, dy, g, 4)],
        [convForward(x, w, g), tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')],
      ];
      for (const [a, b] of pairs)
        expectTensorsClose(a as tf.Tensor, b as tf.Tensor, { rtol: 1e-5 });
      return pairs.flat();
    });
    tf.dispose([x, w, dy]);
  });

  test('row chunks of a few values give the one-chunk results', async () => {
    const g: ConvGeometry = {
      dims: 3,
      batch: 2,
      inSize: [5, 4, 6],
      inChannels: 3,
      outSize: [3, 2, 3],
      outChannels: 2,
      kernel: [3, 3, 2],
      stride: [2, 2, 2],
      padding: [1, 1, 0],
    };
    const x = randomNormal([2, 5, 4, 6, 3], 4);
    const w = randomNormal([3, 3, 2, 3, 2], 5);
    const dy = randomNormal([2, 3, 2, 3, 2], 6);
    await expectNoLeaks(() => {
      // 60 values: 1 row of K = 54 per chunk, 36 chunks.
      const pairs = [
        [convForward(x, w, g), convForward(x, w, g, 60)],
        [convInputGrad(dy, w, g), convInputGrad(dy, w, g, 60)],
        [convFilterGrad(x, dy, g), convFilterGrad(x, dy, g, 60)],
      ];
      for (const [one, many] of pairs)
        expectTensorsClose(many as tf.Tensor, one as tf.Tensor, { rtol: 1e-6 });
      return pairs.flat();
    });
    tf.dispose([x, w, dy]);
  });

  test('the threaded wasm backend runs the column loops and transposes in its own memory', async () => {
    const available = wasmColumnsAvailable();
    expect(available).toBe(backend === 'wasm' && wasmThreadCount() > 1);
    if (!available) return;
    await expectNoLeaks(() => {
      const out: tf.Tensor[] = [];
      for (const shape of [
        [7, 10],
        [4, 8],
        [1, 3],
        [9, 5],
        [13, 1],
      ] as Array<[number, number]>) {
        const m = randomNormal(shape, shape[0]) as tf.Tensor2D;
        const t = wasmTranspose(m);
        const expected = tf.transpose(m);
        expectTensorsClose(t, expected, { rtol: 0, atol: 0, label: `${shape}` });
        out.push(m, t, expected);
      }
      return out;
    });
  });
});

describe('convolution kernels, chunks and checks', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('wrong ranks and channel counts throw errors naming the argument', () => {
    const x = tf.zeros([1, 4, 4, 4, 2]);
    const w = tf.zeros([3, 3, 3, 2, 5]);
    const step = { stride: [1, 1, 1], padding: [0, 0, 0], outputPadding: [0, 0, 0] };
    expect(() => convolution(tf.zeros([1, 4, 4, 4, 3]), w, step)).toThrow(
      /convolution: 'x' must be 2 channels/,
    );
    expect(() => convolution(x, tf.zeros([3, 3, 2, 5]), step)).toThrow(/'filter' must be 5-D/);
    expect(() => convolution(x, w, { stride: [1, 1], padding: [0, 0, 0] })).toThrow(
      /'step.stride' must be 3 sizes/,
    );
    expect(() => convolution(tf.zeros([1, 2, 4, 4, 2]), w, step)).toThrow(/non-empty output/);
    expect(() => convolutionTranspose(x, w, step)).toThrow(
      /convolutionTranspose: 'x' must be 5 channels/,
    );
    tf.dispose([x, w]);
  });
});
