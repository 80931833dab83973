import type { DenseMatrix } from '@cellshape/cluster';
import type { AnalyseClassifier, AnalyseClustering } from './analyse-options.js';

/** What the cluster stage decided. */
export interface ClusterOutcome {
  method: AnalyseClustering;
  /** Clusters found (noise not counted). */
  k: number;
  /** How `k` was set: given, the classes of `design.by`, the k-means elbow, or found by the method (HDBSCAN). */
  kFrom: 'option' | 'classes' | 'elbow' | 'method';
  /** Cluster of each profile, 0 … k − 1; −1 is noise (HDBSCAN). */
  labels: Int32Array;
  /** What was clustered: the profiles or their 2-D UMAP embedding. */
  clusteredOn: 'profiles' | 'umap';
  /** 2-D UMAP embedding of the profiles for the plots, `P × 2`, when there are enough profiles. */
  embedding: DenseMatrix<Float64Array> | undefined;
}

/** Agreement of the clusters with the known classes (`design.by`). */
export interface ClassAgreement {
  column: string;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
  adjustedRandIndex: number;
  adjustedMutualInfo: number;
  normalizedMutualInfo: number;
}

/** Quality of the clustering: internal scores, and agreement with the classes when known. */
export interface ClusterMetrics {
  /** Profiles scored (noise left out of the internal scores). */
  samples: number;
  clusters: number;
  /** Mean silhouette (euclidean), −1 … 1; null when undefined (one cluster). */
  silhouette: number | null;
  /** Davies–Bouldin index (lower is better); null when undefined. */
  daviesBouldin: number | null;
  /** Calinski–Harabasz index (higher is better); null when undefined. */
  calinskiHarabasz: number | null;
  /** Silhouette of each profile (NaN for noise), for the silhouette plot. */
  silhouetteSamples: Float64Array | undefined;
  against: ClassAgreement | undefined;
}

/** Precision, recall and F1 of one class. */
export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The cross-validated classifier's result. */
export interface ClassificationOutcome {
  classifier: Exclude<AnalyseClassifier, 'none'>;
  column: string;
  folds: number;
  /** True when folds kept every group (`design.group`) on one side. */
  grouped: boolean;
  classes: string[];
  /** Pooled over the folds: rows truth, columns prediction, in `classes` order. */
  confusion: number[][];
  accuracy: number;
  balancedAccuracy: number;
  /** Cohen's kappa; null where undefined (truth and predictions one and the same class). */
  cohenKappa: number | null;
  macroF1: number;
  weightedF1: number;
  perClass: ClassScores[];
  /** Accuracy of each fold. */
  foldAccuracy: number[];
}
