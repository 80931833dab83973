/**
 * `cellshape report`: one self-contained HTML page (plotly.js inlined, opens offline) that
 * shows a training run to a biologist — configuration, loss curves, UMAP of the features,
 * cluster sizes, exemplar shapes, per-treatment shape signatures (3DQMS) as radar chart and
 * clustered heat map, and KL divergences between treatments and against reference drugs.
 *
 * ```ts
 * import { writeReport } from 'cellshape';
 * const path = await writeReport('runs/demo', { references: ['Nocodazole', 'Blebbistatin'] });
 * // → runs/demo/report.html
 * ```
 */
export {
  DEFAULT_POINT_CLOUD_SVG_OPTIONS,
  type PointCloudSvgOptions,
  pointCloudSvg,
} from './point-cloud-svg.js';
export {
  DEFAULT_REPORT_OPTIONS,
  type ReportOptions,
  renderReport,
  writeReport,
} from './render-report.js';
export {
  type CellTable,
  type EpochRecord,
  type ExemplarCluster,
  type MissingFile,
  RUN_FILES,
  type RunData,
  readRun,
} from './run-data.js';
