/**
 * Checks of the model and losses against PyTorch golden arrays, shared by the golden tests
 * (shared reference cases and committed fixtures).
 */
import type { AnyTypedArray, NdArray } from '@cellshape/core';
import type { StateDict } from '@cellshape/engine';
import { expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { chamferLoss } from '../losses/index.js';
import { CloudAutoEncoder, type CloudAutoEncoderTrace } from '../model/index.js';
import { type NpzArrays, need, scalarOf } from '../test-utils/index.js';

/** Tolerances (relative to the output scale). */
export const OUTPUT_RTOL = 1e-4;
export const GRAD_RTOL = 1e-3;

/** Builds the model of a golden case from its state dict (architecture read from the keys). */
export function modelFromState(arrays: NpzArrays, state: StateDict): CloudAutoEncoder {
  const basic = state.has('decoder.folding.folding1.0.weight');
  return new CloudAutoEncoder({
    numFeatures: scalarOf(arrays.F),
    k: scalarOf(arrays.k),
    decoderType: basic ? 'foldingnetbasic' : 'foldingnet',
  });
}

/** Rows (query points) whose neighbour sets differ between `actual` and PyTorch's `expected`. */
export function knnMismatches(actual: tf.Tensor, expected: NdArray<AnyTypedArray>): number {
  const a = actual.dataSync();
  const k = actual.shape[actual.rank - 1] as number;
  let bad = 0;
  for (let row = 0; row < a.length / k; row++) {
    const x = Array.from(a.slice(row * k, row * k + k)).sort((p, q) => p - q);
    const y = Array.from(expected.data.slice(row * k, row * k + k), Number).sort((p, q) => p - q);
    if (x.some((v, i) => v !== y[i])) bad++;
  }
  return bad;
}

/**
 * Checks our own kNN graphs against PyTorch's: the first layer that differs may differ only in
 * as many rows as PyTorch marks fragile there (`allowance`); later layers are computed on
 * features that then legitimately differ, so they are not compared.
 */
export function checkOwnKnn(
  arrays: NpzArrays,
  prefix: string,
  knn: tf.Tensor[],
  allowance: readonly number[],
): void {
  for (let i = 0; i < knn.length; i++) {
    const bad = knnMismatches(knn[i] as tf.Tensor, need(arrays, `${prefix}_knn${i + 1}`));
    if (bad === 0) continue;
    expect(bad, `${prefix}_knn${i + 1}: rows differing from PyTorch`).toBeLessThanOrEqual(
      allowance[i] ?? 0,
    );
    return;
  }
}

/** PyTorch's neighbour graphs `PREFIX_knn1..4` as int32 tensors. */
export function torchGraphs(arrays: NpzArrays, prefix: string): tf.Tensor3D[] {
  return [1, 2, 3, 4].map((l) => {
    const a = need(arrays, `${prefix}_knn${l}`);
    return tf.tensor3d(
      Int32Array.from(a.data as ArrayLike<number>),
      a.shape as [number, number, number],
      'int32',
    );
  });
}

/** `[B, N, C]` → `[B, C, N]` (PyTorch's channels-first layout of the golden intermediates). */
function channelsFirst(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, [0, 2, 1]);
}

/** Compares the three Chamfer values of `input` vs `recon` with `PREFIX_chamfer_*`. */
export function checkChamfer(
  arrays: NpzArrays,
  prefix: string,
  input: tf.Tensor,
  recon: tf.Tensor,
): void {
  const cases: Array<[string, Parameters<typeof chamferLoss>[2]]> = [
    ['chamfer_sum', { form: 'sum' }],
    ['chamfer_ext', { form: 'extended' }],
    ['chamfer_ext_sq', { form: 'extended', squared: true }],
  ];
  for (const [key, options] of cases) {
    const value = chamferLoss(input, recon, options);
    expectTensorsClose(value.dataSync(), need(arrays, `${prefix}_${key}`).data, {
      rtol: OUTPUT_RTOL,
      label: `${prefix}_${key}`,
    });
    value.dispose();
  }
}

/** Compares a trace with `PREFIX_*` arrays (features, recon, knn, pooled, and x1..x4 if present). */
export function checkTrace(arrays: NpzArrays, prefix: string, trace: CloudAutoEncoderTrace): void {
  expectTensorsClose(trace.features, need(arrays, `${prefix}_features`), {
    rtol: OUTPUT_RTOL,
    label: `${prefix}_features`,
  });
  expectTensorsClose(trace.reconstruction, need(arrays, `${prefix}_recon`), {
    rtol: OUTPUT_RTOL,
    label: `${prefix}_recon`,
  });
  if (arrays[`${prefix}_pooled`])
    expectTensorsClose(trace.pooled, need(arrays, `${prefix}_pooled`), {
      rtol: OUTPUT_RTOL,
      label: `${prefix}_pooled`,
    });
  trace.edgeOutputs.forEach((x, i) => {
    const expected = arrays[`${prefix}_x${i + 1}`];
    if (!expected) return;
    const actual = channelsFirst(x);
    expectTensorsClose(actual, expected, { rtol: OUTPUT_RTOL, label: `${prefix}_x${i + 1}` });
    actual.dispose();
  });
}

/** Result of a train-mode forward + `chamfer_sum` backward. */
export interface TrainStep {
  trace: CloudAutoEncoderTrace;
  loss: tf.Scalar;
  grads: Map<string, tf.Tensor>;
  inputGrad: tf.Tensor;
}

/** Imposed Chamfer nearest points: per point of `a` its nearest of `b` (`[B·N]`), and back (`[B·M]`). */
export interface ChamferAssignments {
  aToB: Int32Array;
  bToA: Int32Array;
}

/**
 * `chamfer_sum(a, b)` (`[B, N, 3]`, `[B, M, 3]`) with the nearest points imposed, value and
 * gradient accumulated in float64. The reconstruction of an untrained decoder is a tiny blob
 * far from the input, so which of its points is nearest to an input point is decided by float32
 * rounding (see the package README, "Testing against PyTorch"). Imposing PyTorch's float32
 * choice, as the kNN graphs are imposed, compares the backward pass rather than the
 * tie-breaking; our Chamfer kernel is checked by the Chamfer values here and by its own
 * gradient tests.
 */
export function imposedChamferSum(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  assignments: ChamferAssignments,
): tf.Scalar {
  const [batch, n] = a.shape;
  const m = b.shape[1];
  const { aToB, bToA } = assignments;
  expect(aToB.length, 'chamfer.a_to_b size').toBe(batch * n);
  expect(bToA.length, 'chamfer.b_to_a size').toBe(batch * m);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [at, bt] = args as [tf.Tensor3D, tf.Tensor3D];
    const pa = at.dataSync() as Float32Array;
    const pb = bt.dataSync() as Float32Array;
    const ga = new Float64Array(pa.length);
    const gb = new Float64Array(pb.length);
    let value = 0;
    // Points p of `from` and their imposed nearest q of `to`: |p − q|², d/dp = 2(p − q).
    const route = (
      from: Float32Array,
      to: Float32Array,
      gFrom: Float64Array,
      gTo: Float64Array,
      index: Int32Array,
      nFrom: number,
      nTo: number,
    ): void => {
      for (let s = 0; s < batch; s++)
        for (let i = 0; i < nFrom; i++) {
          const p = (s * nFrom + i) * 3;
          const q = (s * nTo + (index[s * nFrom + i] as number)) * 3;
          for (let d = 0; d < 3; d++) {
            const diff = (from[p + d] as number) - (to[q + d] as number);
            value += diff * diff;
            gFrom[p + d] = (gFrom[p + d] as number) + 2 * diff;
            gTo[q + d] = (gTo[q + d] as number) - 2 * diff;
          }
        }
    };
    route(pa, pb, ga, gb, aToB, n, m);
    route(pb, pa, gb, ga, bToA, m, n);
    return {
      value: tf.scalar(value),
      gradFunc: (dy: tf.Tensor) => {
        const scale = dy.dataSync()[0] as number;
        const scaled = (g: Float64Array, shape: number[]): tf.Tensor =>
          tf.tensor(
            Float32Array.from(g, (v) => v * scale),
            shape,
          );
        return [scaled(ga, at.shape), scaled(gb, bt.shape)];
      },
    };
  });
  return op(a, b) as tf.Scalar;
}

/**
 * One train-mode forward of `input` and the gradients of `chamfer_sum(input, recon)`, with
 * PyTorch's kNN graphs and Chamfer nearest points imposed when given.
 */
export function trainStep(
  model: CloudAutoEncoder,
  input: tf.Tensor,
  graphs?: tf.Tensor[],
  assignments?: ChamferAssignments,
): TrainStep {
  model.train();
  const inputVar = tf.variable(input, true);
  const params = model.namedParameters();
  let trace: CloudAutoEncoderTrace | undefined;
  const { value, grads } = tf.variableGrads(() => {
    trace = model.trace(inputVar, graphs ? { graphs } : {});
    // Keep the outputs past the gradient scope (the encoder already keeps its intermediates).
    tf.keep(trace.features);
    tf.keep(trace.reconstruction);
    return assignments
      ? imposedChamferSum(inputVar as tf.Tensor3D, trace.reconstruction, assignments)
      : chamferLoss(inputVar, trace.reconstruction, { form: 'sum' });
  }, [...params.map(([, v]) => v), inputVar]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, v] of params) byName.set(name, grads[v.name] as tf.Tensor);
  const inputGrad = grads[inputVar.name] as tf.Tensor;
  inputVar.dispose();
  if (!trace) throw new Error('no trace');
  return { trace, loss: value, grads: byName, inputGrad };
}

/** max |a − b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return err / scale;
}

/**
 * Compares one gradient with a reference. When PyTorch's own float32 gradient is known besides
 * a float64 one, the allowed error relative to the scale is GRAD_RTOL plus twice PyTorch's
 * float32 error (large where thousands of terms cancel: rounding then decides, and another
 * summation order lands elsewhere within it); otherwise GRAD_RTOL.
 */
function checkGradient(
  label: string,
  actual: Float32Array,
  reference: NdArray<AnyTypedArray>,
  torch32?: NdArray<AnyTypedArray>,
): void {
  const exact = Float64Array.from(reference.data as ArrayLike<number>);
  const own32 = torch32
    ? relativeError(Float64Array.from(torch32.data as ArrayLike<number>), exact)
    : 0;
  expectTensorsClose(actual, exact, { rtol: GRAD_RTOL + 2 * own32, label });
}

/**
 * The input gradient, point by point: a Chamfer nearest neighbour at a near-tie may be picked
 * the other way in float32 (as kNN ones, see checkOwnKnn), which moves one point's gradient by
 * 2·(a − b); at most 0.1 % of the points may differ, all others must match.
 */
function checkInputGradient(
  actual: Float32Array,
  reference: NdArray<AnyTypedArray>,
  torch32?: NdArray<AnyTypedArray>,
): void {
  const exact = Float64Array.from(reference.data as ArrayLike<number>);
  const own32 = torch32
    ? relativeError(Float64Array.from(torch32.data as ArrayLike<number>), exact)
    : 0;
  let scale = 0;
  for (const v of exact) scale = Math.max(scale, Math.abs(v));
  const allowed = (GRAD_RTOL + 2 * own32) * scale;
  let outliers = 0;
  for (let p = 0; p < exact.length / 3; p++) {
    let bad = false;
    for (let c = 0; c < 3; c++)
      bad ||= Math.abs((actual[3 * p + c] as number) - (exact[3 * p + c] as number)) > allowed;
    if (bad) outliers++;
  }
  expect(outliers, 'grad.input: points beyond tolerance').toBeLessThanOrEqual(
    Math.floor(exact.length / 3 / 1000),
  );
}

/**
 * Compares the gradients (`grad.*`) and running statistics (`bn_after_train.*`) with PyTorch.
 * The reference gradients are float64 (`grad.*`) beside PyTorch's float32 ones (`grad32.*`),
 * in `exact` (NAME_f64.npz of the shared golden cases, whose float32 `grad.*` of `arrays` are
 * then not used) or else in `arrays` (committed fixtures).
 */
export function checkTrainStep(
  arrays: NpzArrays,
  model: CloudAutoEncoder,
  step: TrainStep,
  exact?: NpzArrays,
): void {
  const source = exact ?? arrays;
  let compared = 0;
  for (const key of Object.keys(source)) {
    if (!key.startsWith('grad.')) continue;
    const name = key.slice(5);
    const reference = need(source, key);
    const torch32 = source[`grad32.${name}`];
    let actual: Float32Array;
    if (name === 'input') actual = step.inputGrad.dataSync() as Float32Array;
    else {
      const grad = step.grads.get(name);
      expect(grad, `gradient of ${name}`).toBeDefined();
      actual = model.parameterToTorch(name, (grad as tf.Tensor).dataSync() as Float32Array).data;
    }
    if (name === 'input') checkInputGradient(actual, reference, torch32);
    else checkGradient(key, actual, reference, torch32);
    compared++;
  }
  expect(compared).toBeGreaterThan(2);
  const state = model.stateDict();
  let stats = 0;
  for (const [key, expected] of Object.entries(arrays))
    if (key.startsWith('bn_after_train.')) {
      expectTensorsClose(
        state.get(key.slice('bn_after_train.'.length)) as NdArray<Float32Array>,
        expected,
        {
          rtol: OUTPUT_RTOL,
          label: key,
        },
      );
      stats++;
    }
  expect(stats).toBeGreaterThan(0);
}

/** PyTorch's train-step Chamfer nearest points of a NAME_f64.npz. */
function chamferAssignments(f64: NpzArrays): ChamferAssignments {
  const read = (key: string): Int32Array => {
    const array = f64[key];
    if (!array)
      throw new Error(
        `NAME_f64.npz has no ${key}: regenerate with sh packages/cloud/scripts/make-golden.sh`,
      );
    return Int32Array.from(array.data as ArrayLike<number>);
  };
  return { aToB: read('chamfer.a_to_b'), bToA: read('chamfer.b_to_a') };
}

/** Disposes everything a train step returned. */
export function disposeStep(step: TrainStep): void {
  tf.dispose([step.loss, step.inputGrad, ...step.grads.values(), ...traceTensors(step.trace)]);
}

/** Every tensor of a trace. */
export function traceTensors(trace: CloudAutoEncoderTrace): tf.Tensor[] {
  return [trace.features, trace.reconstruction, trace.pooled, ...trace.knn, ...trace.edgeOutputs];
}

/**
 * The full golden check of one case on the active backend. Numerics are compared with
 * PyTorch's neighbour graphs imposed (so a near-tie broken the other way cannot hide or fake a
 * difference): eval outputs, intermediates and Chamfer values; one train-mode forward with the
 * gradients of `chamfer_sum` and the updated running statistics. Our own graphs are checked
 * separately against PyTorch's, within the case's fragile rows (`allowance`). With `f64`
 * (NAME_f64.npz of scripts/golden-f64.py) the gradients are those of PyTorch's Chamfer nearest
 * points (`chamfer.a_to_b`, `chamfer.b_to_a`), compared with float64 ones.
 */
export function checkGoldenCase(
  model: CloudAutoEncoder,
  arrays: NpzArrays,
  state: StateDict,
  allowance: { eval: number[]; train: number[] },
  f64?: NpzArrays,
): void {
  const input = tf.tensor(need(arrays, 'input').data as Float32Array, need(arrays, 'input').shape);
  try {
    model.loadStateDict(state);
    model.eval();
    const own = model.trace(input);
    checkOwnKnn(arrays, 'eval', own.knn, allowance.eval);
    tf.dispose(traceTensors(own));
    const evalGraphs = torchGraphs(arrays, 'eval');
    const evalTrace = model.trace(input, { graphs: evalGraphs });
    checkTrace(arrays, 'eval', evalTrace);
    checkChamfer(arrays, 'eval', input, evalTrace.reconstruction);
    tf.dispose([...traceTensors(evalTrace), ...evalGraphs]);

    const trainGraphs = torchGraphs(arrays, 'train');
    const step = trainStep(model, input, trainGraphs, f64 && chamferAssignments(f64));
    checkTrace(arrays, 'train', step.trace);
    checkChamfer(arrays, 'train', input, step.trace.reconstruction);
    expectTensorsClose(step.loss, need(arrays, 'train_chamfer_sum'), {
      rtol: OUTPUT_RTOL,
      label: 'train loss',
    });
    checkTrainStep(arrays, model, step, f64);
    disposeStep(step);
    tf.dispose(trainGraphs);
    // Our own train-mode graphs (this forward updates the running statistics again).
    const ownTrain = model.trace(input);
    checkOwnKnn(arrays, 'train', ownTrain.knn, allowance.train);
    tf.dispose(traceTensors(ownTrain));
  } finally {
    input.dispose();
  }
}
