import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRng,
  FormatError,
  IncompatibleError,
  InvalidArgumentError,
  parseNpz,
  UnsupportedError,
} from '@cellshape/core';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from '../torch/read-checkpoint.js';
import type { TorchDict, TorchTensor, TorchValue } from '../torch/types.js';
import { Adam, type AdamStateDict, DEFAULT_ADAM_OPTIONS } from './adam.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const at = (v: TorchValue, ...path: Array<string | number>): TorchValue =>
  path.reduce<TorchValue>(
    (acc, key) =>
      (acc instanceof Map ? acc.get(key) : (acc as TorchValue[])[key as number]) as TorchValue,
    v,
  );
const data = (v: TorchValue, ...path: Array<string | number>): Float32Array =>
  (at(v, ...path) as TorchTensor).data as Float32Array;

/** Largest distance in float32 ulps between two arrays. */
function maxUlps(a: Float32Array, b: Float32Array): number {
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = ia[i]! < 0 ? -0x80000000 - ia[i]! : ia[i]!;
    const y = ib[i]! < 0 ? -0x80000000 - ib[i]! : ib[i]!;
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

function variables(shapes: number[][], values: Float32Array[]): Array<[string, tf.Variable]> {
  return shapes.map((shape, i) => [
    `p${i}`,
    tf.variable(tf.tensor(values[i]!, shape), true, `adam-test-${Math.random()}`),
  ]);
}

/** Textbook Adam with L2 weight decay, in float64 (the analytic reference). */
function referenceAdam(
  p: number[],
  grads: number[][],
  o: { lr: number; b1: number; b2: number; eps: number; wd: number },
): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const x = [...p];
  grads.forEach((g, t) => {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]! + o.wd * x[i]!;
      m[i] = o.b1 * m[i]! + (1 - o.b1) * gi;
      v[i] = o.b2 * v[i]! + (1 - o.b2) * gi * gi;
      const mHat = m[i]! / (1 - o.b1 ** (t + 1));
      const vHat = v[i]! / (1 - o.b2 ** (t + 1));
      x[i] = x[i]! - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  });
  return x;
}

describe('Adam', () => {
  it('follows the float64 textbook recursion over 5 steps', () => {
    const init = [0.5, -1.25, 2, 0.001];
    const grads = [
      [0.1, -0.2, 3, 0],
      [0.05, 0.4, -1, 1e-3],
      [-0.3, 0.1, 0.5, 2],
      [0.2, 0.2, 0.2, -0.2],
      [1, -1, 0.01, 0.5],
    ];
    const [[, w]] = variables([[4]], [Float32Array.from(init)]) as [[string, tf.Variable]];
    const adam = new Adam([['w', w]], { lr: 0.01, weightDecay: 0.1 });
    for (const g of grads) tf.tidy(() => adam.step({ w: tf.tensor(g) }));
    const expected = referenceAdam(init, grads, {
      lr: 0.01,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-8,
      wd: 0.1,
    });
    const got = w.dataSync();
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
    // The first step moves every coordinate with a gradient by lr (Adam's scale invariance).
    adam.dispose();
    w.dispose();
  });

  it('is bit-exact with torch.optim.Adam over 3 steps, skipping params without grad', () => {
    const ref = readTorchCheckpoint(
      fileURLToPath(new URL('./fixtures/adam-reference.pt', import.meta.url)),
    );
    const report: string[] = [];
    for (const name of ['default', 'strong']) {
      const c = at(ref, name);
      const init = (at(c, 'init') as TorchTensor[]).map((t) => t.data as Float32Array);
      const shapes = (at(c, 'init') as TorchTensor[]).map((t) => t.shape);
      const params = variables(shapes, init);
      const adam = new Adam(params, {
        lr: at(c, 'lr') as number,
        weightDecay: at(c, 'weight_decay') as number,
      });
      const before = tf.memory().numTensors;
      let worst = 0;
      for (let s = 0; s < 3; s++) {
        const grads = new Map<string, tf.Tensor>();
        (at(c, 'steps', s, 'grads') as Array<TorchTensor | null>).forEach((g, i) => {
          if (g !== null) grads.set(`p${i}`, tf.tensor(g.data as Float32Array, g.shape));
        });
        adam.step(grads);
        tf.dispose([...grads.values()]);
        params.forEach(([, v], i) => {
          worst = Math.max(
            worst,
            maxUlps(v.dataSync() as Float32Array, data(c, 'steps', s, 'params', i)),
          );
        });
      }
      // The optimizer holds no tensors and leaks none.
      expect(tf.memory().numTensors).toBe(before);
      const state = adam.stateDict();
      const torchState = at(c, 'optimizer', 'state') as TorchDict;
      for (const [index, entry] of torchState) {
        const mine = state.state[index as number]!;
        expect(mine.step).toBe(data(entry, 'step')[0]);
        worst = Math.max(worst, maxUlps(mine.exp_avg.data, data(entry, 'exp_avg')));
        worst = Math.max(worst, maxUlps(mine.exp_avg_sq.data, data(entry, 'exp_avg_sq')));
      }
      expect(state.state[2]!.step).toBe(2); // p2 had no gradient at step 2
      report.push(`${name}: ${worst} ulp`);
      expect(worst).toBe(0);
      adam.dispose();
      tf.dispose(params.map(([, v]) => v));
    }
    console.info(`Adam vs torch 1.13 fixture, max distance: ${report.join(', ')}`);
  });

  it('exchanges state with torch: loadStateDict(torch state) then step matches torch', () => {
    const ref = readTorchCheckpoint(
      fileURLToPath(new URL('./fixtures/adam-reference.pt', import.meta.url)),
    );
    const c = at(ref, 'strong');
    // Start from torch's parameters after step 3 and its optimizer state; compare the state
    // round trip, then continue with a step of our own.
    const after = (at(c, 'steps', 2, 'params') as TorchTensor[]).map((t) => t.data as Float32Array);
    const params = variables(
      (at(c, 'init') as TorchTensor[]).map((t) => t.shape),
      after,
    );
    const adam = new Adam(params);
    adam.loadStateDict(at(c, 'optimizer'));
    expect(adam.lr).toBe(0.05);
    const state = adam.stateDict();
    expect(state.param_groups[0]).toMatchObject({ lr: 0.05, weight_decay: 0.1, params: [0, 1, 2] });
    expect(state.state[0]!.exp_avg.data).toEqual(data(c, 'optimizer', 'state', 0, 'exp_avg'));
    // Our own state survives a JSON-like round trip (string keys).
    const copy = JSON.parse(
      JSON.stringify(state, (_, v) => (v instanceof Float32Array ? Array.from(v) : v)),
    ) as AdamStateDict;
    const plain = new Adam(variables([[2, 2]], [new Float32Array(4)]), { lr: 1 });
    expect(() => plain.loadStateDict(copy)).toThrow(IncompatibleError);
    plain.dispose();
    adam.dispose();
    tf.dispose(params.map(([, v]) => v));
  });

  it('steps a parameter named in lrScale exactly as an Adam at lr × scale, schedule included', () => {
    const start = [Float32Array.of(0.5, -1.25, 2), Float32Array.of(3, -0.75)];
    const grads = [
      [Float32Array.of(0.1, -0.3, 0.02), Float32Array.of(-2, 0.5)],
      [Float32Array.of(-0.4, 0.2, 0.7), Float32Array.of(1.5, -0.25)],
      [Float32Array.of(0.3, 0.3, -0.1), Float32Array.of(0.125, 4)],
    ];
    const scaled = variables([[3], [2]], start);
    const plain = variables([[3], [2]], start);
    const big = variables([[3], [2]], start);
    const a = new Adam(scaled, { lr: 1e-3, lrScale: { p1: 100 } });
    const b = new Adam(plain, { lr: 1e-3 });
    const c = new Adam(big, { lr: 1e-1 });
    grads.forEach((g, t) => {
      const lr = 1e-3 * 0.5 ** t; // an exponential schedule sets lr on both
      [a.lr, b.lr, c.lr] = [lr, lr, lr * 100];
      for (const adam of [a, b, c]) {
        const named = { p0: tf.tensor(g[0]!), p1: tf.tensor(g[1]!) };
        adam.step(named);
        tf.dispose(Object.values(named));
      }
    });
    // p0 at the base lr, p1 at 100 × lr: bit for bit the parameters of the plain optimizers.
    expect(scaled[0]![1].dataSync()).toEqual(plain[0]![1].dataSync());
    expect(scaled[1]![1].dataSync()).toEqual(big[1]![1].dataSync());
    expect(scaled[1]![1].dataSync()).not.toEqual(plain[1]![1].dataSync());
    // The scale is configuration, not state: a loaded state keeps it.
    const reloaded = variables(
      [[3], [2]],
      [scaled[0]![1].dataSync() as Float32Array, scaled[1]![1].dataSync() as Float32Array],
    );
    const d = new Adam(reloaded, { lrScale: { p1: 100 } });
    d.loadStateDict(a.stateDict());
    const g = { p0: tf.tensor(grads[0]![0]!), p1: tf.tensor(grads[0]![1]!) };
    a.step(g);
    d.step(g);
    tf.dispose(Object.values(g));
    expect(reloaded[1]![1].dataSync()).toEqual(scaled[1]![1].dataSync());
    expect(a.stateDict().param_groups[0].lr).toBe(a.lr);
    for (const [, v] of [...scaled, ...plain, ...big, ...reloaded]) v.dispose();
  });

  it('runs the same bits in WebAssembly SIMD and in JavaScript, and their states are exchangeable', () => {
    // Odd lengths (the two-value loop's padding), magnitudes from 1e-30 to 1e4, exact zeros of
    // both signs, with and without weight decay, over many steps.
    const rng = createRng(5);
    const draw = (n: number) =>
      Float32Array.from({ length: n }, (_, i) =>
        i % 17 === 0 ? (i % 2 ? -0 : 0) : rng.normal() * 10 ** rng.uniform(-30, 4),
      );
    const shapes = [[1001], [3, 7], [1]];
    const start = shapes.map((shape) => draw(shape.reduce((a, b) => a * b, 1)));
    for (const weightDecay of [0, 1e-2]) {
      const simd = variables(shapes, start);
      const plain = variables(shapes, start);
      const a = new Adam(simd, { lr: 1e-3, weightDecay });
      const b = new Adam(plain, { lr: 1e-3, weightDecay, simd: false });
      expect([a.simd, b.simd]).toEqual([true, false]);
      for (let t = 0; t < 25; t++) {
        const grads = Object.fromEntries(
          simd.map(([name, v]) => [name, tf.tensor(draw(v.size), v.shape)]),
        );
        a.step(grads);
        b.step(grads);
        tf.dispose(Object.values(grads));
      }
      for (const [i, [, v]] of simd.entries())
        expect(v.dataSync()).toEqual(plain[i]![1].dataSync());
      // One's state continues in the other.
      const third = variables(shapes, start);
      const c = new Adam(third, { simd: false });
      c.loadStateDict(a.stateDict());
      expect(c.stateDict()).toEqual(a.stateDict());
      b.loadStateDict(c.stateDict());
      a.loadStateDict(b.stateDict());
      expect(a.stateDict()).toEqual(b.stateDict());
      for (const [, v] of [...simd, ...plain, ...third]) v.dispose();
    }
  });

  it('validates its input', () => {
    const v = tf.variable(tf.zeros([2]));
    expect(() => new Adam('x' as never)).toThrow(InvalidArgumentError);
    expect(
      () =>
        new Adam([
          ['a', v],
          ['a', v],
        ]),
    ).toThrow(/unique name/);
    expect(() => new Adam([['a', v]], { lr: -1 })).toThrow(/'options.lr' must be a number ≥ 0/);
    expect(() => new Adam([['a', v]], { betas: [0.9, 1] })).toThrow(InvalidArgumentError);
    expect(() => new Adam([['a', v]], { amsgrad: true as false })).toThrow(UnsupportedError);
    expect(() => new Adam([['a', v]], { simd: 1 as unknown as boolean })).toThrow(
      /'options.simd' must be a boolean/,
    );
    expect(() => new Adam([['a', v]], { lrScale: { b: 2 } })).toThrow(
      /'options.lrScale' must be keyed by names of the optimised parameters/,
    );
    expect(() => new Adam([['a', v]], { lrScale: { a: -1 } })).toThrow(
      /'options.lrScale\["a"\]' must be a number ≥ 0/,
    );
    const adam = new Adam([['a', v]]);
    expect(adam.lr).toBe(DEFAULT_ADAM_OPTIONS.lr);
    // An explicit undefined keeps the default (it used to fail the lr check).
    const unset = new Adam([['a', v]], { lr: undefined, betas: undefined, simd: undefined });
    expect(unset.lr).toBe(DEFAULT_ADAM_OPTIONS.lr);
    expect(unset.stateDict().param_groups[0].betas).toEqual(DEFAULT_ADAM_OPTIONS.betas);
    unset.dispose();
    expect(() => new Adam([['a', v]], null as never)).toThrow(/'options' must be an object/);
    expect(() => {
      adam.lr = Number.NaN;
    }).toThrow(InvalidArgumentError);
    expect(() => adam.step({ b: tf.zeros([2]) })).toThrow(/names of the optimised parameters/);
    expect(() => adam.step({ a: tf.zeros([3]) })).toThrow(/a tensor of shape \[2\]/);
    expect(() => adam.loadStateDict({})).toThrow(FormatError);
    expect(() =>
      adam.loadStateDict({ state: {}, param_groups: [{ params: [0] }, { params: [1] }] }),
    ).toThrow(UnsupportedError);
    // torch.optim.SGD(momentum=0.9).state_dict(): another optimizer's valid state.
    const sgd = { lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false };
    const loadSgd = () =>
      adam.loadStateDict({
        state: { 0: { momentum_buffer: { data: new Float32Array(2), shape: [2] } } },
        param_groups: [{ ...sgd, params: [0] }],
      });
    expect(loadSgd).toThrow(UnsupportedError);
    expect(loadSgd).toThrow(/Adam\.loadStateDict: the state is not Adam's .*SGD or RMSprop/);
    expect(() =>
      adam.loadStateDict({
        state: { 0: { step: 1, exp_avg: { data: new Float32Array(3), shape: [3] } } },
        param_groups: [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, params: [0] }],
      }),
    ).toThrow(IncompatibleError);
    adam.dispose();
    v.dispose();
  });
});

// Golden case of the reference harness: one step of torch.optim.Adam on the golden gradients.
const goldenDir = resolve(fileURLToPath(import.meta.url), '../../../../cloud/.golden');
const HAVE_GOLDEN = existsSync(resolve(goldenDir, 'small_step1.pt'));
if (!HAVE_GOLDEN)
  console.warn(
    `SKIPPED: golden Adam test needs ${goldenDir} (sh packages/cloud/scripts/make-golden.sh small)`,
  );

describe.skipIf(!HAVE_GOLDEN)('Adam: golden small case', () => {
  it('one step on grad.* from small.pt gives after_step.* and small_step1.pt state', () => {
    const manifest = JSON.parse(readFileSync(resolve(goldenDir, 'manifest.json'), 'utf8')).cases
      .small;
    const npz = parseNpz(readFileSync(resolve(goldenDir, 'small.npz')));
    const start = readTorchCheckpoint(resolve(goldenDir, 'small.pt'));
    const step1 = readTorchCheckpoint(resolve(goldenDir, 'small_step1.pt'));
    const order: string[] = manifest.parameter_order;
    const names: string[] = manifest.grad_params;
    const params = names.map(
      (name) =>
        [
          name,
          tf.variable(
            tf.tensor(
              data(start, 'model_state_dict', name),
              (at(start, 'model_state_dict', name) as TorchTensor).shape,
            ),
          ),
        ] as [string, tf.Variable],
    );
    const adam = new Adam(params, {
      lr: manifest.config.lr,
      weightDecay: manifest.config.weight_decay,
    });
    const grads = new Map(
      names.map((n) => [
        n,
        tf.tensor(npz[`grad.${n}`]!.data as Float32Array, npz[`grad.${n}`]!.shape),
      ]),
    );
    adam.step(grads);
    tf.dispose([...grads.values()]);
    const state = adam.stateDict();
    let worstRel = 0;
    let worstUlps = 0;
    names.forEach((name, i) => {
      const got = params[i]![1].dataSync() as Float32Array;
      const want = npz[`after_step.${name}`]!.data as Float32Array;
      for (let j = 0; j < want.length; j++)
        worstRel = Math.max(
          worstRel,
          Math.abs(got[j]! - want[j]!) / Math.max(Math.abs(want[j]!), 1e-30),
        );
      worstUlps = Math.max(worstUlps, maxUlps(got, want));
      const torchIndex = order.indexOf(name);
      const entry = at(step1, 'optimizer_state_dict', 'state', torchIndex);
      expect(state.state[i]!.step).toBe(data(entry, 'step')[0]);
      worstUlps = Math.max(
        worstUlps,
        maxUlps(state.state[i]!.exp_avg.data, data(entry, 'exp_avg')),
      );
      worstUlps = Math.max(
        worstUlps,
        maxUlps(state.state[i]!.exp_avg_sq.data, data(entry, 'exp_avg_sq')),
      );
      expect(maxUlps(got, data(step1, 'model_state_dict', name)), name).toBeLessThanOrEqual(1);
    });
    console.info(`Adam golden small: max rel ${worstRel.toExponential(2)}, max ${worstUlps} ulp`);
    expect(worstRel).toBeLessThan(1e-6);
    adam.dispose();
    tf.dispose(params.map(([, v]) => v));
  });
});
