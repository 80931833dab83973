import { basename, join, resolve } from 'node:path';
import { InvalidArgumentError, invalidArgument, writeFileAtomic } from '@cellshape/core';
import { modelNames, modelPlugin } from '../run/model-registry.js';
import { plotlySourceFor } from './plotly-source.js';
import { reportHtml } from './report-html.js';
import { buildReportModel } from './report-model.js';
import { checkRunDir, type RunData, readRun } from './run-data.js';

/** Options of {@link renderReport} and {@link writeReport}. */
export interface ReportOptions {
  /**
   * Metadata column whose groups (treatments, knockdowns, wells…) get shape signatures, the
   * clustered heat map and divergences. Default: the column named `Treatment` (any case) when
   * there is one, else none (those sections then say how to enable them).
   */
  groupBy?: string;
  /** Groups of `groupBy` to compare every group against by KL divergence. Default none. */
  references?: string[];
  /** Seed of the UMAP embedding and of its cell sample. Default: `config.json`'s `seed`, else 0. */
  seed?: number;
  /** Page title. Default `cellshape report — <run directory name>`. */
  title?: string;
  /** Most cells embedded by UMAP (a seeded random sample beyond this). Default 5000. */
  maxUmapCells?: number;
}

/** Defaults of {@link ReportOptions} that do not depend on the run. */
export const DEFAULT_REPORT_OPTIONS = {
  references: [] as readonly string[],
  maxUmapCells: 5000,
} as const;

const OPTION_KEYS = new Set(['groupBy', 'references', 'seed', 'title', 'maxUmapCells']);

interface ResolvedOptions {
  groupBy: string | undefined;
  references: string[];
  seed: number;
  title: string;
  maxUmapCells: number;
}

function resolveOptions(fn: string, data: RunData, options: ReportOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw invalidArgument(fn, 'options', 'an object', options);
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.has(key))
      throw invalidArgument(fn, `options.${key}`, `one of ${[...OPTION_KEYS].join(', ')}`, key);
  const columns = data.cells?.metadataColumns ?? [];
  let groupBy = options.groupBy;
  if (groupBy !== undefined) {
    if (typeof groupBy !== 'string' || groupBy === '')
      throw invalidArgument(fn, 'options.groupBy', 'a column name', groupBy);
    if (data.cells !== undefined && !columns.includes(groupBy))
      throw invalidArgument(
        fn,
        'options.groupBy',
        `a metadata column of the run (${columns.join(', ') || 'there are none'})`,
        groupBy,
      );
    if (data.cells === undefined) groupBy = undefined;
  } else groupBy = columns.find((c) => c.toLowerCase() === 'treatment');
  const references = options.references ?? [...DEFAULT_REPORT_OPTIONS.references];
  if (!Array.isArray(references) || !references.every((r) => typeof r === 'string'))
    throw invalidArgument(fn, 'options.references', 'an array of group names', references);
  if (new Set(references).size !== references.length)
    throw invalidArgument(fn, 'options.references', 'distinct group names', references);
  if (references.length > 0) {
    if (groupBy === undefined)
      throw new InvalidArgumentError(
        `${fn}: 'options.references' needs a grouping column ('options.groupBy'), and the run has none`,
        { fn, arg: 'options.references' },
      );
    const known = new Set(data.cells!.metadata[groupBy]);
    const unknown = references.filter((r) => !known.has(r));
    if (unknown.length > 0)
      throw invalidArgument(
        fn,
        'options.references',
        `groups of column '${groupBy}' (${[...known].slice(0, 20).join(', ')}${known.size > 20 ? ', …' : ''})`,
        unknown,
      );
  }
  const configSeed = data.config?.seed;
  const seed = options.seed ?? (typeof configSeed === 'number' ? configSeed : 0);
  if (!Number.isInteger(seed)) throw invalidArgument(fn, 'options.seed', 'an integer', seed);
  const maxUmapCells = options.maxUmapCells ?? DEFAULT_REPORT_OPTIONS.maxUmapCells;
  if (!Number.isInteger(maxUmapCells) || maxUmapCells < 4)
    throw invalidArgument(fn, 'options.maxUmapCells', 'an integer ≥ 4', maxUmapCells);
  const title = options.title ?? `cellshape report — ${basename(resolve(data.runDir))}`;
  if (typeof title !== 'string') throw invalidArgument(fn, 'options.title', 'a string', title);
  return { groupBy, references: [...references], seed, title, maxUmapCells };
}

/**
 * Renders the report of a `cellshape train` run directory as one self-contained HTML page
 * (plotly.js and the data inlined; it opens offline): run configuration, training curves,
 * UMAP of the features coloured by cluster or any metadata column (with group densities),
 * cluster sizes, exemplar shapes per cluster (static views plus an interactive 3D viewer),
 * per-group shape signatures (3DQMS) as radar chart and clustered heat map, KL divergences
 * between groups and against reference groups, and what the run's model family adds
 * (`ModelReport.pageSections`: the 2-D families' crop gallery and QC summary). Sections whose
 * files are absent say so.
 * All text from the run's files is escaped.
 *
 * @param runDir the run directory (see `readRun` for the files read).
 * @returns the HTML text.
 */
export async function renderReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  checkRunDir('renderReport', runDir);
  const data = await readRun(runDir);
  const o = resolveOptions('renderReport', data, options);
  const model = buildReportModel(data, o);
  const family = data.config?.model;
  const plugin =
    typeof family === 'string' && modelNames().includes(family) ? modelPlugin(family) : undefined;
  const sections = (await plugin?.report?.pageSections?.(data)) ?? [];
  return reportHtml({
    title: o.title,
    data,
    model,
    plotly: plotlySourceFor('renderReport'),
    sections,
  });
}

/**
 * Writes {@link renderReport}'s page to `<runDir>/report.html` atomically (a reader never
 * sees half a page).
 *
 * @returns the path written.
 */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  checkRunDir('writeReport', runDir);
  const html = await renderReport(runDir, options);
  const path = join(runDir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}
