import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { readAnalyseTable } from './analyse-table.js';

describe('readAnalyseTable reads CSVs as the tools that write them do', () => {
  const dir = tempDir('analyse-table');
  const features = join(dir, 'features.csv');
  writeFileSync(features, 'id,f0,f1\na,1.5,2\nb,-3,1e2\nc,0,4\n');

  it('takes a metadata CSV saved by Excel in Windows-1252 without merging names', async () => {
    // "10 µM" and "10 ÄM" in Windows-1252 (0xB5, 0xC4): not UTF-8, so each byte stays itself.
    const metadata = join(dir, 'metadata-1252.csv');
    writeFileSync(
      metadata,
      Uint8Array.from([
        ...Buffer.from('id,Treatment\na,10 '),
        0xb5,
        ...Buffer.from('M\nb,10 '),
        0xc4,
        ...Buffer.from('M\nc,DMSO\n'),
      ]),
    );
    const table = await readAnalyseTable({ features, metadata, idColumn: 'id', reserved: [] });
    expect(table.metadata.Treatment).toEqual(['10 µM', '10 ÄM', 'DMSO']);
    expect(Array.from(table.features.data)).toEqual([1.5, 2, -3, 100, 0, 4]);
  });

  it('refuses hexadecimal, binary and octal feature values (Number reads them, pandas does not)', async () => {
    for (const text of ['0x10', '0b11', '0o7']) {
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, `id,f0\na,1\nb,${text}\n`);
      await expect(
        readAnalyseTable({ features: bad, idColumn: 'id', reserved: [] }),
      ).rejects.toThrow(`feature "f0" must be a finite number, got "${text}"`);
    }
  });

  it('joins the first metadata row of an id on several rows and names the id', async () => {
    // pandas' merge would give the cell two rows; taking the last row (as before) was silent.
    const metadata = join(dir, 'metadata-repeated.csv');
    writeFileSync(metadata, 'id,Treatment\na,A\nb,B\na,C\nc,A\nb,B\n');
    const table = await readAnalyseTable({ features, metadata, idColumn: 'id', reserved: [] });
    expect(table.ids).toEqual(['a', 'b', 'c']);
    expect(table.metadata.Treatment).toEqual(['A', 'B', 'A']);
    expect(table.repeatedMetadataIds).toEqual(['a', 'b']);
  });
});
