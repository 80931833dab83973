import { describe, expect, it } from 'vitest';
import { plateNormalise } from './plate-normalise.js';

describe('plateNormalise', () => {
  const features = {
    data: new Float64Array([1, 10, 3, 10, 5, 0, 10, 1, 20, 1, 40, 7]),
    shape: [6, 2] as [number, number],
  };
  const plate = ['p1', 'p1', 'p1', 'p2', 'p2', 'p2'];
  const isControl = [true, true, false, true, true, false];

  it('z-scores each plate by its controls (ddof 1); std 0 only centres', () => {
    const r = plateNormalise(features, { plate, isControl });
    // p1 controls, column 0: 1, 3 → mean 2, std √2; column 1: 10, 10 → std 0.
    expect(r.data[0]).toBeCloseTo(-1 / Math.SQRT2, 14);
    expect(r.data[4]).toBeCloseTo(3 / Math.SQRT2, 14);
    expect([r.data[1], r.data[3], r.data[5]]).toEqual([0, 0, -10]);
    // p2 controls, column 0: 10, 20 → mean 15, std √50.
    expect(r.data[10]).toBeCloseTo(25 / Math.sqrt(50), 14);
    expect(r.data[11]).toBe(6); // column 1 controls 1, 1: centred only
  });

  it('rejects bad input', () => {
    expect(() =>
      plateNormalise(features, { plate, isControl: [true, true, false, false, false, false] }),
    ).toThrow(/plate "p2" has 0 control cells/);
    expect(() =>
      plateNormalise(features, { plate, isControl: [true, false, false, true, true, false] }),
    ).toThrow(/plate "p1" has 1 control cells, at least 2/);
    expect(() => plateNormalise(features, { plate: ['p1'], isControl })).toThrow(/6 keys/);
    expect(() =>
      plateNormalise(features, { plate, isControl: [1, 1, 1, 1, 1, 1] as unknown as boolean[] }),
    ).toThrow(/booleans/);
  });
});
