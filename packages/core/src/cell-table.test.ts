import { describe, expect, it } from 'vitest';
import { cellTableCsv, formatFloat32 } from './cell-table.js';
import { parseCsv } from './csv.js';

describe('cellTableCsv', () => {
  it('writes id, metadata, labels, q and float32 features, quoting and renaming clashing columns', () => {
    const text = cellTableCsv({
      ids: ['a', 'b,c'],
      metadata: [{ Treatment: 'DMSO', cluster: 'x' }, { Treatment: 'say "hi"' }],
      labels: { column: 'cluster', values: Int32Array.of(1, 0) },
      q: { data: Float64Array.of(0.25, 0.75, 0.9, 0.1), shape: [2, 2] },
      features: { data: Float32Array.of(0.1, 2), shape: [2, 1] },
    });
    expect(text).toBe(
      'id,Treatment,metadata.cluster,cluster,q0,q1,f0\n' +
        'a,DMSO,x,1,0.25,0.75,0.1\n' +
        '"b,c","say ""hi""",,0,0.9,0.1,2\n',
    );
    // What it writes reads back: the float32 features exactly.
    const back = parseCsv(text);
    expect(Math.fround(Number(back.rows[0]![6]))).toBe(Float32Array.of(0.1)[0]);
  });

  it('renames a clashing column to a name no other column has', () => {
    // Metadata with q0 and metadata.q0 (a features.csv joined back in) wrote `metadata.q0`
    // twice; pandas 1.5.3 then read the second as `metadata.q0.1`.
    const text = cellTableCsv({
      ids: ['a'],
      metadata: [{ q0: 'm', 'metadata.q0': 'n', id: 'other' }],
      q: { data: [0.5], shape: [1, 1] },
    });
    expect(text).toBe('id,metadata.metadata.q0,metadata.q0,metadata.id,q0\na,m,n,other,0.5\n');
    expect(new Set(parseCsv(text).header).size).toBe(5);
  });

  it('keeps the sign of -0 in q and features', () => {
    const text = cellTableCsv({
      ids: ['a'],
      q: { data: Float64Array.of(-0, 1), shape: [1, 2] },
      features: { data: Float32Array.of(-0), shape: [1, 1] },
    });
    expect(text).toBe('id,q0,q1,f0\na,-0,1,-0\n');
  });

  it("leaves out a metadata column 'id' that repeats the ids, and keeps one that differs", () => {
    const ids = ['a', 'b'];
    expect(
      cellTableCsv({
        ids,
        metadata: [
          { id: 'a', Treatment: 'x' },
          { id: 'b', Treatment: 'y' },
        ],
      }),
    ).toBe('id,Treatment\na,x\nb,y\n');
    expect(cellTableCsv({ ids, metadata: [{ id: 'a' }, { id: 'B' }] })).toBe(
      'id,metadata.id\na,a\nb,B\n',
    );
  });

  it('leaves out the parts not given', () => {
    expect(cellTableCsv({ ids: ['a'] })).toBe('id\na\n');
    expect(cellTableCsv({ ids: ['a'], metadata: [{}] })).toBe('id\na\n');
  });

  it('rejects inconsistent tables, naming the calling function', () => {
    expect(() => cellTableCsv({ ids: ['a'], metadata: [] })).toThrow(
      "cellTableCsv: 'metadata' must be 1 rows",
    );
    expect(() =>
      cellTableCsv({ ids: ['a'], labels: { column: 'label', values: [0, 1] } }, 'writeIdecCsv'),
    ).toThrow(/^writeIdecCsv: 'labels'/);
    expect(() => cellTableCsv({ ids: ['a'], q: { data: [1, 0, 0], shape: [1, 2] } })).toThrow(
      /'q'/,
    );
    expect(() => cellTableCsv(null as never)).toThrow(/'table' must be a CellTable/);
  });
});

describe('formatFloat32', () => {
  it('gives the shortest text that reads back as the same float32', () => {
    const values = Float32Array.of(0.1, 1 / 3, -2.5e-8, 16777217, 3.4028234663852886e38, 0);
    for (const v of values) {
      const text = formatFloat32(v);
      expect(Math.fround(Number(text))).toBe(v);
      // One digit fewer no longer reads back (the text is the shortest).
      const digits = text
        .replace(/^-|e.*$/g, '')
        .replace('.', '')
        .replace(/^0+/, '').length;
      if (digits > 1) expect(Math.fround(Number(v.toPrecision(digits - 1)))).not.toBe(v);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    // -0 keeps its sign (pandas 1.5.3 and numpy read '-0' as -0.0; it was written '0').
    expect(formatFloat32(-0)).toBe('-0');
    expect(Object.is(Math.fround(Number(formatFloat32(-0))), -0)).toBe(true);
  });

  it('answers short values (its fast path) exactly as the digit search does', () => {
    // The search without the fast path: the first of 6, 7, 8 digits that reads back, else 9.
    const search = (v: number): string => {
      if (Object.is(v, -0)) return '-0'; // the sign kept (String(-0) is '0')
      for (let digits = 6; digits < 9; digits++) {
        const text = String(Number(v.toPrecision(digits)));
        if (Math.fround(Number(text)) === Math.fround(v)) return text;
      }
      return String(Number(v.toPrecision(9)));
    };
    const values: number[] = [0, -0, Number.NaN, Infinity, -Infinity, 1e21, 1e-7, -1.5e-7, 1234567];
    // Marching-cubes vertices on voxel grids of several spacings, and arbitrary float32 values.
    for (let i = -2000; i <= 2000; i++)
      for (const s of [0.5, 0.25, 0.1, 0.65, 1.3]) values.push(Math.fround(i * s), i * s);
    let x = 1;
    for (let i = 0; i < 20000; i++) {
      x = (x * 16807) % 2147483647;
      values.push(Math.fround((x / 2147483647 - 0.5) * 10 ** ((i % 13) - 6)));
    }
    // Every float32 bit pattern class: random words (NaN, infinities, subnormals included),
    // and vertices of anisotropic voxel grids (spacings 0.65, 0.1, 2.3) shifted off the origin.
    const words = new Uint32Array(60000);
    for (let i = 0; i < words.length; i++) {
      x = (x * 16807) % 2147483647;
      words[i] = (x * 2 + (i & 1)) >>> 0;
    }
    values.push(...new Float32Array(words.buffer));
    for (let i = 0; i < 3000; i++)
      for (const s of [0.65, 0.1, 2.3, 0.325])
        values.push(Math.fround((i + 0.5) * Math.fround(s) + 117.3), Math.fround(-(i * s) - 0.25));
    // Values at rounding ties of 6, 7 and 8 digits (the fallback to toPrecision).
    values.push(Math.fround(1.234565), Math.fround(12.345675), 0.5, 2.5e-7, 123456.5, 1234567.5);
    for (const v of values) expect(formatFloat32(v)).toBe(search(v));
  });
});
