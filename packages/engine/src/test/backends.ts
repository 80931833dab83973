import { createRng } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/index.js';

/** The backends every kernel is tested on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

/**
 * Switches tfjs to `name` (through `selectBackend`, so with the engine's gradients registered)
 * and waits until it is ready. Use in `beforeAll` of a `describe.each(TEST_BACKENDS)`.
 */
export async function useBackend(name: (typeof TEST_BACKENDS)[number]): Promise<void> {
  await selectBackend(name);
  await tf.ready();
}

/** A seeded standard-normal float32 tensor of `shape` (times `scale`). */
export function randomNormal(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * scale;
  return tf.tensor(data, shape, 'float32');
}
