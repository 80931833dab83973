import type { AggregateMethod, NormaliseMethod } from '@cellshape/cluster';
import {
  checkBoolean,
  checkInteger,
  checkOneOf,
  checkString,
  invalidArgument,
  type ProgressCallback,
} from '@cellshape/core';

/** Clustering methods of `cellshape analyse`. */
export const ANALYSE_CLUSTERINGS = ['kmeans', 'gmm', 'hdbscan', 'hierarchical'] as const;
/** A clustering method of `cellshape analyse`. */
export type AnalyseClustering = (typeof ANALYSE_CLUSTERINGS)[number];
/** Classifiers of `cellshape analyse` (`'rf'`: random forest). */
export const ANALYSE_CLASSIFIERS = ['svm', 'rf', 'none'] as const;
/** A classifier of `cellshape analyse`. */
export type AnalyseClassifier = (typeof ANALYSE_CLASSIFIERS)[number];

/** Where the rows come from. */
export interface AnalyseInputOptions {
  /** Features CSV: an id column and numeric feature columns (`features.csv` of a run, or any). Required. */
  features: string;
  /** Metadata CSV joined by id. Default: none (the features CSV's own text columns are the metadata). */
  metadata?: string;
  /** The id column of both files. Default `'id'`. */
  idColumn?: string;
}

/** What the rows are: the experiment's design, as metadata column names. */
export interface AnalyseDesignOptions {
  /** Columns whose joint value is one sample (e.g. plate and well): rows are aggregated per group and cross-validation folds never split a group. Default: none. */
  group?: readonly string[];
  /** Column of the known classes (treatment, patient group) the clusters are scored against and the classifier predicts. Default: none. */
  by?: string;
  /** The control rows, `{ column, value }` (e.g. Treatment = DMSO): normalisation is fitted on them. Default: all rows. */
  control?: { column: string; value: string };
  /** Column of the plate (batch) normalised separately. Default: one batch. */
  plate?: string;
}

/** The steps and their settings. */
export interface AnalysePipelineOptions {
  /** Per-plate normalisation of the rows. Default `'standardise'`. */
  normalise?: NormaliseMethod | 'none';
  /** Aggregation per group (`design.group`). Default `'median'` when there are groups, else `'none'`. */
  aggregate?: AggregateMethod | 'none';
  /** Clustering of the profiles. Default `'kmeans'`. */
  cluster?: AnalyseClustering;
  /** Number of clusters (k-means, GMM, hierarchical). Default: the classes of `design.by`, else chosen by the k-means elbow (Kneedle). */
  clusters?: number;
  /** Classifier of `design.by` from the profiles, cross-validated. Default `'svm'` when `design.by` is given, else `'none'`. */
  classify?: AnalyseClassifier;
  /** Cross-validation folds. Default 5. */
  folds?: number;
  /** Cluster a 2-D UMAP embedding of the profiles instead of the profiles themselves (as the GBM thesis). Default false. */
  umap?: boolean;
}

/** Options of {@link analyseRun}. */
export interface AnalyseOptions {
  input: AnalyseInputOptions;
  design?: AnalyseDesignOptions;
  pipeline?: AnalysePipelineOptions;
  /** Output folder (created). Required. */
  out: string;
  /** Seed of every random choice (k-means starts, UMAP, folds, forests). Default 0. */
  seed?: number;
  /** Progress of each stage. */
  onProgress?: ProgressCallback;
}

/** Defaults of {@link AnalyseOptions} that do not depend on other options. */
export const DEFAULT_ANALYSE_OPTIONS = {
  idColumn: 'id',
  normalise: 'standardise',
  cluster: 'kmeans',
  folds: 5,
  umap: false,
  seed: 0,
} as const;

/** {@link AnalyseOptions} with every default filled in. */
export interface ResolvedAnalyseOptions {
  features: string;
  metadata: string | undefined;
  idColumn: string;
  group: string[];
  by: string | undefined;
  control: { column: string; value: string } | undefined;
  plate: string | undefined;
  normalise: NormaliseMethod | 'none';
  aggregate: AggregateMethod | 'none';
  cluster: AnalyseClustering;
  clusters: number | undefined;
  classify: AnalyseClassifier;
  folds: number;
  umap: boolean;
  out: string;
  seed: number;
}

const FN = 'analyseRun';

/** Validates the options' types and fills in the defaults (column names are checked on the data). */
export function resolveAnalyseOptions(options: AnalyseOptions): ResolvedAnalyseOptions {
  if (options === null || typeof options !== 'object')
    throw invalidArgument(FN, 'options', 'an object', options);
  const input = options.input ?? ({} as AnalyseInputOptions);
  const design = options.design ?? {};
  const pipeline = options.pipeline ?? {};
  checkString(FN, 'input.features', input.features);
  if (input.metadata !== undefined) checkString(FN, 'input.metadata', input.metadata);
  const idColumn = input.idColumn ?? DEFAULT_ANALYSE_OPTIONS.idColumn;
  checkString(FN, 'input.idColumn', idColumn);
  checkString(FN, 'out', options.out);
  const group = [...(design.group ?? [])];
  if (!group.every((g) => typeof g === 'string' && g !== ''))
    throw invalidArgument(FN, 'design.group', 'an array of column names', design.group);
  if (design.by !== undefined) checkString(FN, 'design.by', design.by);
  if (design.plate !== undefined) checkString(FN, 'design.plate', design.plate);
  if (design.control !== undefined) {
    checkString(FN, 'design.control', design.control.column);
    checkString(FN, 'design.control', design.control.value);
  }
  const normalise = pipeline.normalise ?? DEFAULT_ANALYSE_OPTIONS.normalise;
  checkOneOf(FN, 'pipeline.normalise', normalise, ['standardise', 'robust', 'spherize', 'none']);
  const aggregate = pipeline.aggregate ?? (group.length > 0 ? 'median' : 'none');
  checkOneOf(FN, 'pipeline.aggregate', aggregate, ['median', 'mean', 'none']);
  if (aggregate !== 'none' && group.length === 0)
    throw invalidArgument(
      FN,
      'pipeline.aggregate',
      "'none' when there are no groups (design.group)",
      aggregate,
    );
  const cluster = pipeline.cluster ?? DEFAULT_ANALYSE_OPTIONS.cluster;
  checkOneOf(FN, 'pipeline.cluster', cluster, ANALYSE_CLUSTERINGS);
  if (pipeline.clusters !== undefined)
    checkInteger(FN, 'pipeline.clusters', pipeline.clusters, { min: 2 });
  const classify = pipeline.classify ?? (design.by !== undefined ? 'svm' : 'none');
  checkOneOf(FN, 'pipeline.classify', classify, ANALYSE_CLASSIFIERS);
  if (classify !== 'none' && design.by === undefined)
    throw invalidArgument(
      FN,
      'pipeline.classify',
      "'none' when there is no class column (design.by)",
      classify,
    );
  const folds = pipeline.folds ?? DEFAULT_ANALYSE_OPTIONS.folds;
  checkInteger(FN, 'pipeline.folds', folds, { min: 2 });
  const umap = pipeline.umap ?? DEFAULT_ANALYSE_OPTIONS.umap;
  checkBoolean(FN, 'pipeline.umap', umap);
  const seed = options.seed ?? DEFAULT_ANALYSE_OPTIONS.seed;
  checkInteger(FN, 'seed', seed, { min: 0 });
  return {
    features: input.features,
    metadata: input.metadata,
    idColumn,
    group,
    by: design.by,
    control: design.control,
    plate: design.plate,
    normalise,
    aggregate,
    cluster,
    clusters: pipeline.clusters,
    classify,
    folds,
    umap,
    out: options.out,
    seed,
  };
}
