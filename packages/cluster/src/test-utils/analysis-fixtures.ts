import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A committed fixture of scripts/make-analysis-fixtures.py (or, for HDBSCAN, hand-copied). */
export function loadAnalysisFixture<T>(name: string): T {
  const path = fileURLToPath(new URL(`../fixtures/analysis/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A value scikit-learn computed, or the message of the ValueError it raised. */
export type Expected<T> = T | { error: string };

export const isError = <T>(v: Expected<T>): v is { error: string } =>
  typeof v === 'object' && v !== null && 'error' in v;

export interface LabelPairCase {
  name: string;
  truth: number[];
  labels: number[];
  mutualInfo: number;
  nmi: Record<'min' | 'geometric' | 'arithmetic' | 'max', number>;
  ami: Record<'min' | 'geometric' | 'arithmetic' | 'max', number>;
  ari: number;
  hcv: [number, number, number];
  hcvBeta05: [number, number, number];
}

export interface MatrixCase {
  name: string;
  X: number[][];
  labels: number[];
  silhouetteSamples: Expected<number[]>;
  silhouetteSamplesCosine: Expected<number[]>;
  silhouette: Expected<number>;
  silhouetteCosine: Expected<number>;
  daviesBouldin: Expected<number>;
  calinskiHarabasz: Expected<number>;
}

export interface MetricsFixture {
  labelPairs: LabelPairCase[];
  matrices: MatrixCase[];
}
