import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, parseNpz } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
// The naive formulations are differentiated with tfjs-core's own gradients (the oracle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, randomNormal, TEST_BACKENDS, useBackend } from '../test/index.js';
import { chamferDistance } from './chamfer.js';
import { nearestNeighbours } from './nearest-neighbours.js';

/** The naive tfjs formulation: the full [B, N, M] squared-distance tensor. */
function naiveSqDist(a: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  return tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), 3) as tf.Tensor3D;
}

function naiveChamfer(
  a: tf.Tensor,
  b: tf.Tensor,
  form: 'sum' | 'extended',
  squared: boolean,
): tf.Scalar {
  const d = naiveSqDist(a, b);
  if (form === 'sum') return tf.add(tf.sum(tf.min(d, 2)), tf.sum(tf.min(d, 1)));
  const f = (t: tf.Tensor): tf.Tensor => (squared ? t : tf.sqrt(t));
  return tf.mean(tf.maximum(tf.mean(f(tf.min(d, 2)), 1), tf.mean(f(tf.min(d, 1)), 1)));
}

const CASES = [
  { form: 'sum', squared: false },
  { form: 'extended', squared: false },
  { form: 'extended', squared: true },
] as const;

describe.each(TEST_BACKENDS)('chamferDistance on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)(
    'matches the naive formulation in value and gradients (%o)',
    ({ form, squared }) => {
      // M != N and clouds of different spread, so the two directions differ.
      const a = randomNormal([3, 50, 3], 1);
      const b = randomNormal([3, 37, 3], 2, 0.7);
      const opts = { form, squared };
      const ours = tf.valueAndGrads((p: tf.Tensor, q: tf.Tensor) => chamferDistance(p, q, opts))([
        a,
        b,
      ]);
      const naive = tf.valueAndGrads((p: tf.Tensor, q: tf.Tensor) =>
        naiveChamfer(p, q, form, squared),
      )([a, b]);
      expectClose(ours.value.dataSync(), naive.value.dataSync(), 1e-5, 1e-6);
      expectClose(ours.grads[0]?.dataSync() ?? [], naive.grads[0]?.dataSync() ?? [1], 1e-4, 1e-6);
      expectClose(ours.grads[1]?.dataSync() ?? [], naive.grads[1]?.dataSync() ?? [1], 1e-4, 1e-6);
      tf.dispose([a, b, ours.value, naive.value, ...ours.grads, ...naive.grads]);
    },
  );

  it('is zero with a zero gradient for identical clouds, and sum is symmetric', () => {
    const a = randomNormal([2, 20, 3], 3);
    const b = randomNormal([2, 25, 3], 4);
    const { value, grads } = tf.valueAndGrads((p: tf.Tensor, q: tf.Tensor) =>
      chamferDistance(p, q, { form: 'extended' }),
    )([a, tf.clone(a)]);
    expect(value.dataSync()[0]).toBe(0);
    for (const g of grads) expect(Math.max(...Array.from(g.dataSync(), Math.abs))).toBe(0);
    const ab = chamferDistance(a, b);
    const ba = chamferDistance(b, a);
    expectClose(ab.dataSync(), ba.dataSync(), 1e-6, 0);
    tf.dispose([a, b, value, ...grads, ab, ba]);
  });

  it('nearestNeighbours agrees with the naive argmin', () => {
    const a = randomNormal([2, 30, 3], 5);
    const b = randomNormal([2, 40, 3], 6);
    const nn = nearestNeighbours(a, b);
    const d = naiveSqDist(a, b);
    expect(Array.from(nn.indexAToB.dataSync())).toEqual(Array.from(tf.argMin(d, 2).dataSync()));
    expect(Array.from(nn.indexBToA.dataSync())).toEqual(Array.from(tf.argMin(d, 1).dataSync()));
    expectClose(nn.sqDistAToB.dataSync(), tf.min(d, 2).dataSync(), 1e-5, 1e-7);
    expectClose(nn.sqDistBToA.dataSync(), tf.min(d, 1).dataSync(), 1e-5, 1e-7);
    expect(nn.indexAToB.shape).toEqual([2, 30]);
    expect(nn.sqDistBToA.shape).toEqual([2, 40]);
    tf.dispose([a, b, d, nn.indexAToB, nn.indexBToA, nn.sqDistAToB, nn.sqDistBToA]);
  });
});

const GOLDEN = new URL('../../../../../shared/reference/golden/small.npz', import.meta.url);
const HAVE_GOLDEN = existsSync(GOLDEN);
if (!HAVE_GOLDEN)
  console.warn('SKIPPED: chamfer golden test needs ../shared/reference/golden/small.npz');

describe.skipIf(!HAVE_GOLDEN)('chamferDistance vs the PyTorch reference (golden small)', () => {
  beforeAll(() => useBackend('cpu'));

  it('reproduces chamfer_sum and chamfer_extended of the eval reconstruction', () => {
    const npz = parseNpz(readFileSync(GOLDEN));
    const input = npz.input;
    const recon = npz.eval_recon;
    if (!input || !recon) throw new Error('golden small.npz lacks input / eval_recon');
    const a = tf.tensor(input.data as Float32Array, input.shape, 'float32');
    const b = tf.tensor(recon.data as Float32Array, recon.shape, 'float32');
    const scalar = (key: string): number => Number(npz[key]?.data[0]);
    const cases: Array<[string, number]> = [
      ['eval_chamfer_sum', chamferDistance(a, b).dataSync()[0] as number],
      ['eval_chamfer_ext', chamferDistance(a, b, { form: 'extended' }).dataSync()[0] as number],
      [
        'eval_chamfer_ext_sq',
        chamferDistance(a, b, { form: 'extended', squared: true }).dataSync()[0] as number,
      ],
    ];
    for (const [key, ours] of cases) expectClose([ours], [scalar(key)], 1e-5, 0);
    tf.dispose([a, b]);
  });
});

describe('chamferDistance / nearestNeighbours invalid input', () => {
  beforeAll(() => useBackend('cpu'));

  it('keeps the default of an option given as undefined', () => {
    const a = randomNormal([2, 6, 3], 5);
    const b = randomNormal([2, 7, 3], 6);
    const unset = chamferDistance(a, b, { form: undefined, squared: undefined });
    const byDefault = chamferDistance(a, b);
    expect(unset.dataSync()[0]).toBe(byDefault.dataSync()[0]);
    tf.dispose([a, b, unset, byDefault]);
  });

  it('rejects bad shapes, batches, values and options', () => {
    const a = tf.zeros([2, 5, 3]);
    expect(() => chamferDistance(tf.zeros([5, 3]), a)).toThrow(/chamferDistance: 'a' must be 3-D/);
    expect(() => chamferDistance(a, tf.zeros([2, 5, 2]))).toThrow(
      /'b' must be of shape \[B, M, 3\]/,
    );
    expect(() => chamferDistance(a, tf.zeros([3, 5, 3]))).toThrow(/batch size 2/);
    expect(() => chamferDistance(a, tf.zeros([2, 0, 3]))).toThrow(/non-empty/);
    expect(() => chamferDistance(a, tf.fill([2, 5, 3], Number.POSITIVE_INFINITY))).toThrow(
      /'b' must be finite/,
    );
    expect(() => chamferDistance(a, a, { form: 'mean' as 'sum' })).toThrow(/'options.form'/);
    expect(() => chamferDistance(a, a, { squared: 1 as unknown as boolean })).toThrow(
      /'options.squared'/,
    );
    expect(() => chamferDistance(a, a, null as never)).toThrow(/'options' must be an object/);
    expect(() => nearestNeighbours(a, tf.zeros([2, 4, 3], 'int32'))).toThrow(InvalidArgumentError);
    expect(() => nearestNeighbours(a, tf.zeros([1, 4, 3]))).toThrow(/nearestNeighbours: 'b'/);
    tf.dispose(a);
  });
});
