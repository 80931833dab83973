import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../test-utils/fixtures.js';

describe('cellshape demo --quick', () => {
  const dir = tempDir('demo');

  it('runs convert → train → IDEC → extract → report and prints where the report is', async () => {
    const out = join(dir, 'demo');
    const {
      code,
      out: stdout,
      err,
    } = await cli(['--json', 'demo', '--quick', '--out', out, '--workers', '0']);
    expect(err).not.toMatch(/error/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      ok: true,
      command: 'demo',
      cells: 16,
      report: join(out, 'run', 'report.html'),
    });
    expect(result.summary.clusters).toBe(4);
    // Recovery of the true families by IDEC and by the k-means it started from (ARI ≤ 1).
    expect(result.recovery.cells).toBe(16);
    for (const ari of [result.recovery.idec, result.recovery.kmeans]) {
      expect(Number.isFinite(ari)).toBe(true);
      expect(ari).toBeLessThanOrEqual(1);
    }
    const html = readFileSync(result.report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    for (const file of [
      'metadata.csv',
      'converted/manifest.csv',
      'run/features.csv',
      'run/assignments.csv',
      'run/exemplars.json',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    const header = readFileSync(join(out, 'run', 'assignments.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('id,serialNumber,Treatment,PlateNumber,Family,cluster,q0,q1,q2,q3');
  });
});

describe('cellshape demo --model voxel --quick', () => {
  const dir = tempDir('demo-voxel');

  it('reads the label images as cubes, trains the voxel autoencoder and writes the report', async () => {
    const out = join(dir, 'demo');
    const { code, out: stdout } = await cli([
      '--json',
      'demo',
      '--model',
      'voxel',
      '--quick',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ ok: true, cells: 16, summary: { model: 'voxel', clusters: 4 } });
    expect(existsSync(join(out, 'converted'))).toBe(false);
    const header = readFileSync(join(out, 'run', 'features.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('id,serialNumber,Treatment,PlateNumber,Family,f0,f1,f2,f3');
    expect(readFileSync(result.report, 'utf8')).toContain('<img class="slices"');
  });
});
