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

  it('names metadata columns whose values the features CSV overrides', async () => {
    // A run's features.csv carries its training metadata: a corrected Treatment in --metadata
    // was dropped without a word.
    const own = join(dir, 'features-own.csv');
    writeFileSync(own, 'id,Treatment,Plate,f0\na,DMSO,P1,1\nb,DMSO,P1,2\n');
    const metadata = join(dir, 'metadata-corrected.csv');
    writeFileSync(metadata, 'id,Plate,Treatment,Well\na,P1,DMSO,A01\nb,P1,Taxol,A02\n');
    const table = await readAnalyseTable({ features: own, metadata, idColumn: 'id', reserved: [] });
    expect(table.metadata.Treatment).toEqual(['DMSO', 'DMSO']);
    expect(table.metadata.Well).toEqual(['A01', 'A02']);
    expect(table.shadowedMetadataColumns).toEqual(['Treatment']);
  });

  it('keeps both of two columns with one name, as pandas does (x, x.1)', async () => {
    const twice = join(dir, 'features-twice.csv');
    writeFileSync(twice, 'id,f0,Well,Well\na,1,A01,1\nb,2,A02,2\n');
    const table = await readAnalyseTable({ features: twice, idColumn: 'id', reserved: [] });
    // With f0, f1… columns every other column is metadata; the second Well was lost before.
    expect(table.metadataColumns).toEqual(['Well', 'Well.1']);
    expect(table.metadata.Well).toEqual(['A01', 'A02']);
    expect(table.metadata['Well.1']).toEqual(['1', '2']);
    // Without them every numeric column is a feature.
    const numeric = join(dir, 'numeric-twice.csv');
    writeFileSync(numeric, 'id,size,size\na,1,10\nb,2,20\n');
    const both = await readAnalyseTable({ features: numeric, idColumn: 'id', reserved: [] });
    expect(both.featureNames).toEqual(['size', 'size.1']);
    expect(Array.from(both.features.data)).toEqual([1, 10, 2, 20]);
  });
});
