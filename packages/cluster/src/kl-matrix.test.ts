import { describe, expect, it } from 'vitest';
import { klAgainst, klMatrix } from './kl-matrix.js';

describe('klMatrix / klAgainst', () => {
  const s = {
    data: new Float64Array([0.5, 0.5, 0.25, 0.75, 0.9, 0.1]),
    shape: [3, 2] as [number, number],
  };

  it('are the hand-computed divergences in nats', () => {
    const m = klMatrix(s, { epsilon: 0 });
    expect(m.shape).toEqual([3, 3]);
    const kl = (p: number, q: number) =>
      p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    const ps = [0.5, 0.25, 0.9];
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) expect(m.data[a * 3 + b]).toBeCloseTo(kl(ps[a]!, ps[b]!), 14);
    const r = klAgainst(s, { data: new Float64Array([1, 3]), shape: [1, 2] }, { epsilon: 0 });
    // References are renormalised: [1, 3] → [0.25, 0.75].
    expect(Array.from(r.data).map((v) => +v.toFixed(12))).toEqual(
      ps.map((p) => +kl(p, 0.25).toFixed(12)),
    );
  });

  it('stays finite for an empty cluster thanks to epsilon', () => {
    const m = klMatrix({ data: new Float64Array([1, 0, 0.5, 0.5]), shape: [2, 2] });
    expect(m.data.every(Number.isFinite)).toBe(true);
    expect(m.data[2]).toBeGreaterThan(10); // KL([.5,.5] ‖ [1, ε]) ≈ 0.5·log(0.5/ε)
  });

  it('rejects bad input', () => {
    expect(() => klMatrix({ data: new Float64Array([-0.1, 1.1]), shape: [1, 2] })).toThrow(/≥ 0/);
    expect(() =>
      klMatrix({ data: new Float64Array([0, 0]), shape: [1, 2] }, { epsilon: 0 }),
    ).toThrow(/sums to 0/);
    expect(() => klAgainst(s, { data: new Float64Array([1, 1, 1]), shape: [1, 3] })).toThrow(
      /2 columns/,
    );
    expect(() => klMatrix(s, { epsilon: -1 })).toThrow(/epsilon/);
  });
});
