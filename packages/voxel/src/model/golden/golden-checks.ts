/**
 * Checks of the VoxelAutoEncoder against the committed PyTorch fixtures of
 * `scripts/make-golden.py` (float64 oracle; see that script for what each array holds).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyTypedArray, type NdArray, parseNpz } from '@cellshape/core';
import { expectTensorsClose } from '@cellshape/engine/test';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { bceLoss } from '../../losses/index.js';
import { VoxelAutoEncoder } from '../voxel-autoencoder.js';
import type { VoxelAutoEncoderOptions } from '../voxel-options.js';
import { formulaStateDict } from './formula.js';

/** Forward outputs: error ≤ OUTPUT_RTOL × max |expected| (the 1e-4). */
export const OUTPUT_RTOL = 1e-4;
/**
 * Gradients: error ≤ (GRAD_RTOL + 2 × PyTorch's own float32 error relative to the scale) ×
 * max |PyTorch gradient| of the parameter (the cloud goldens' rule).
 */
export const GRAD_RTOL = 1e-3;

/** The committed fixtures' folder. */
export const FIXTURE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

type Arrays = Record<string, NdArray<AnyTypedArray>>;

interface Manifest {
  samples: number;
  batch: number;
  cases: Record<string, VoxelAutoEncoderOptions>;
}

/** The fixtures' manifest (options per case). */
export function readManifest(): Manifest {
  return JSON.parse(readFileSync(resolve(FIXTURE_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

function need(arrays: Arrays, key: string): NdArray<AnyTypedArray> {
  const a = arrays[key];
  if (!a) throw new Error(`fixture: missing array '${key}'`);
  return a;
}

/** Values of `data` at the fixture's evenly spaced indices ⌊k·size/samples⌋ (distinct). */
export function sampleValues(data: ArrayLike<number>, samples: number): Float32Array {
  const size = data.length;
  const picks = new Set<number>();
  for (let k = 0; k < samples; k++) picks.add(Math.floor((k * size) / samples));
  return Float32Array.from(
    [...picks].sort((a, b) => a - b),
    (i) => data[i] as number,
  );
}

/** A fixture case: its model (formula weights loaded), input volumes and arrays. */
export function loadCase(name: string): {
  model: VoxelAutoEncoder;
  input: tf.Tensor;
  arrays: Arrays;
  samples: number;
} {
  const manifest = readManifest();
  const options = manifest.cases[name];
  if (!options) throw new Error(`fixture: unknown case ${name}`);
  const arrays = parseNpz(new Uint8Array(readFileSync(resolve(FIXTURE_DIR, `${name}.npz`))));
  const model = new VoxelAutoEncoder(options);
  model.loadStateDict(formulaStateDict(model.stateDict()));
  const mask = need(arrays, 'input');
  const input = tf.tensor(Float32Array.from(mask.data as Uint8Array), mask.shape, 'float32');
  return { model, input, arrays, samples: manifest.samples };
}

function close(
  actual: ArrayLike<number> | tf.Tensor,
  expected: NdArray<AnyTypedArray>,
  label: string,
): void {
  expectTensorsClose(
    actual instanceof tf.Tensor ? actual : Float32Array.from(actual),
    expected.data,
    { rtol: OUTPUT_RTOL, label },
  );
}

/** Eval-mode features and reconstruction against PyTorch's. */
export function checkEval(name: string): void {
  const { model, input, arrays, samples } = loadCase(name);
  try {
    model.eval();
    const { features, reconstruction } = model.forward(input);
    close(features, need(arrays, 'eval_features'), `${name} eval features`);
    const r = reconstruction.dataSync();
    close(sampleValues(r, samples), need(arrays, 'eval_recon'), `${name} eval reconstruction`);
    let sum = 0;
    for (const v of r) sum += v;
    const mean = sum / r.length;
    close([mean], need(arrays, 'eval_recon_mean'), `${name} eval reconstruction mean`);
    tf.dispose([features, reconstruction]);
  } finally {
    input.dispose();
    model.dispose();
  }
}

/**
 * A training-mode forward and the BCE gradient of every parameter against PyTorch's (sampled
 * entries, tolerance scaled by the parameter's largest gradient), then the running statistics.
 */
export function checkTrainStep(name: string): void {
  const { model, input, arrays, samples } = loadCase(name);
  try {
    const params = model.namedParameters();
    const outputs: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(
      () => {
        const { features, reconstruction } = model.forward(input);
        outputs.push(tf.keep(features), tf.keep(reconstruction));
        return bceLoss(input, reconstruction);
      },
      params.map(([, v]) => v),
    );
    const [features, reconstruction] = outputs as [tf.Tensor, tf.Tensor];
    close(features, need(arrays, 'train_features'), `${name} train features`);
    close(
      sampleValues(reconstruction.dataSync(), samples),
      need(arrays, 'train_recon'),
      `${name} train reconstruction`,
    );
    close(value, need(arrays, 'train_loss'), `${name} BCE loss`);
    for (const [key, variable] of params) {
      const grad = grads[variable.name] as tf.Tensor;
      const torch = model.parameterToTorch(key, grad.dataSync() as Float32Array);
      const expected = need(arrays, `grad.${key}`).data as Float32Array;
      const scale = Number(need(arrays, `gradscale.${key}`).data[0]);
      const own32 = Number(need(arrays, `gradown32.${key}`).data[0]);
      const actual = sampleValues(torch.data, samples);
      let worst = 0;
      actual.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - (expected[i] as number)));
      });
      expect(worst, `${name} grad ${key} (scale ${scale})`).toBeLessThanOrEqual(
        (GRAD_RTOL + 2 * own32) * scale + 1e-12,
      );
    }
    const state = model.stateDict();
    for (const [key, array] of Object.entries(arrays)) {
      if (!key.startsWith('after.')) continue;
      const ours = state.get(key.slice('after.'.length));
      if (!ours) throw new Error(`state dict lacks ${key}`);
      close(sampleValues(ours.data as Float32Array, samples), array, `${name} ${key}`);
    }
    tf.dispose([value, ...Object.values(grads), features, reconstruction]);
  } finally {
    input.dispose();
    model.dispose();
  }
}
