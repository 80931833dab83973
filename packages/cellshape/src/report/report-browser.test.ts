import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from './render-report.js';
import { EVIL_ID, EVIL_WELL, syntheticRun, TREATMENTS } from './test-utils/synthetic-run.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM)
  console.warn(
    `SKIPPED report-browser.test.ts: needs headless Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  );

/** Problems a page must not have: console errors, script errors, requests, dialogs. */
interface PageProblems {
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(
  browser: Browser,
  path: string,
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: PageProblems = { errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  page.on('requestfailed', (r) => problems.requests.push(`failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.requests.push(r.url());
  });
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${path}`);
  await page.waitForSelector('body[data-report-ready="true"]', { timeout: 60_000 });
  return { page, problems };
}

interface PlotState {
  id: string;
  rendered: string | null;
  svg: number;
  canvas: number;
}

// Browser-side code is passed as strings: this package is type-checked without the DOM lib.

/** Per plot container: id, rendered flag, plotly SVG layers and canvases. */
function plotState(page: Page): Promise<PlotState[]> {
  return page.evaluate(`[...document.querySelectorAll('.plot')].map((el) => ({
    id: el.id,
    rendered: el.getAttribute('data-rendered'),
    svg: el.querySelectorAll('.main-svg').length,
    canvas: el.querySelectorAll('canvas').length,
  }))`);
}

describe.skipIf(!HAVE_CHROMIUM)('report.html in headless Chromium', () => {
  let browser: Browser;
  const dirs: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every plot offline, without errors, requests or injected markup; controls work', async () => {
    const dir = syntheticRun();
    dirs.push(dir);
    const path = await writeReport(dir, { references: ['Nocodazole', 'Blebbistatin'] });
    const { page, problems } = await open(browser, path);
    const plots = await plotState(page);
    expect(plots.map((p) => p.id)).toEqual([
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
    ]);
    for (const p of plots) {
      // The 3D viewer falls back to a note where WebGL is missing.
      if (p.id === 'plot-exemplar-3d' && p.rendered === 'static') continue;
      expect(p, p.id).toMatchObject({ rendered: 'true' });
      expect(p.svg, p.id).toBeGreaterThan(0);
    }
    expect(problems).toEqual({ errors: [], requests: [], dialogs: [] });
    // Injected strings are shown as text, never parsed as markup.
    const text = await page.evaluate<string>('document.body.textContent');
    expect(text).toContain(EVIL_ID);
    expect(
      await page.evaluate<number>(
        "document.querySelectorAll('main img, main b, main script').length",
      ),
    ).toBe(0);
    const legend = await page.$$eval('#plot-radar .legendtext', (els) =>
      els.map((e) => e.textContent),
    );
    expect(legend).toEqual(TREATMENTS);
    await page.screenshot({ path: '/tmp/cellshape-report.png', fullPage: true });

    // Interaction: recolour the UMAP, outline a group's density, pick an exemplar.
    await page.selectOption('#umap-colour', { label: 'Well' });
    await page.waitForFunction("document.querySelectorAll('#plot-umap .legendtext').length === 5");
    const wells = await page.$$eval('#plot-umap .legendtext', (els) =>
      els.map((e) => e.textContent),
    );
    expect(wells).toContain(EVIL_WELL);
    await page.selectOption('#umap-density', { label: 'Nocodazole' });
    // plotly keeps the drawn traces on the element as `.data`.
    await page.waitForFunction(
      "document.getElementById('plot-umap').data.some((t) => t.type === 'histogram2dcontour')",
    );
    if ((await page.getAttribute('#plot-exemplar-3d', 'data-rendered')) === 'true') {
      await page.click('button.exemplar[data-exemplar="1:0"]');
      await page.waitForFunction(
        "document.querySelector('#plot-exemplar-3d .gtitle')?.textContent.includes('cell-1-0')",
      );
      expect(await page.getAttribute('button.exemplar[data-exemplar="1:0"]', 'class')).toContain(
        'active',
      );
    }
    expect(problems).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });

  it('renders a run with only a config and a pretraining log', async () => {
    const dir = syntheticRun({
      omit: [
        'summary.json',
        'features.csv',
        'assignments.csv',
        'exemplars.json',
        join('idec', 'log.jsonl'),
      ],
    });
    dirs.push(dir);
    const { page, problems } = await open(browser, await writeReport(dir));
    expect((await plotState(page)).map((p) => [p.id, p.rendered])).toEqual([
      ['plot-pretrain', 'true'],
    ]);
    expect(await page.locator('#missing li').count()).toBe(5);
    expect(problems).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.close();
  });
});
