import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@cellshape/core';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { analyseRun } from './analyse-run.js';
import { writeSyntheticScreen } from './test-data.js';

describe('analyseRun (synthetic screen: 2 plates × 6 wells × 10 cells, 3 treatments)', () => {
  const dir = tempDir('analyse');
  const input = writeSyntheticScreen(dir);
  const design = {
    group: ['Plate', 'Well'],
    by: 'Treatment',
    control: { column: 'Treatment', value: 'DMSO' },
    plate: 'Plate',
  };

  it('normalises per plate to DMSO, aggregates per well, clusters and scores; writes the files', async () => {
    const events: string[] = [];
    const out = join(dir, 'out');
    const r = await analyseRun({
      input,
      design,
      pipeline: { classify: 'none' },
      out,
      onProgress: (e) => events.push(e.message ?? ''),
    });
    expect(r.rows).toBe(120);
    expect(r.profiles).toBe(12);
    expect(r.features).toBe(4);
    expect(r.clusters).toBe(3);
    // Well-separated treatments: the clusters are the treatments.
    expect(r.metrics.against).toMatchObject({
      column: 'Treatment',
      adjustedRandIndex: 1,
      vMeasure: 1,
    });
    expect(r.metrics.silhouette).toBeGreaterThan(0.7);
    expect(events.map((e) => e.split(':')[0])).toEqual([
      'read',
      'normalise',
      'cluster',
      'metrics',
      'classify',
      'write',
    ]);

    const profiles = parseCsv(readFileSync(join(out, 'profiles.csv'), 'utf8'));
    expect(profiles.header).toEqual([
      'Plate',
      'Well',
      'count',
      'Treatment',
      'f0',
      'f1',
      'f2',
      'f3',
    ]);
    expect(profiles.rows).toHaveLength(12);
    expect(profiles.rows.every((row) => row[2] === '10')).toBe(true);
    // The DMSO wells of each plate centre on 0 after normalising to them (the plate offset is gone).
    const dmso = profiles.rows.filter((row) => row[3] === 'DMSO');
    for (const c of [4, 5, 6, 7]) {
      const mean = dmso.reduce((s, row) => s + Number(row[c]), 0) / dmso.length;
      expect(Math.abs(mean)).toBeLessThan(0.5);
    }
    const clusters = parseCsv(readFileSync(join(out, 'clusters.csv'), 'utf8'));
    expect(clusters.header).toEqual([
      'Plate',
      'Well',
      'Treatment',
      'cluster',
      'silhouette',
      'umap_1',
      'umap_2',
    ]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ method: 'kmeans', kFrom: 'classes', clusters: 3, samples: 12 });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="plot-umap"');
    expect(html).toContain('id="plot-silhouette"');
    expect(r.files.classification).toBeUndefined();
  });

  it('classifies the treatments from well profiles (SVM, 4 stratified folds): perfectly separated', async () => {
    const out = join(dir, 'svm');
    const r = await analyseRun({ input, design, pipeline: { folds: 4 }, out });
    expect(r.classification).toMatchObject({
      classifier: 'svm',
      column: 'Treatment',
      folds: 4,
      grouped: false,
      accuracy: 1,
      balancedAccuracy: 1,
      cohenKappa: 1,
      macroF1: 1,
    });
    const result = JSON.parse(readFileSync(join(out, 'classification.json'), 'utf8'));
    expect(result.classes).toEqual(['DMSO', 'drugA', 'drugB']);
    expect(result.confusion).toEqual([
      [4, 0, 0],
      [0, 4, 0],
      [0, 0, 4],
    ]);
    expect(result.perClass.map((c: { support: number }) => c.support)).toEqual([4, 4, 4]);
    expect(readFileSync(join(out, 'confusion.csv'), 'utf8')).toBe(
      'Treatment \\ predicted,DMSO,drugA,drugB\nDMSO,4,0,0\ndrugA,0,4,0\ndrugB,0,0,4\n',
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="plot-confusion"');
    expect(html).toContain('id="plot-class-scores"');
  });

  it('classifies single cells in folds grouped by well (a well never on both sides)', async () => {
    const r = await analyseRun({
      input,
      design,
      pipeline: { aggregate: 'none', classify: 'rf', folds: 3 },
      out: join(dir, 'cells'),
    });
    expect(r.profiles).toBe(120);
    expect(r.classification).toMatchObject({ classifier: 'rf', grouped: true, folds: 3 });
    expect(r.classification!.accuracy).toBeGreaterThan(0.9);
  });

  it('clusters with GMM on whitened profiles and with HDBSCAN on their UMAP', async () => {
    const gmm = await analyseRun({
      input,
      design,
      pipeline: { cluster: 'gmm', normalise: 'spherize', classify: 'none' },
      out: join(dir, 'gmm'),
    });
    expect(gmm.metrics.against?.adjustedRandIndex).toBe(1);
    const h = await analyseRun({
      input,
      design,
      pipeline: { cluster: 'hdbscan', umap: true, classify: 'none' },
      out: join(dir, 'hdbscan'),
    });
    const metrics = JSON.parse(readFileSync(join(dir, 'hdbscan', 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ method: 'hdbscan', clusteredOn: 'umap', kFrom: 'method' });
    expect(h.metrics.against?.vMeasure).toBe(1);
  });

  it("reads a run's features.csv: f0… are the features, other columns (numeric too) metadata", async () => {
    const meta = readFileSync(input.metadata, 'utf8').trim().split('\n');
    const feats = readFileSync(input.features, 'utf8').trim().split('\n');
    // id, Treatment, PlateNumber (numeric metadata), f0 … f3 — as `cellshape train` writes it.
    const rows = feats.map((line, i) => {
      const [id, ...f] = line.split(',');
      const [, plate, , treatment] = meta[i]!.split(',');
      return i === 0
        ? `id,Treatment,PlateNumber,${f.join(',')}`
        : `${id},${treatment},${plate!.slice(1)},${f.join(',')}`;
    });
    const features = join(dir, 'run-features.csv');
    writeFileSync(features, `${rows.join('\n')}\n`);
    const r = await analyseRun({
      input: { features },
      design: { by: 'Treatment', plate: 'PlateNumber' },
      pipeline: { classify: 'none' },
      out: join(dir, 'run-format'),
    });
    expect(r).toMatchObject({ rows: 120, profiles: 120, features: 4, clusters: 3 });
    const header = readFileSync(join(dir, 'run-format', 'profiles.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('id,count,Treatment,PlateNumber,f0,f1,f2,f3');
  });

  it('names the option of a column that does not exist, too many clusters and a bad control', async () => {
    const out = join(dir, 'bad');
    await expect(
      analyseRun({ input, design: { ...design, group: ['Plate', 'Wel'] }, out }),
    ).rejects.toMatchObject({ arg: 'design.group', message: expect.stringContaining('"Wel"') });
    await expect(
      analyseRun({
        input,
        design: { ...design, control: { column: 'Treatment', value: 'PBS' } },
        out,
      }),
    ).rejects.toMatchObject({ arg: 'design.control' });
    await expect(
      analyseRun({ input, design, pipeline: { clusters: 12, classify: 'none' }, out }),
    ).rejects.toMatchObject({ arg: 'pipeline.clusters' });
  });
});
