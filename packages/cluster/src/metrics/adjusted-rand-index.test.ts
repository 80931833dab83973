import { describe, expect, it } from 'vitest';
import { loadReference, numbersOf } from '../test-utils/fixtures.js';
import { adjustedRandIndex } from './adjusted-rand-index.js';

describe('adjustedRandIndex', () => {
  const ref = loadReference();
  it('matches sklearn adjusted_rand_score', () => {
    const a = numbersOf(ref.ari_a);
    expect(adjustedRandIndex(a, numbersOf(ref.ari_b))).toBeCloseTo(numbersOf(ref.ari_ab)[0]!, 12);
    expect(adjustedRandIndex(a, numbersOf(ref.ari_c))).toBeCloseTo(numbersOf(ref.ari_ac)[0]!, 12);
  });

  it('is 1 for the same partition under renaming, and for trivial partitions', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0], [1, 1, 1])).toBe(1);
    expect(adjustedRandIndex([7], [2])).toBe(1);
  });

  it('rejects bad input', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(
      /'labels' must be one label per sample \(2\)/,
    );
    expect(() => adjustedRandIndex([0, 0.5], [0, 1])).toThrow(/'truth' must hold 32-bit integers/);
    expect(() => adjustedRandIndex([], [])).toThrow(/non-empty/);
  });
});
