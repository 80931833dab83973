import { IncompatibleError } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, StateArray, StateDict } from '../training/module.js';

/**
 * A small {@link Encoder} for tests of code that takes any encoder (feature extraction,
 * clustering, the run layer): features = input · weight + bias on flat `[B, D]` inputs, with a
 * given `D × F` weight (rows of numbers) and scalar bias, so tests know every feature exactly.
 * It records the training mode of each `encode` call in `modes`, and has the state dict
 * `{ weight }` (shape `[D, F]`), loaded strictly.
 *
 * ```ts
 * const encoder = new LinearTestEncoder('projection-test', [[1, 0], [0, 1], [0, 0]]); // D 3, F 2
 * ```
 */
export class LinearTestEncoder implements Encoder {
  readonly numFeatures: number;
  readonly inputSize: number;
  readonly weight: tf.Variable;
  /** The training mode of each `encode` call, in order. */
  readonly modes: boolean[] = [];
  training = true;

  constructor(
    readonly family: string,
    weight: readonly (readonly number[])[],
    readonly bias = 0,
  ) {
    this.inputSize = weight.length;
    this.numFeatures = weight[0]?.length ?? 0;
    this.weight = tf.variable(tf.tensor2d(weight.map((row) => [...row])));
  }

  encode(input: tf.Tensor): tf.Tensor2D {
    this.modes.push(this.training);
    return tf.tidy(() => tf.add(tf.matMul(input as tf.Tensor2D, this.weight), this.bias));
  }
  namedParameters(): Array<[string, tf.Variable]> {
    return [['weight', this.weight]];
  }
  stateDict(): StateDict {
    const data = (this.weight.dataSync() as Float32Array).slice();
    return new Map([['weight', { data, shape: [this.inputSize, this.numFeatures] }]]);
  }
  loadStateDict(state: StateDict | Record<string, StateArray>): void {
    const map = state instanceof Map ? state : new Map(Object.entries(state));
    const weight = map.get('weight');
    const fits =
      map.size === 1 &&
      weight?.data instanceof Float32Array &&
      weight.shape.join() === `${this.inputSize},${this.numFeatures}`;
    if (!fits)
      throw new IncompatibleError(
        `LinearTestEncoder.loadStateDict: expected only 'weight' [${this.inputSize}, ${this.numFeatures}], got ${[...map.keys()].join(', ')}`,
      );
    this.weight.assign(
      tf.tensor2d(weight.data as Float32Array, [this.inputSize, this.numFeatures]),
    );
  }
  train(mode = true): this {
    this.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  config(): Record<string, unknown> {
    return { weight: this.weight.arraySync(), bias: this.bias };
  }
  dispose(): void {
    this.weight.dispose();
  }
}
