import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseCsv } from '@cellshape/core';
import { readImage2D } from '@cellshape/profile';
import {
  cropGallerySection,
  type GalleryCluster,
  qcSummarySection,
} from '../report/profile-sections.js';
import { thumbnailDataUrl } from '../report/profile-thumbnail.js';
import type { RunData } from '../report/run-data.js';
import type { ReportSection } from './model-plugin.js';
import { PROFILE_CROP_LAYOUT } from './profile-crop-run.js';
import { CROP_EXTENSIONS } from './profile-crop-set.js';

/** Crops per cluster in the report's gallery. */
const GALLERY_CROPS = 12;

/** The crops folder a run was trained on (`config.json`'s `inputs.points`), when it still exists. */
function cropsFolder(data: RunData): string | undefined {
  const inputs = data.config?.inputs as { points?: unknown } | undefined;
  const dir = typeof inputs?.points === 'string' ? inputs.points : undefined;
  return dir !== undefined && existsSync(dir) ? dir : undefined;
}

/** The image file of crop `id` under `dir`, if any. */
function cropFile(dir: string, id: string): string | undefined {
  return CROP_EXTENSIONS.map((ext) => join(dir, `${id}${ext}`)).find((p) => existsSync(p));
}

/** Per cluster, its crops with the highest soft label first, as thumbnails. */
function galleryClusters(data: RunData, dir: string): GalleryCluster[] {
  const cells = data.cells;
  if (!cells?.clusters || !cells.q) return [];
  const [n, k] = cells.q.shape;
  const shown = cells.metadataColumns.slice(0, 4);
  return Array.from({ length: k }, (_, cluster) => {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (cells.clusters![i] === cluster) members.push(i);
    members.sort((a, b) => cells.q!.data[b * k + cluster]! - cells.q!.data[a * k + cluster]!);
    const crops = members.slice(0, GALLERY_CROPS).flatMap((i) => {
      const id = cells.ids[i]!;
      const file = cropFile(dir, id);
      if (file === undefined) return [];
      const title = [id, ...shown.map((c) => `${c}: ${cells.metadata[c]![i]}`)].join('\n');
      return [{ id, url: thumbnailDataUrl(readImage2D(file), { size: 72 }), title }];
    });
    return { cluster, size: members.length, crops };
  });
}

/**
 * The 2-D families' report sections: the crop gallery per cluster (in place of the 3-D
 * exemplars) and the QC summary of the source images (`qc.csv` beside the crops folder).
 */
export async function profilePageSections(data: RunData): Promise<ReportSection[]> {
  const dir = cropsFolder(data);
  if (dir === undefined)
    return [cropGallerySection([], 'The crops folder of this run is gone: no gallery.')];
  const gallery = cropGallerySection(galleryClusters(data, dir));
  const qcPath = join(dirname(dir), PROFILE_CROP_LAYOUT.qc);
  const qc = existsSync(qcPath) ? parseCsv(await readFile(qcPath, 'utf8')) : undefined;
  return [gallery, qcSummarySection(qc, qcPath)];
}
