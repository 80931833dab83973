import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticScreen } from '../../analyse/test-data.js';
import { cli, tempDir } from '../../test-utils/fixtures.js';
import { EXIT_CODES } from '../errors.js';

describe('cellshape analyse', () => {
  const dir = tempDir('analyse-cli');
  const { features, metadata } = writeSyntheticScreen(dir);
  // The same rows with a column that has one value only.
  const single = join(dir, 'single.csv');
  writeFileSync(
    single,
    readFileSync(metadata, 'utf8')
      .trim()
      .split('\n')
      .map((line, i) => `${line},${i === 0 ? 'Site' : 'A'}`)
      .join('\n'),
  );
  const base = [
    'analyse',
    features,
    '--metadata',
    metadata,
    '--group',
    'Plate,Well',
    '--plate',
    'Plate',
    '--control',
    'Treatment=DMSO',
  ];

  it('prints one JSON summary with --json and writes the files', async () => {
    const out = join(dir, 'out');
    const { code, out: stdout } = await cli([
      '--json',
      ...base,
      '--by',
      'Treatment',
      '--classify',
      'none',
      '--cluster',
      'hierarchical',
      '--out',
      out,
    ]);
    expect(code).toBe(EXIT_CODES.ok);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ ok: true, command: 'analyse', profiles: 12, clusters: 3 });
    expect(result.metrics.against.adjustedRandIndex).toBe(1);
    for (const file of ['profiles.csv', 'clusters.csv', 'metrics.json', 'report.html'])
      expect(existsSync(join(out, file))).toBe(true);
  });

  it.each([
    [['--group', 'Plate,Wel', '--by', 'Treatment'], '--group: no column "Wel"'],
    [['--by', 'Treatmnt'], '--by: no column "Treatmnt"'],
    [['--control', 'Treatment=PBS'], '--control: no row has Treatment = "PBS"'],
    [
      ['--by', 'Treatment', '--clusters', '20', '--classify', 'none'],
      '--clusters: 20 clusters need at least 21 profiles, there are 12',
    ],
    [
      ['--by', 'Treatment', '--folds', '13'],
      '--folds: 13 folds need at least 13 profiles, there are 12',
    ],
    [['--by', 'Site', '--metadata', single], '--by: column "Site" has a single class'],
    [
      ['--by', 'Treatment'],
      '--folds: 5 stratified folds need at least 5 profiles of every class, Treatment = "DMSO" has 4',
    ],
  ])('exits 2 with one line naming the flag: %j', async (extra, message) => {
    const args = [...base, '--out', join(dir, 'bad'), ...extra];
    const { code, out, err } = await cli(args);
    expect(code).toBe(EXIT_CODES.usage);
    expect(out).toBe('');
    const lines = err.trim().split('\n');
    expect(lines.at(-1)).toContain(`cellshape analyse: error: ${message}`);
  });

  it('rejects a missing features file and a bad --control before reading', async () => {
    const missing = await cli(['analyse', join(dir, 'nope.csv'), '--out', join(dir, 'x')]);
    expect(missing.code).toBe(EXIT_CODES.usage);
    expect(missing.err).toContain('the features CSV');
    const bad = await cli([...base, '--control', 'DMSO', '--out', join(dir, 'x')]);
    expect(bad.code).toBe(EXIT_CODES.usage);
    expect(bad.err).toContain('expected column=value');
  });

  it('notes ids on several rows of the metadata CSV (the first row of each is used)', async () => {
    const lines = readFileSync(metadata, 'utf8').trim().split('\n');
    const repeated = join(dir, 'repeated.csv');
    writeFileSync(repeated, [...lines, lines[1], lines[2]].join('\n'));
    const args = [...base.slice(0, 2), '--metadata', repeated, ...base.slice(4)];
    const { code, err } = await cli([
      ...args,
      '--classify',
      'none',
      '--clusters',
      '3',
      '--out',
      join(dir, 'rep'),
    ]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(err).toContain(
      `note: 2 ids are on several rows of the metadata CSV (${lines[1]!.split(',')[0]}, ${lines[2]!.split(',')[0]}); the first row of each was used.`,
    );
  });
});
