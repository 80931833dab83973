import type { AnyTypedArray, NdArray } from '@cellshape/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Something with numbers: a tensor, a typed array or an `NdArray`. */
export type Numeric = tf.Tensor | AnyTypedArray | NdArray<AnyTypedArray>;

function values(x: Numeric): { data: Float64Array; shape: number[] | undefined } {
  if (x instanceof tf.Tensor)
    return { data: Float64Array.from(x.dataSync() as ArrayLike<number>), shape: x.shape };
  if (ArrayBuffer.isView(x))
    return { data: Float64Array.from(x as ArrayLike<number | bigint>, Number), shape: undefined };
  return { data: Float64Array.from(x.data as ArrayLike<number | bigint>, Number), shape: x.shape };
}

/** Tolerances of {@link expectTensorsClose}. */
export interface CloseOptions {
  /** Allowed error relative to the scale (max |expected|). Default 1e-4. */
  rtol?: number;
  /** Absolute floor added to the allowed error. Default 1e-7. */
  atol?: number;
  /** Name shown in the failure message. */
  label?: string;
}

/**
 * Asserts `|actual − expected| ≤ rtol · max|expected| + atol` element-wise (one tolerance for
 * the whole tensor, scaled by its largest value: right for a layer's output or a gradient),
 * and equal shapes when both carry one. Reports the worst element on failure. For a tolerance
 * per element, see {@link expectClose}.
 */
export function expectTensorsClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): void {
  const { rtol = 1e-4, atol = 1e-7, label = 'tensor' } = options;
  const a = values(actual);
  const e = values(expected);
  if (a.shape && e.shape) expect(a.shape, `${label}: shape`).toEqual(e.shape);
  expect(a.data.length, `${label}: size`).toBe(e.data.length);
  let scale = 0;
  for (const v of e.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.data.length; i++) {
    const err = Math.abs((a.data[i] as number) - (e.data[i] as number));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  const allowed = rtol * scale + atol;
  expect(
    worst <= allowed,
    `${label}: max error ${worst} at ${at} (actual ${a.data[at]}, expected ${e.data[at]}) > ${allowed} (scale ${scale})`,
  ).toBe(true);
}

/**
 * Element-wise `|a − e| ≤ atol + rtol · |e|` (a tolerance per element, as `numpy.allclose`),
 * reporting the worst element on failure.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

/**
 * Runs `fn` and asserts that the number of live tensors is the same before and after (what
 * `fn` returns is disposed first when it is a tensor or an array/object of tensors).
 */
export async function expectNoLeaks<T>(
  fn: () => T | Promise<T>,
  label = 'expectNoLeaks',
): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  tf.dispose(result as unknown as tf.TensorContainer);
  const after = tf.memory().numTensors;
  expect(after - before, `${label}: leaked tensors`).toBe(0);
  return result;
}

/**
 * True when two typed arrays have the same type, length and bytes (NaN payloads included);
 * much faster than `toEqual` on arrays of 10^5 elements.
 */
export function sameBits(a: AnyTypedArray, b: AnyTypedArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
