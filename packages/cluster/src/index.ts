/**
 * `@cellshape/cluster`: improved deep embedded clustering (IDEC) on any cellshape autoencoder,
 * the 3D quantitative morphological signature (3DQMS) and treatment-level analysis.
 *
 * ```ts
 * import { encodeDataset } from '@cellshape/engine';
 * import { chooseK, signatures, trainIdec, writeIdecCsv } from '@cellshape/cluster';
 *
 * const pretrained = await encodeDataset(autoencoder, dataset); // any Encoder, any Dataset
 * const { k } = chooseK({ data: pretrained.features, shape: [dataset.length, pretrained.numFeatures] });
 * const result = await trainIdec(autoencoder, dataset, { numClusters: k ?? 5 }); // L_rec: the model's own
 * await writeIdecCsv('cells.csv', result);               // id, label, q0…, f0…
 * const sig = signatures(result.q, treatmentOfEachCell);  // mean 3DQMS per treatment
 * ```
 *
 * @module @cellshape/cluster
 */

export type { AnalysisLabels, AnalysisMatrix } from './analysis-input.js';
export { type ArrayDataset, type ArrayDatasetOptions, arrayDataset } from './array-dataset.js';
export {
  type ChooseKOptions,
  type ChooseKResult,
  chooseK,
  DEFAULT_CHOOSE_K_OPTIONS,
} from './choose-k.js';
// Classification metrics and supervised evaluation (scikit-learn conventions).
export type { Classifier, ClassWeight } from './classify/classifier.js';
export {
  type ClassificationScores,
  type CrossValidateOptions,
  type CrossValidationResult,
  crossValidateClassifier,
  DEFAULT_CROSS_VALIDATE_OPTIONS,
  DEFAULT_CV_SVM_OPTIONS,
  type FoldKind,
  type FoldResult,
} from './classify/cross-validate.js';
export type { Fold } from './classify/folds.js';
export type { DecisionTree } from './classify/forest/decision-tree.js';
export {
  DEFAULT_RANDOM_FOREST_OPTIONS,
  RandomForestClassifier,
  type RandomForestModel,
  type RandomForestOptions,
} from './classify/forest/random-forest.js';
export {
  DEFAULT_GROUP_K_FOLD_OPTIONS,
  type GroupKFoldOptions,
  groupKFold,
} from './classify/group-k-fold.js';
export {
  DEFAULT_LEAVE_ONE_OUT_NN_OPTIONS,
  type LeaveOneOutNearestNeighbourOptions,
  type LeaveOneOutNearestNeighbourResult,
  leaveOneOutNearestNeighbour,
} from './classify/nearest-neighbour.js';
export {
  type StratifiedGroupKFoldOptions,
  stratifiedGroupKFold,
} from './classify/stratified-group-k-fold.js';
export {
  DEFAULT_STRATIFIED_K_FOLD_OPTIONS,
  type StratifiedKFoldOptions,
  stratifiedKFold,
} from './classify/stratified-k-fold.js';
export type { SvmKernel } from './classify/svm/kernel.js';
export {
  DEFAULT_SVM_OPTIONS,
  SvmClassifier,
  type SvmModel,
  type SvmOptions,
} from './classify/svm/svm-classifier.js';
export { type ClusterOnUmapResult, clusterOnUmap } from './cluster-on-umap.js';
export {
  ClusteringLayer,
  type ClusteringLayerOptions,
  DEFAULT_CLUSTERING_LAYER_OPTIONS,
} from './clustering-layer.js';
export {
  AUTOENCODER_PREFIX,
  CLUSTERING_WEIGHT_KEY,
  type DecForward,
  DeepEmbeddedClustering,
} from './deep-embedded-clustering.js';
export { type DenseMatrix, denseMatrix } from './dense-matrix.js';
export type { ClusterSelectionMethod } from './density/cluster-selection.js';
export {
  type DbscanOptions,
  type DbscanResult,
  DEFAULT_DBSCAN_OPTIONS,
  dbscan,
} from './density/dbscan.js';
export {
  DEFAULT_HDBSCAN_OPTIONS,
  type HdbscanOptions,
  type HdbscanResult,
  hdbscan,
} from './density/hdbscan.js';
export {
  DEFAULT_HIERARCHICAL_OPTIONS,
  flatClusters,
  type HierarchicalClustersOptions,
  type HierarchicalMetric,
  type HierarchicalOptions,
  type HierarchicalResult,
  hierarchicalClusters,
  hierarchicalOrder,
  type Linkage,
  type TreeCut,
} from './hierarchical.js';
export {
  DEFAULT_IDEC_CSV_OPTIONS,
  type IdecCsvOptions,
  idecResultToCsv,
  writeIdecCsv,
} from './idec-csv.js';
export {
  type ClusteringReduction,
  DEFAULT_TRAIN_IDEC_OPTIONS,
  type IdecAutoencoderMode,
  type IdecUpdateUnit,
  type ReconstructionLoss,
  type TrainIdecOptions,
} from './idec-options.js';
export type { IdecUpdate } from './idec-update-log.js';
export { DEFAULT_KL_OPTIONS, type KlOptions, klAgainst, klMatrix } from './kl-matrix.js';
export {
  DEFAULT_KMEANS_OPTIONS,
  type KmeansOptions,
  type KmeansResult,
  kmeans,
} from './kmeans.js';
export {
  DEFAULT_KNEEDLE_OPTIONS,
  type KneedleCurve,
  type KneedleDirection,
  type KneedleOptions,
  type KneedleResult,
  kneedle,
} from './kneedle.js';
export {
  accuracyScore,
  type BalancedAccuracyOptions,
  balancedAccuracyScore,
  DEFAULT_BALANCED_ACCURACY_OPTIONS,
} from './metrics/accuracy.js';
export { adjustedRandIndex } from './metrics/adjusted-rand-index.js';
export { calinskiHarabaszScore } from './metrics/calinski-harabasz.js';
export type { ClassLabels } from './metrics/class-labels.js';
export {
  type ClassificationReport,
  type ClassificationReportOptions,
  type ClassReportRow,
  classificationReport,
} from './metrics/classification-report.js';
export { type CohenKappaOptions, cohenKappa } from './metrics/cohen-kappa.js';
export {
  type ConfusionMatrix,
  type ConfusionMatrixOptions,
  confusionMatrix,
} from './metrics/confusion-matrix.js';
export { daviesBouldinScore } from './metrics/davies-bouldin.js';
export {
  type EncodedLabels,
  type EncodeLabelsOptions,
  encodeLabels,
  type LabelValue,
} from './metrics/label-encoder.js';
export {
  type AverageMethod,
  adjustedMutualInfoScore,
  DEFAULT_MUTUAL_INFO_OPTIONS,
  type MutualInfoOptions,
  mutualInfoScore,
  normalizedMutualInfoScore,
} from './metrics/mutual-info.js';
export type { DistanceMetric } from './metrics/pairwise-distance.js';
export {
  type AveragedScores,
  DEFAULT_PRECISION_RECALL_F1_OPTIONS,
  f1Score,
  type PerClassScores,
  type PrecisionRecallF1Options,
  precisionRecallF1,
  precisionScore,
  recallScore,
  type ScoreAverage,
  type ScoreFor,
  type ScoresFor,
} from './metrics/precision-recall-f1.js';
export {
  DEFAULT_SILHOUETTE_OPTIONS,
  type SilhouetteOptions,
  silhouetteSamples,
  silhouetteScore,
} from './metrics/silhouette.js';
export {
  DEFAULT_V_MEASURE_OPTIONS,
  homogeneityCompletenessVMeasure,
  type VMeasure,
  type VMeasureOptions,
} from './metrics/v-measure.js';
export {
  type ChooseGaussianMixtureOptions,
  type ChooseGaussianMixtureResult,
  chooseGaussianMixture,
  DEFAULT_CHOOSE_GAUSSIAN_MIXTURE_OPTIONS,
} from './mixture/choose-gaussian-mixture.js';
export type { GaussianMixtureInit, GaussianMixtureStart } from './mixture/gaussian-init.js';
export {
  DEFAULT_GAUSSIAN_MIXTURE_OPTIONS,
  type GaussianMixtureModel,
  type GaussianMixtureOptions,
  type GaussianMixtureProgress,
  type GaussianMixtureResult,
  gaussianMixture,
} from './mixture/gaussian-mixture.js';
export type { CovarianceType } from './mixture/gaussian-parameters.js';
export {
  DEFAULT_PLATE_NORMALISE_OPTIONS,
  type PlateNormaliseOptions,
  plateNormalise,
} from './plate-normalise.js';
export {
  type AggregatedProfiles,
  type AggregateMethod,
  type AggregateProfilesOptions,
  aggregateProfiles,
  DEFAULT_AGGREGATE_PROFILES_OPTIONS,
} from './profiles/aggregate-profiles.js';
export {
  DEFAULT_NORMALISE_PROFILES_OPTIONS,
  type NormaliseMethod,
  type NormaliseProfilesOptions,
  normaliseProfiles,
} from './profiles/normalise-profiles.js';
export type { ProfileGroups, ProfileMatrix } from './profiles/profile-input.js';
export {
  DEFAULT_SELECT_FEATURES_OPTIONS,
  type FeatureSelectOperation,
  type SelectedFeatures,
  type SelectFeaturesOptions,
  selectFeatures,
} from './profiles/select-features.js';
export { type GroupKey, type SignaturesResult, signatures } from './signatures.js';
export {
  DEFAULT_SOFT_ASSIGNMENT_OPTIONS,
  hardLabels,
  klDivergence,
  labelChangeShare,
  type SoftAssignmentOptions,
  softAssignment,
  targetDistribution,
} from './soft-assignment.js';
export { klDivergenceOp, logSoftAssignmentOp, softAssignmentOp } from './soft-assignment-ops.js';
export {
  DEFAULT_STANDARDISE_OPTIONS,
  type StandardiseOptions,
  standardise,
} from './standardise.js';
export { type IdecResult, trainIdec } from './train-idec.js';
export { DEFAULT_UMAP_2D_OPTIONS, type Umap2dOptions, umap2d } from './umap.js';
