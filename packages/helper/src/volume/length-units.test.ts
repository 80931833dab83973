import { describe, expect, it } from 'vitest';
import { convertLength } from './length-units.js';

describe('convertLength', () => {
  it('converts between the OME-XML length units', () => {
    expect(convertLength(0.2, 'µm', 'nm')).toBeCloseTo(200, 12);
    expect(convertLength(3, 'mm', 'µm')).toBe(3000);
    expect(convertLength(5, 'Å', 'nm')).toBeCloseTo(0.5, 12);
    expect(convertLength(1, 'm', 'cm')).toBe(100);
    // Microns spelled with the Greek mu, "um" or "micron" are µm.
    for (const micron of ['μm', 'um', 'micron', 'microns'])
      expect(convertLength(2, micron, 'µm')).toBe(2);
  });

  it('gives undefined for units it does not know', () => {
    expect(convertLength(1, 'furlong', 'µm')).toBeUndefined();
    expect(convertLength(1, 'µm', 'pixel')).toBeUndefined();
  });
});
