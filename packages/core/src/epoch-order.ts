import { invalidArgument } from './errors.js';
import { createRng } from './rng.js';

/**
 * Mixes a seed with two integers into a 32-bit seed (murmur3's finaliser per value), so that
 * every (item, epoch) or (purpose, epoch) draws an independent stream from one run seed.
 */
export function mixSeed(seed: number, a: number, b: number): number {
  let h = Math.trunc(seed) >>> 0;
  for (const v of [a, b]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** The stream of {@link epochOrder}, distinct from per-item resampling streams. */
const ORDER_STREAM = 0x5eed;

/**
 * The order in which an epoch visits the samples 0 … n − 1: the identity, or (with `shuffle`)
 * a permutation that depends only on `(seed, epoch)`. Every dataset of cellshape uses it, so a
 * run visits cells in the same order whatever holds them, and a resumed run repeats the epochs
 * of the uninterrupted one.
 */
export function epochOrder(
  n: number,
  options: { shuffle: boolean; seed: number; epoch: number },
): Uint32Array {
  const fn = 'epochOrder';
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(fn, 'n', 'an integer ≥ 0', n);
  const { shuffle, seed, epoch } = options;
  if (!Number.isFinite(seed)) throw invalidArgument(fn, 'options.seed', 'a finite number', seed);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw invalidArgument(fn, 'options.epoch', 'an integer ≥ 0', epoch);
  if (!shuffle) return Uint32Array.from({ length: n }, (_, i) => i);
  return createRng(mixSeed(seed, ORDER_STREAM, epoch)).permutation(n);
}
