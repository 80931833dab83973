import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { createRng } from './rng.js';

describe('Rng', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(sa).toEqual(Array.from({ length: 20 }, () => b.next()));
    expect(sa).not.toEqual(Array.from({ length: 20 }, () => c.next()));
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const rng = createRng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (u < 0 || u >= 1) outside++;
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    expect(outside).toBe(0);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals', () => {
    const rng = createRng(2);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });

  it('shuffles into a permutation and restores its state', () => {
    const rng = createRng(3);
    const p = rng.permutation(100);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const saved = rng.state();
    const next = [rng.next(), rng.int(10)];
    rng.restore(saved);
    expect([rng.next(), rng.int(10)]).toEqual(next);
  });

  it('rejects invalid arguments', () => {
    expect(() => createRng(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => createRng(1).int(0)).toThrow(/Rng.int: 'n' must be a positive integer, got 0/);
  });
});
