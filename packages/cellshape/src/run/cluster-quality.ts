import {
  adjustedRandIndex,
  calinskiHarabaszScore,
  type DenseMatrix,
  daviesBouldinScore,
  encodeLabels,
  homogeneityCompletenessVMeasure,
  silhouetteScore,
} from '@cellshape/cluster';
import type { Metadata } from '@cellshape/core';

/** Agreement of the run's clusters with one metadata column. */
export interface ColumnAgreement {
  /** Distinct values of the column. */
  classes: number;
  vMeasure: number;
  adjustedRandIndex: number;
}

/** `summary.json`'s `clusterQuality`: how good the run's clusters are. */
export interface ClusterQuality {
  /** Mean silhouette (euclidean) of the features, −1 … 1; null when undefined (one cluster, or one per cell). */
  silhouette: number | null;
  /** Cells the silhouette was computed on (a seeded sample above {@link MAX_SILHOUETTE_CELLS}). */
  silhouetteCells: number;
  /** Davies–Bouldin index (lower is better); null when undefined. */
  daviesBouldin: number | null;
  /** Calinski–Harabasz index (higher is better); null when undefined. */
  calinskiHarabasz: number | null;
  /** V-measure and ARI against each categorical metadata column (2 … n/2 distinct values). */
  against: Record<string, ColumnAgreement>;
}

/** The silhouette costs n² distances: above this many cells it is computed on a seeded sample. */
export const MAX_SILHOUETTE_CELLS = 5000;

/** Most distinct values a metadata column may have to be scored against. */
const MAX_CLASSES = 50;

function round(v: number): number {
  return Number(v.toPrecision(6));
}

/**
 * Columns that number or place objects rather than group them — object and track numbers, label
 * values, crop centres (of `profile crop`, CellProfiler, TrackMate) — are never categories, even
 * when a few values repeat across images.
 */
const OBJECT_COLUMNS =
  /^(object|label|particle|cell_id|centre_(row|col|x|y)|ObjectNumber|TRACK_ID|SPOT_ID|ID)$/;

/**
 * Metadata columns worth comparing clusters with: 2 … min(50, n/2) distinct values, and not a
 * column that numbers or places objects (`object`, `label`, `ObjectNumber`, `centre_x`, …).
 */
export function categoricalColumns(metadata: readonly Metadata[]): string[] {
  const n = metadata.length;
  const columns = [...new Set(metadata.flatMap((m) => Object.keys(m)))];
  return columns.filter((c) => {
    if (OBJECT_COLUMNS.test(c)) return false;
    const distinct = new Set(metadata.map((m) => String(m[c] ?? ''))).size;
    return distinct >= 2 && distinct <= Math.min(MAX_CLASSES, n / 2);
  });
}

/**
 * Cluster quality metrics of a run: silhouette, Davies–Bouldin and Calinski–Harabasz of the
 * features under the hard labels, and the V-measure and adjusted Rand index of the labels
 * against every categorical metadata column (treatment, plate…), as `cellshape analyse` reports
 * them for any embedding.
 */
export function clusterQuality(
  features: DenseMatrix,
  labels: Int32Array,
  metadata: readonly Metadata[],
  seed: number,
): ClusterQuality {
  const n = features.shape[0];
  const k = new Set(labels).size;
  const defined = k >= 2 && k <= n - 1;
  const silhouetteCells = Math.min(n, MAX_SILHOUETTE_CELLS);
  const against: Record<string, ColumnAgreement> = {};
  if (metadata.length === n)
    for (const column of categoricalColumns(metadata)) {
      const { codes, classes } = encodeLabels(metadata.map((m) => String(m[column] ?? '')));
      const v = homogeneityCompletenessVMeasure(codes, labels);
      against[column] = {
        classes: classes.length,
        vMeasure: round(v.vMeasure),
        adjustedRandIndex: round(adjustedRandIndex(codes, labels)),
      };
    }
  return {
    silhouette: defined
      ? round(
          silhouetteScore(features, labels, {
            ...(n > MAX_SILHOUETTE_CELLS ? { sampleSize: MAX_SILHOUETTE_CELLS } : {}),
            seed,
          }),
        )
      : null,
    silhouetteCells: defined ? silhouetteCells : 0,
    daviesBouldin: defined ? round(daviesBouldinScore(features, labels)) : null,
    calinskiHarabasz: defined ? round(calinskiHarabaszScore(features, labels)) : null,
    against,
  };
}
