import { parseCsv } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { profilesCsv } from './analyse-outputs.js';
import type { Profiles } from './prepare-profiles.js';

describe('profilesCsv', () => {
  it('writes float32 feature values with digits enough to read them back exactly', () => {
    // pandas 1.5.3 read_csv of the 7-digit file gave 0.1234568 for the float32 0.123456791…, a
    // different float32; every float32 needs at most 9 significant digits.
    const values = Float32Array.from([0.123456789, 1 + 2 ** -23, -3.4028234663852886e38, 1e-45]);
    const profiles: Profiles = {
      keyColumns: ['well'],
      keys: [['A1'], ['A2']],
      counts: [3, 4],
      metadata: {},
      metadataColumns: [],
      classes: undefined,
      mixedClasses: 0,
      groups: ['A1', 'A2'],
      features: { data: Float64Array.from(values), shape: [2, 2] },
      referenceRows: 7,
    };
    const table = parseCsv(profilesCsv(profiles, ['f0', 'f1']));
    expect(table.header).toEqual(['well', 'count', 'f0', 'f1']);
    const back = table.rows.flatMap((row) => row.slice(2).map((v) => Math.fround(Number(v))));
    expect(back).toEqual(Array.from(values));
  });
});
