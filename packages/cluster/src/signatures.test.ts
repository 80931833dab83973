import { describe, expect, it } from 'vitest';
import { signatures } from './signatures.js';

describe('signatures', () => {
  it('averages q per group in order of first appearance', () => {
    const q = {
      data: new Float64Array([1, 0, 0.5, 0.5, 0, 1, 0.2, 0.8]),
      shape: [4, 2] as [number, number],
    };
    const r = signatures(q, ['b', 'a', 'b', 'a']);
    expect(r.groups).toEqual(['b', 'a']);
    expect(r.counts).toEqual([2, 2]);
    expect(Array.from(r.signatures.data)).toEqual([0.5, 0.5, 0.35, 0.65]);
  });

  it('rejects bad input', () => {
    const q = { data: new Float64Array([1, 0]), shape: [1, 2] as [number, number] };
    expect(() => signatures(q, ['a', 'b'])).toThrow(/1 keys/);
    expect(() => signatures({ data: new Float64Array([1, 1]), shape: [1, 2] }, ['a'])).toThrow(
      /sum to 1/,
    );
    expect(() => signatures(q, [Number.NaN])).toThrow(/strings or numbers/);
  });
});
