import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport, writeReport } from './render-report.js';
import type { ReportPayload } from './report-model.js';
import {
  EVIL_ID,
  EVIL_WELL,
  type SyntheticRunOptions,
  syntheticRun,
  TREATMENTS,
} from './test-utils/synthetic-run.js';

const dirs: string[] = [];
function run(options?: SyntheticRunOptions): string {
  const dir = syntheticRun(options);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The JSON payload embedded in the page. */
function payloadOf(html: string): ReportPayload {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as ReportPayload;
}

function sectionIds(html: string): string[] {
  return [...html.matchAll(/<section class="card" id="([^"]+)"/g)].map((m) => m[1]!);
}

const ALL_SECTIONS = [
  'configuration',
  'training',
  'umap',
  'sizes',
  'quality',
  'baseline',
  'exemplars',
  'signatures',
  'heatmap',
  'kl',
  'references',
];

describe('renderReport', () => {
  const dir = run();
  const rendered = renderReport(dir, { references: ['Nocodazole', 'Blebbistatin'] });

  it('is one self-contained page with every section and plot container', async () => {
    const html = await rendered;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(sectionIds(html)).toEqual(ALL_SECTIONS);
    // summary.json's cluster quality metrics, in their own section.
    const quality = html.slice(html.indexOf('id="quality"'), html.indexOf('id="baseline"'));
    expect(quality).toContain('0.6100');
    expect(quality).toContain('Treatment (4)');
    expect(quality).toContain('0.8000 · 0.7500');
    for (const id of [
      'plot-pretrain',
      'plot-idec',
      'plot-choose-k',
      'plot-umap',
      'plot-sizes',
      'plot-exemplar-3d',
      'plot-radar',
      'plot-heatmap',
      'plot-kl',
      'plot-kl-ref-0',
    ])
      expect(html).toContain(`id="${id}"`);
    // plotly is inlined, nothing is fetched: no external script, stylesheet or image.
    expect(html).toContain('plotly.js v');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toContain('Not in this run');
    // Six static exemplar pictures, one per exemplar.
    expect(html.match(/class="exemplar" data-exemplar="\d:\d"[^>]*><svg /g)).toHaveLength(6);
  });

  it('embeds the computed analysis as valid JSON', async () => {
    const p = payloadOf(await rendered);
    expect(p.training.pretrain?.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(Object.keys(p.training.idec!.parts).sort()).toEqual(['kl', 'reconstruction']);
    expect(p.training.idec?.stopped).toMatch(/label change/);
    expect(p.chooseK).toEqual({ ks: [2, 3, 4, 5, 6], inertia: [900, 420, 300, 260, 240], k: 3 });
    const u = p.umap!;
    expect(u.x).toHaveLength(48);
    expect(u.y).toHaveLength(48);
    expect(u.total).toBe(48);
    expect(u.x.every(Number.isFinite) && u.y.every(Number.isFinite)).toBe(true);
    expect(u.colourings.map((c) => c.name)).toEqual([
      'cluster',
      'confidence (largest soft label)',
      'Treatment',
      'Plate',
      'Well',
    ]);
    expect(p.clusterSizes!.counts.reduce((a, b) => a + b, 0)).toBe(48);
    expect(p.exemplars?.map((c) => c.exemplars.map((e) => e.x.length))).toEqual([
      [300, 300],
      [300, 300],
      [300, 300],
    ]);
    const s = p.signatures!;
    expect(s.groupBy).toBe('Treatment');
    expect(s.groups).toEqual(TREATMENTS);
    expect(s.counts).toEqual([12, 12, 12, 12]);
    for (const row of s.mean) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Treatment t favours cluster t: its signature peaks there.
    for (let t = 0; t < 3; t++) expect(s.mean[t]!.indexOf(Math.max(...s.mean[t]!))).toBe(t);
    // Standardised columns have mean 0; orders are permutations.
    for (let c = 0; c < 3; c++)
      expect(s.standardised!.reduce((sum, row) => sum + row[c]!, 0)).toBeCloseTo(0, 4);
    expect([...s.rowOrder!].sort()).toEqual([0, 1, 2, 3]);
    expect([...s.colOrder!].sort()).toEqual([0, 1, 2]);
    for (let g = 0; g < 4; g++) expect(s.kl![g]![g]).toBeCloseTo(0, 9);
    expect(s.kl![0]![1]).toBeGreaterThan(0.1);
    // Each reference has divergence 0 from itself.
    expect(s.references).toEqual(['Nocodazole', 'Blebbistatin']);
    expect(s.klReferences![1]![0]).toBeCloseTo(0, 9);
    expect(s.klReferences![2]![1]).toBeCloseTo(0, 9);
  });

  it('escapes every string from the run files', async () => {
    const html = await rendered;
    expect(html).not.toContain(EVIL_ID);
    expect(html).not.toContain(EVIL_WELL);
    expect(html).not.toContain('<b>Evil</b>');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('/data/&lt;cells&gt;');
    // Exactly the page's three script elements open and close.
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    // The payload keeps the raw strings (the page's script escapes them for plotly).
    const p = payloadOf(html);
    expect(p.umap!.ids).toContain(EVIL_ID);
    expect(p.signatures!.groups).toContain(TREATMENTS[3]);
  });

  it('is deterministic, and writeReport writes the same page to <run>/report.html', async () => {
    const path = await writeReport(dir, { references: ['Nocodazole', 'Blebbistatin'] });
    expect(path).toBe(join(dir, 'report.html'));
    expect(readFileSync(path, 'utf8')).toBe(await rendered);
  });

  it('shows what exists and says what is missing', async () => {
    const html = await renderReport(
      run({ omit: [join('idec', 'log.jsonl'), 'exemplars.json', 'summary.json'] }),
    );
    expect(html).toContain('Not in this run');
    for (const file of [join('idec', 'log.jsonl'), 'exemplars.json', 'summary.json'])
      expect(html).toContain(`<code>${file}</code>: not found`);
    expect(html).toContain('this run has no IDEC stage');
    expect(html).toContain('No reference groups were chosen');
    const p = payloadOf(html);
    expect(p.training.idec).toBeUndefined();
    expect(p.training.pretrain).toBeDefined();
    expect(p.exemplars).toBeUndefined();
    expect(p.chooseK).toBeUndefined();
    expect(p.signatures?.klReferences).toBeUndefined();
    expect(html).not.toContain('id="plot-exemplar-3d"');
    expect(html).not.toContain('id="plot-idec"');
  });

  it('without assignments: UMAP of features, no signatures; with nothing: notes only', async () => {
    const featuresOnly = await renderReport(run({ omit: ['assignments.csv'] }));
    const p = payloadOf(featuresOnly);
    expect(p.umap?.colourings.map((c) => c.name)).toEqual(['Treatment', 'Plate', 'Well']);
    expect(p.signatures).toBeUndefined();
    expect(featuresOnly).toContain('assignments.csv is missing, so there are no soft labels');
    const files = [
      'config.json',
      'summary.json',
      'features.csv',
      'assignments.csv',
      'exemplars.json',
      join('pretrain', 'log.jsonl'),
      join('idec', 'log.jsonl'),
    ];
    const empty = await renderReport(run({ omit: files }));
    expect(sectionIds(empty)).toEqual(ALL_SECTIONS.slice(0, 8));
    expect(empty).not.toContain('href="#heatmap"');
    expect(payloadOf(empty)).toEqual({ training: {} });
    expect(empty).toContain('config.json is missing');
  });

  it('groups by another column and samples UMAP cells when asked', async () => {
    const html = await renderReport(dir, {
      groupBy: 'Plate',
      maxUmapCells: 20,
      seed: 5,
      title: 'A & B',
    });
    const p = payloadOf(html);
    expect(p.signatures?.groups.sort()).toEqual(['P1', 'P2']);
    expect(p.umap?.x).toHaveLength(20);
    expect(p.umap?.total).toBe(48);
    expect(html).toContain('<title>A &amp; B</title>');
    expect(html).toContain('random sample of 20 of the 48 cells (seed 5)');
  });

  it('rejects invalid arguments', async () => {
    const missing = join(dir, 'nope');
    await expect(renderReport(missing)).rejects.toThrow(InvalidArgumentError);
    await expect(renderReport(missing)).rejects.toThrow(
      /renderReport: 'runDir' must be an existing directory/,
    );
    await expect(writeReport(missing)).rejects.toThrow(/writeReport: 'runDir'/);
    await expect(renderReport(dir, { groupBy: 'Drug' })).rejects.toThrow(
      /'options.groupBy' must be a metadata column of the run \(Treatment, Plate, Well\)/,
    );
    await expect(renderReport(dir, { references: ['Taxol'] })).rejects.toThrow(
      /'options.references' must be groups of column 'Treatment'/,
    );
    await expect(renderReport(dir, { references: ['Control', 'Control'] })).rejects.toThrow(
      /distinct/,
    );
    await expect(renderReport(dir, { seed: 1.5 })).rejects.toThrow(/'options.seed'/);
    await expect(renderReport(dir, { maxUmapCells: 3 })).rejects.toThrow(/'options.maxUmapCells'/);
    await expect(renderReport(dir, { colour: 'red' } as never)).rejects.toThrow(/'options.colour'/);
    await expect(renderReport(dir, null as never)).rejects.toThrow(/'options' must be an object/);
  });
});
