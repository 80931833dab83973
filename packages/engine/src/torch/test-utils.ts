import type { AnyTypedArray } from '@cellshape/core';

/**
 * True when two typed arrays have the same type, length and bytes (NaN payloads included).
 * Test helper: much faster than `toEqual` on arrays of 10^5 elements.
 */
export function sameBits(a: AnyTypedArray, b: AnyTypedArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
