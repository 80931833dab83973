import { checkNumber, invalidArgument } from '@cellshape/core';

/**
 * Seeded dropout masks as a counter-based hash of (element index, seed), so that the fused
 * wasm kernel (fused-kernels.wat, `$keep`) and this JavaScript draw the same mask on every
 * backend, in any order and on any thread: element `e` of a draw with seed `s` is kept when the
 * top 24 bits of murmur3's finaliser of `(e · 0x9E3779B1) xor s` are at least
 * `⌈rate · 2²⁴⌉`, i.e. when a uniform number in [0, 1) on a 2⁻²⁴ grid is ≥ `rate`.
 */

/** The kept-element threshold of the 24-bit hash for `rate` in [0, 1). */
export function dropoutThreshold(rate: number): number {
  return Math.ceil(rate * 2 ** 24);
}

/** Whether element `e` is kept by the draw of seed `seed` (an int32) at `threshold`. */
export function dropoutKeeps(e: number, seed: number, threshold: number): boolean {
  let h = Math.imul(e, 0x9e3779b1) ^ seed;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 8 >= threshold;
}

/** A seed (any finite number) as the int32 the hash takes. */
export function dropoutSeed(seed: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(seed))));
}

/**
 * The inverted-dropout multipliers of `size` elements: `1 / (1 − rate)` where kept, else 0
 * (PyTorch's `nn.Dropout` scaling), drawn from `seed`.
 *
 * @param seed any finite number (its integer part modulo 2³², as an int32).
 * @param rate the drop probability in [0, 1).
 */
export function dropoutMask(seed: number, size: number, rate: number): Float32Array {
  checkNumber('dropoutMask', 'rate', rate, { min: 0 });
  if (!(rate < 1)) throw invalidArgument('dropoutMask', 'rate', 'a probability in [0, 1)', rate);
  const s = dropoutSeed(seed);
  const t = dropoutThreshold(rate);
  const scale = Math.fround(1 / (1 - rate));
  const out = new Float32Array(size);
  for (let e = 0; e < size; e++) out[e] = dropoutKeeps(e, s, t) ? scale : 0;
  return out;
}
