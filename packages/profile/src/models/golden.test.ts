/**
 * The 2D models and the Barlow Twins loss against the committed PyTorch goldens of
 * `scripts/make-golden.py` (profile_reference.py, the same networks in PyTorch, evaluated in
 * float64 from float32 weights and inputs): the fixtures' state dicts load under PyTorch's
 * names, and eval outputs, training-mode losses, every parameter gradient and the running
 * statistics agree, on cpu and wasm.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyTypedArray, type NdArray, parseNpz } from '@cellshape/core';
import type { StateArray } from '@cellshape/engine';
import { expectTensorsClose, TEST_BACKENDS, useBackend } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { barlowTwinsLoss } from './barlow-twins-loss.js';
import { CnnClassifier } from './cnn-classifier.js';
import { ConvAutoEncoder2D } from './conv-autoencoder-2d.js';
import type { ImageModel } from './image-model.js';
import { SiameseEncoder } from './siamese-encoder.js';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'golden');
const manifest = JSON.parse(readFileSync(resolve(DIR, 'manifest.json'), 'utf8')) as {
  lambda: number;
  cases: Record<string, { kind: string; options: Record<string, unknown> }>;
};
type Arrays = Record<string, NdArray<AnyTypedArray>>;
const read = (name: string): Arrays =>
  parseNpz(new Uint8Array(readFileSync(resolve(DIR, `${name}.npz`))));
const need = (a: Arrays, key: string): NdArray<AnyTypedArray> => {
  const v = a[key];
  if (!v) throw new Error(`fixture: missing ${key}`);
  return v;
};
const tensor = (a: NdArray<AnyTypedArray>): tf.Tensor =>
  tf.tensor(Float32Array.from(a.data as Float32Array), [...a.shape], 'float32');

/** Forward outputs within 1e-4 of their scale; gradients within 1e-3 of theirs (the voxel goldens' rules). */
const OUTPUT_RTOL = 1e-4;
const GRAD_RTOL = 1e-3;
/**
 * Absolute floor for gradients that vanish in exact arithmetic (a bias just before a batch norm,
 * the last batch norm's shift before the pooled dense layer and its batch norm): float32 leaves
 * ~1e-7–1e-6 there, against gradients of order 1 elsewhere.
 */
const GRAD_ATOL = 1e-5;

type Model = SiameseEncoder | ConvAutoEncoder2D | CnnClassifier;

function loadCase(name: string): { model: Model; arrays: Arrays } {
  const spec = manifest.cases[name];
  if (!spec) throw new Error(`fixture: unknown case ${name}`);
  const arrays = read(name);
  const build: Record<string, (o: Record<string, unknown>) => Model> = {
    SiameseEncoder: (o) => new SiameseEncoder(o),
    ConvAutoEncoder2D: (o) => new ConvAutoEncoder2D(o),
    CnnClassifier: (o) => new CnnClassifier(o),
  };
  const model = (build[spec.kind] as (o: Record<string, unknown>) => Model)(spec.options);
  const state: Record<string, StateArray> = {};
  for (const [key, value] of Object.entries(arrays))
    if (key.startsWith('state.')) state[key.slice('state.'.length)] = value;
  model.loadStateDict(state);
  return { model, arrays };
}

/** The training-mode loss of a case, as make-golden.py computes it. */
function trainLoss(name: string, model: Model, arrays: Arrays, x: tf.Tensor): tf.Scalar {
  if (model instanceof SiameseEncoder) {
    const x2 = tensor(need(arrays, 'input2'));
    return barlowTwinsLoss(model.encode(x), model.encode(x2), { lambda: manifest.lambda });
  }
  if (model instanceof ConvAutoEncoder2D)
    return model.reconstructionLoss(x, model.forward(x).reconstruction);
  const labels = Array.from(need(arrays, 'labels').data as BigInt64Array, Number);
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), model.numClasses);
  if (name !== 'classifier') throw new Error(name);
  return tf.losses.softmaxCrossEntropy(onehot, model.logits(x)) as tf.Scalar;
}

function checkEval(name: string): void {
  const { model, arrays } = loadCase(name);
  model.eval();
  const x = tensor(need(arrays, 'input'));
  tf.tidy(() => {
    expectTensorsClose(model.encode(x), need(arrays, 'eval.features'), {
      rtol: OUTPUT_RTOL,
      label: `${name} features`,
    });
    if (model instanceof ConvAutoEncoder2D)
      expectTensorsClose(model.forward(x).reconstruction, need(arrays, 'eval.reconstruction'), {
        rtol: OUTPUT_RTOL,
        label: `${name} reconstruction`,
      });
    if (model instanceof CnnClassifier)
      expectTensorsClose(model.logits(x), need(arrays, 'eval.logits'), {
        rtol: OUTPUT_RTOL,
        label: `${name} logits`,
      });
  });
  x.dispose();
  model.dispose();
}

function checkTrain(name: string): void {
  const { model, arrays } = loadCase(name);
  model.train();
  const x = tensor(need(arrays, 'input'));
  const params = (model as ImageModel).namedParameters();
  const { value, grads } = tf.variableGrads(
    () => trainLoss(name, model, arrays, x),
    params.map(([, v]) => v),
  );
  const expectedLoss = Number(need(arrays, 'train.loss').data[0]);
  expect(Math.abs((value.dataSync()[0] as number) - expectedLoss)).toBeLessThan(
    1e-4 * Math.max(1, Math.abs(expectedLoss)),
  );
  for (const [key, variable] of params) {
    const grad = grads[variable.name] as tf.Tensor;
    const torchGrad = model.parameterToTorch(key, grad.dataSync() as Float32Array);
    expectTensorsClose(torchGrad, need(arrays, `grad.${key}`), {
      rtol: GRAD_RTOL,
      atol: GRAD_ATOL,
      label: `${name} grad ${key}`,
    });
  }
  const state = model.stateDict();
  for (const key of Object.keys(arrays).filter((k) => k.startsWith('after.')))
    expectTensorsClose(state.get(key.slice('after.'.length)) as StateArray, need(arrays, key), {
      rtol: OUTPUT_RTOL,
      label: `${name} ${key}`,
    });
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
}

describe.each(TEST_BACKENDS)('PyTorch goldens (%s)', (backend) => {
  for (const name of Object.keys(manifest.cases)) {
    test(`${name}: eval outputs`, async () => {
      await useBackend(backend);
      checkEval(name);
    });
    test(`${name}: training-mode loss, every gradient, running statistics`, async () => {
      await useBackend(backend);
      checkTrain(name);
    });
  }

  test('barlowTwinsLoss: loss and gradients of both views', async () => {
    await useBackend(backend);
    const arrays = read('barlow');
    const [z1, z2] = [tensor(need(arrays, 'z1')), tensor(need(arrays, 'z2'))];
    const lambda = manifest.lambda;
    const loss = barlowTwinsLoss(z1, z2, { lambda });
    const expected = Number(need(arrays, 'loss').data[0]);
    expect(Math.abs((loss.dataSync()[0] as number) - expected)).toBeLessThan(
      1e-5 * Math.max(1, expected),
    );
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => barlowTwinsLoss(a, b, { lambda }))([
      z1,
      z2,
    ]);
    expectTensorsClose(g1 as tf.Tensor, need(arrays, 'grad1'), {
      rtol: GRAD_RTOL,
      label: 'dL/dz1',
    });
    expectTensorsClose(g2 as tf.Tensor, need(arrays, 'grad2'), {
      rtol: GRAD_RTOL,
      label: 'dL/dz2',
    });
    tf.dispose([z1, z2, loss, g1, g2]);
  });
});
