import type { CsvTable } from '@cellshape/core';
import type { ReportSection } from '../run/model-plugin.js';
import { escapeHtml } from './escape.js';
import { PALETTE } from './page-assets.js';
import { caption, note, section } from './page-parts.js';

/** One crop of a gallery: its id, its thumbnail URL and a tooltip (e.g. its metadata). */
export interface GalleryCrop {
  id: string;
  /** A `data:image/png;base64,…` URL. */
  url: string;
  title: string;
}

/** The crops of one cluster shown in the gallery. */
export interface GalleryCluster {
  cluster: number;
  /** Cells in the cluster. */
  size: number;
  crops: GalleryCrop[];
}

/**
 * The crop gallery: per cluster, its most typical crops (highest soft label first) as embedded
 * thumbnails — the 2-D families' replacement of the report's 3-D exemplar section.
 */
export function cropGallerySection(
  clusters: readonly GalleryCluster[],
  missing?: string,
): ReportSection {
  const body =
    clusters.length === 0
      ? note(missing ?? 'No clusters to show.')
      : `${caption(
          'The crops most typical of each cluster (highest soft label first), as the model saw them. Read the clusters as morphologies — round, elongated, protrusive, blebbed — to name them; a cluster of debris or of crops cut by the image border points to segmentation or cropping problems.',
        )}${note(missing)}<div class="gallery">${clusters.map(galleryCluster).join('')}</div>`;
  return { id: 'exemplars', label: 'Crops', html: section('exemplars', 'Crops per cluster', body) };
}

function galleryCluster(c: GalleryCluster): string {
  const swatch = `<span class="swatch" style="background:${PALETTE[c.cluster % PALETTE.length]}"></span>`;
  const crops = c.crops
    .map(
      (crop) =>
        `<img src="${escapeHtml(crop.url)}" alt="${escapeHtml(crop.id)}" title="${escapeHtml(crop.title)}" style="width:72px;height:72px;image-rendering:pixelated;border-radius:4px;border:1px solid #e4e7eb">`,
    )
    .join('');
  return `<div class="mode"><h3>${swatch}Cluster ${c.cluster} <small>(${c.size} cells)</small></h3><div class="cells" style="gap:4px">${crops || '<em>no crops</em>'}</div></div>`;
}

/** Whether every value of a column is a flag (0/1, true/false). */
function isFlag(values: readonly string[]): boolean {
  return values.every((v) => /^(0|1|true|false)$/i.test(v.trim()));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/**
 * The QC summary of a QC table (one row per image): for each flag column (0/1 or true/false)
 * the images flagged, for each other numeric column its median and range.
 */
export function qcSummarySection(table: CsvTable | undefined, source: string): ReportSection {
  if (table === undefined || table.rows.length === 0)
    return {
      id: 'qc',
      label: 'QC',
      html: section(
        'qc',
        'Image QC',
        note(`No QC table (${source}): run \`cellshape profile crop\` with --qc.`),
      ),
    };
  const column = (c: number): string[] => table.rows.map((r) => r[c] ?? '');
  const flags: string[] = [];
  const stats: string[] = [];
  table.header.forEach((name, c) => {
    const values = column(c);
    if (isFlag(values)) {
      const n = values.filter((v) => /^(1|true)$/i.test(v.trim())).length;
      flags.push(`<tr><th>${escapeHtml(name)}</th><td>${n} of ${values.length}</td></tr>`);
      return;
    }
    const numbers = values.map(Number).filter(Number.isFinite);
    if (numbers.length !== values.length) return;
    const row = [median(numbers), Math.min(...numbers), Math.max(...numbers)].map(fmt);
    stats.push(`<tr><th>${escapeHtml(name)}</th><td>${row.join('</td><td>')}</td></tr>`);
  });
  const flagTable = flags.length
    ? `<h3>Flags</h3><table class="kv">${flags.join('')}</table>`
    : note('The QC table has no flag columns.');
  const statTable = stats.length
    ? `<h3>Measures</h3><table class="kv"><tr><th>measure</th><td><b>median</b></td><td><b>min</b></td><td><b>max</b></td></tr>${stats.join('')}</table>`
    : '';
  const body = `${caption(
    `Quality control of the ${table.rows.length} source images (${escapeHtml(source)}): images flagged for blur (a flat power spectrum), saturation or an empty field are worth a look before trusting their cells' clusters.`,
  )}<div class="grid2"><div>${flagTable}</div><div>${statTable}</div></div>`;
  return { id: 'qc', label: 'QC', html: section('qc', 'Image QC', body) };
}
