import { describe, expect, it } from 'vitest';
import { cellTableCsv } from './cell-tables.js';

describe('cellTableCsv', () => {
  it('writes id, metadata, cluster, q and float32 features, quoting and renaming clashing columns', () => {
    const text = cellTableCsv({
      ids: ['a', 'b,c'],
      metadata: [{ Treatment: 'DMSO', cluster: 'x' }, { Treatment: 'say "hi"' }],
      labels: Int32Array.of(1, 0),
      q: { data: Float64Array.of(0.25, 0.75, 0.9, 0.1), shape: [2, 2] },
      features: { data: Float32Array.of(0.1, 2), shape: [2, 1] },
    });
    expect(text).toBe(
      'id,Treatment,metadata.cluster,cluster,q0,q1,f0\n' +
        'a,DMSO,x,1,0.25,0.75,0.1\n' +
        '"b,c","say ""hi""",,0,0.9,0.1,2\n',
    );
  });

  it('leaves out the parts not given', () => {
    expect(cellTableCsv({ ids: ['a'], metadata: [{}] })).toBe('id\na\n');
  });

  it('rejects inconsistent tables', () => {
    expect(() => cellTableCsv({ ids: ['a'], metadata: [] })).toThrow(
      "cellTableCsv: 'metadata' must be 1 rows",
    );
    expect(() => cellTableCsv({ ids: ['a'], metadata: [{}], labels: [0, 1] })).toThrow(/'labels'/);
    expect(() =>
      cellTableCsv({ ids: ['a'], metadata: [{}], q: { data: [1, 0, 0], shape: [1, 2] } }),
    ).toThrow(/'q'/);
  });
});
