import { describe, expect, test } from 'vitest';
import { simdKernels } from './simd-kernels.js';

describe('the SIMD kernels arena', () => {
  test('grows the shared memory past its first pages and keeps earlier views valid', () => {
    const simd = simdKernels();
    simd.reset();
    const small = simd.f32(4);
    small.set([1, 2, 3, 4]);
    const big = simd.i32(3_000_000); // 12 MB: several times the initial memory
    big[big.length - 1] = 7;
    expect(Array.from(small)).toEqual([1, 2, 3, 4]);
    expect(big[big.length - 1]).toBe(7);
    expect(big.byteOffset % 16).toBe(0);
    expect(big.byteOffset).toBeGreaterThanOrEqual(small.byteOffset + 16);
    expect(simd.memory.buffer.byteLength).toBeGreaterThanOrEqual(big.byteOffset + big.byteLength);
  });

  test('reuses the arena after a reset without clearing it (the kernels write every output)', () => {
    const simd = simdKernels();
    simd.reset();
    const first = simd.f32(8).fill(5);
    simd.reset();
    const again = simd.f32(8);
    expect(again.byteOffset).toBe(first.byteOffset);
    expect(Array.from(again)).toEqual(new Array(8).fill(5));
  });
});
