import { createRng, IncompatibleError } from '@cellshape/core';
import type { Autoencoder, StateArray, StateDict } from '@cellshape/engine';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A tiny linear autoencoder for tests: `z = x·We + be`, `x̂ = z·Wd + bd`, PyTorch-named
 * parameters (`encoder.weight` `[F, D]` as torch's Linear, stored transposed as `[D, F]`).
 * Initialised near the identity when D = F, so features start as the input.
 */
export class LinearAutoencoder implements Autoencoder {
  readonly family = 'linear-test';
  readonly numFeatures: number;
  readonly inputSize: number;
  training = true;
  private readonly params: Array<[string, tf.Variable]>;

  constructor(inputSize: number, numFeatures: number, seed = 0) {
    const rng = createRng(seed);
    this.inputSize = inputSize;
    this.numFeatures = numFeatures;
    const init = (rows: number, cols: number) => {
      const data = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) data[r * cols + c] = (r === c ? 1 : 0) + rng.normal(0, 0.05);
      return tf.tidy(() => tf.variable(tf.tensor2d(data, [rows, cols]), true));
    };
    this.params = [
      ['encoder.weight', init(inputSize, numFeatures)],
      ['encoder.bias', tf.tidy(() => tf.variable(tf.zeros([numFeatures]), true))],
      ['decoder.weight', init(numFeatures, inputSize)],
      ['decoder.bias', tf.tidy(() => tf.variable(tf.zeros([inputSize]), true))],
    ];
  }

  private v(i: number): tf.Variable {
    return this.params[i]![1];
  }

  encode(input: tf.Tensor): tf.Tensor2D {
    return tf.add(tf.matMul(input as tf.Tensor2D, this.v(0)), this.v(1));
  }

  reconstructionLoss(input: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
    return mse(input, reconstruction);
  }

  decode(features: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(features as tf.Tensor2D, this.v(2)), this.v(3));
  }

  namedParameters(): Array<[string, tf.Variable]> {
    return [...this.params];
  }

  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [name, v] of this.params) {
      const data = Float32Array.from(v.dataSync());
      if (v.rank === 2) {
        // torch layout [out, in]
        const [rows, cols] = v.shape as [number, number];
        const t = new Float32Array(data.length);
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c]!;
        out.set(name, { data: t, shape: [cols, rows] });
      } else out.set(name, { data, shape: [...v.shape] });
    }
    return out;
  }

  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options: { strict?: boolean } = {},
  ): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    const known = new Set(this.params.map(([n]) => n));
    const unexpected = [...map.keys()].filter((k) => !known.has(k));
    if ((options.strict ?? true) && unexpected.length > 0)
      throw new IncompatibleError(
        `LinearAutoencoder.loadStateDict: unexpected keys ${unexpected.join(', ')}`,
      );
    for (const [name, v] of this.params) {
      const a = map.get(name);
      if (!a) {
        if (options.strict ?? true)
          throw new IncompatibleError(`LinearAutoencoder.loadStateDict: missing ${name}`);
        continue;
      }
      const data = a.data as Float32Array;
      if (v.rank === 2) {
        const [rows, cols] = v.shape as [number, number];
        const t = new Float32Array(data.length);
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) t[r * cols + c] = data[c * rows + r]!;
        tf.tidy(() => v.assign(tf.tensor2d(t, [rows, cols])));
      } else tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  config(): Record<string, unknown> {
    return { type: 'LinearAutoencoder', inputSize: this.inputSize, numFeatures: this.numFeatures };
  }

  dispose(): void {
    for (const [, v] of this.params) v.dispose();
  }
}

/** Mean squared error, the reconstruction loss of the tests. */
export function mse(input: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(input, reconstruction)));
}
