import { describe, expect, it } from 'vitest';
import { deriveSeed } from './derive-seed.js';

describe('deriveSeed', () => {
  it('is a 32-bit function of the seed and the parts, in order', () => {
    const s = deriveSeed(7, 'round', 3);
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(deriveSeed(7, 'round', 3)).toBe(s);
    expect(deriveSeed(7, 'round', '3')).toBe(s);
    expect(deriveSeed(8, 'round', 3)).not.toBe(s);
    expect(deriveSeed(7, 3, 'round')).not.toBe(s);
    // The separator keeps ('ab', 'c') and ('a', 'bc') apart.
    expect(deriveSeed(0, 'ab', 'c')).not.toBe(deriveSeed(0, 'a', 'bc'));
  });

  it('spreads consecutive items over the 32-bit range', () => {
    const seeds = Array.from({ length: 1000 }, (_, i) => deriveSeed(0, 'cell', i));
    expect(new Set(seeds).size).toBe(1000);
    const high = seeds.filter((s) => s >= 2 ** 31).length;
    expect(high).toBeGreaterThan(430);
    expect(high).toBeLessThan(570);
  });
});
