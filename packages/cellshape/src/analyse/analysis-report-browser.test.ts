import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils/fixtures.js';
import { analyseRun } from './analyse-run.js';
import { writeSyntheticScreen } from './test-data.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM)
  console.warn(
    `SKIPPED analysis-report-browser.test.ts: needs headless Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  );

/** A treatment name that would be markup if it were not escaped. */
const EVIL = '<b>drugB</b> & "co"';

describe.skipIf(!HAVE_CHROMIUM)('the analysis report.html in headless Chromium', () => {
  let browser: Browser;
  const dir = tempDir('analysis-browser');

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the UMAP, silhouette, confusion and score plots offline, escaped; the colour control works', async () => {
    const input = writeSyntheticScreen(dir);
    const csv = readFileSync(input.metadata, 'utf8').replaceAll(
      ',drugB',
      `,"${EVIL.replaceAll('"', '""')}"`,
    );
    writeFileSync(input.metadata, csv);
    const r = await analyseRun({
      input,
      design: {
        group: ['Plate', 'Well'],
        by: 'Treatment',
        control: { column: 'Treatment', value: 'DMSO' },
        plate: 'Plate',
      },
      pipeline: { folds: 4 },
      out: join(dir, 'out'),
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) problems.push(req.url());
    });
    await page.goto(`file://${r.files.report}`);
    await page.waitForSelector('body[data-report-ready="true"]', { timeout: 60_000 });
    const plots = await page.evaluate<{ id: string; rendered: string | null; svg: number }[]>(
      `[...document.querySelectorAll('.plot')].map((el) => ({ id: el.id, rendered: el.getAttribute('data-rendered'), svg: el.querySelectorAll('.main-svg').length }))`,
    );
    expect(plots.map((p) => p.id)).toEqual([
      'plot-umap',
      'plot-silhouette',
      'plot-confusion',
      'plot-class-scores',
    ]);
    for (const p of plots) expect(p, p.id).toMatchObject({ rendered: 'true' });
    expect(problems).toEqual([]);
    expect(
      await page.evaluate<number>("document.querySelectorAll('main b, main script').length"),
    ).toBe(0);
    expect(await page.evaluate<string>('document.body.textContent')).toContain(EVIL);
    // 3 clusters in the legend, then 3 treatments after recolouring by Treatment.
    const legend = () =>
      page.$$eval('#plot-umap .legendtext', (els) => els.map((e) => e.textContent));
    expect(await legend()).toEqual(['Cluster 0', 'Cluster 1', 'Cluster 2']);
    await page.selectOption('#umap-colour', { label: 'Treatment' });
    // Categories in natural order: the markup-like name (a '<') first.
    await page.waitForFunction(
      "document.querySelector('#plot-umap .legendtext').textContent !== 'Cluster 0'",
    );
    expect(await legend()).toEqual([EVIL, 'DMSO', 'drugA']);
    await page.screenshot({ path: '/tmp/cellshape-analysis.png', fullPage: true });
    await page.close();
  });
});
