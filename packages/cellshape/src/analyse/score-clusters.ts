import {
  adjustedMutualInfoScore,
  adjustedRandIndex,
  calinskiHarabaszScore,
  type DenseMatrix,
  daviesBouldinScore,
  encodeLabels,
  homogeneityCompletenessVMeasure,
  normalizedMutualInfoScore,
  silhouetteSamples,
  silhouetteScore,
} from '@cellshape/cluster';
import { MAX_SILHOUETTE_CELLS } from '../run/cluster-quality.js';
import type { ClusterMetrics } from './analyse-results.js';

/** Rounds a score for the JSON files (9 significant digits). */
function score(v: number): number {
  return Number(v.toPrecision(9));
}

/**
 * The metrics stage: silhouette (per profile and mean), Davies–Bouldin and Calinski–Harabasz on
 * the non-noise profiles, and — when the classes are known — homogeneity, completeness,
 * V-measure, ARI, AMI and NMI of the clusters against them (noise counted as its own cluster, as
 * scikit-learn does). The internal scores are null when undefined (fewer than 2 clusters, or as
 * many clusters as profiles). Above 5000 profiles the silhouette is the mean over a seeded sample
 * and there are no per-profile values.
 */
export function scoreClusters(
  x: DenseMatrix,
  labels: Int32Array,
  classes: { column: string; values: string[] } | undefined,
  seed: number,
): ClusterMetrics {
  const [n, f] = x.shape;
  const kept = [...labels.keys()].filter((i) => labels[i]! >= 0);
  const k = new Set(kept.map((i) => labels[i]!)).size;
  let silhouette: number | null = null;
  let daviesBouldin: number | null = null;
  let calinskiHarabasz: number | null = null;
  let samples: Float64Array | undefined;
  if (k >= 2 && k <= kept.length - 1) {
    const data = new Float64Array(kept.length * f);
    kept.forEach((i, r) => {
      data.set(x.data.subarray(i * f, (i + 1) * f), r * f);
    });
    const m = { data, shape: [kept.length, f] as [number, number] };
    const y = Int32Array.from(kept, (i) => labels[i]!);
    if (kept.length > MAX_SILHOUETTE_CELLS) {
      // n² distances: the mean from a seeded sample, no per-profile plot.
      silhouette = score(silhouetteScore(m, y, { sampleSize: MAX_SILHOUETTE_CELLS, seed }));
    } else {
      const s = silhouetteSamples(m, y);
      samples = new Float64Array(n).fill(Number.NaN);
      kept.forEach((i, r) => {
        samples![i] = s[r]!;
      });
      silhouette = score(s.reduce((a, b) => a + b, 0) / s.length);
    }
    daviesBouldin = score(daviesBouldinScore(m, y));
    calinskiHarabasz = score(calinskiHarabaszScore(m, y));
  }
  let against: ClusterMetrics['against'];
  if (classes) {
    const truth = encodeLabels(classes.values).codes;
    const v = homogeneityCompletenessVMeasure(truth, labels);
    against = {
      column: classes.column,
      homogeneity: score(v.homogeneity),
      completeness: score(v.completeness),
      vMeasure: score(v.vMeasure),
      adjustedRandIndex: score(adjustedRandIndex(truth, labels)),
      adjustedMutualInfo: score(adjustedMutualInfoScore(truth, labels)),
      normalizedMutualInfo: score(normalizedMutualInfoScore(truth, labels)),
    };
  }
  return {
    samples: kept.length,
    clusters: k,
    silhouette,
    daviesBouldin,
    calinskiHarabasz,
    silhouetteSamples: samples,
    against,
  };
}
