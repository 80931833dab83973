/**
 * `cellshape`: the cellshape packages in one import, the `cellshape` command line and the HTML
 * report. The packages are re-exported as namespaces (`helper.readVolume`, `cloud.CloudAutoEncoder`,
 * …); the pipeline functions behind the command line, and the registry of model families they
 * run, are exported by name.
 *
 * ```ts
 * import { cloud, helper, trainRun, writeReport } from 'cellshape';
 * const volume = helper.readVolume('nuclei.tif');
 * const { summary } = await trainRun('out/points', 'runs/exp1', {
 *   data: { metadata: 'cells.csv' },
 *   idec: { clusters: 5 },
 * });
 * await writeReport('runs/exp1'); // runs/exp1/report.html
 * ```
 *
 * @module cellshape
 */

export * as cloud from '@cellshape/cloud';
export * as cluster from '@cellshape/cluster';
export * as core from '@cellshape/core';
export * as engine from '@cellshape/engine';
export * as helper from '@cellshape/helper';
export {
  ANALYSE_CLASSIFIERS,
  ANALYSE_CLUSTERINGS,
  type AnalyseClassifier,
  type AnalyseClustering,
  type AnalyseDesignOptions,
  type AnalyseInputOptions,
  type AnalyseOptions,
  type AnalysePipelineOptions,
  DEFAULT_ANALYSE_OPTIONS,
} from './analyse/analyse-options.js';
export { ANALYSE_FILES } from './analyse/analyse-outputs.js';
export type {
  ClassAgreement,
  ClassificationOutcome,
  ClassScores,
  ClusterMetrics,
} from './analyse/analyse-results.js';
export { type AnalyseResult, analyseRun } from './analyse/analyse-run.js';
export { EXIT_CODES } from './cli/errors.js';
export { type CapturedIo, type CliIo, type CliStream, captureIo } from './cli/io.js';
export { run } from './cli/run.js';
export {
  DEFAULT_DEMO_DATA_OPTIONS,
  DEMO_FAMILIES,
  DEMO_TREATMENTS,
  type DemoCell,
  type DemoData,
  type DemoDataOptions,
  type DemoTreatment,
  generateDemoData,
} from './demo/demo-data.js';
export {
  DEMO_PRESETS,
  type DemoOptions,
  type DemoOutput,
  type DemoRecovery,
  type DemoResult,
  type DemoStage,
  runDemo,
} from './demo/run-demo.js';
export { VOXEL_DEMO_PRESETS, type VoxelDemoSettings } from './demo/voxel-demo.js';
export {
  type ConvertDistributedOptions,
  convertDistributed,
  DEFAULT_CONVERT_DISTRIBUTED_OPTIONS,
} from './distributed/convert-distributed.js';
export {
  type ExtractDistributedOptions,
  extractDistributed,
} from './distributed/extract-distributed.js';
export { type JobKind, jobKinds, registerJobKind } from './distributed/job-kinds.js';
export {
  DEFAULT_START_WORKER_OPTIONS,
  type RunningWorker,
  type StartWorkerOptions,
  startWorker,
} from './distributed/worker.js';
export * from './report/index.js';
export {
  type BaselineClassical,
  type BaselineInput,
  type BaselineWinner,
  type ColumnBaseline,
  MAX_BASELINE_CELLS,
  type RunBaseline,
  runBaseline,
  type SetScores,
} from './run/baseline.js';
export {
  type CloudModelSettings,
  cloudModel,
  DEFAULT_CLOUD_MODEL_SETTINGS,
} from './run/cloud-model.js';
export type { ClusterQuality, ColumnAgreement } from './run/cluster-quality.js';
export {
  type ClusteredModelState,
  ENCODER_KMEANS_TYPE,
  IDEC_TYPE,
  readClusteredModel,
} from './run/clustered-checkpoint.js';
export {
  type ExtractChunk,
  type ExtractHead,
  ExtractJob,
  type ExtractJobKey,
  extractChunks,
  extractPartsDir,
} from './run/extract-job.js';
export {
  DEFAULT_EXTRACT_RUN_OPTIONS,
  type ExtractRunOptions,
  type ExtractRunResult,
  extractRun,
  type OpenedExtractJob,
  openExtractJob,
} from './run/extract-run.js';
export {
  CLASSICAL_COLUMNS,
  type ClassicalSource,
  type ClassicalTable,
  classicalTable,
  FEATURE_SETS,
  type FeatureSetName,
  featureSets,
} from './run/feature-sets.js';
export type {
  ModelFlag,
  ModelPlugin,
  ModelReport,
  OpenDatasetOptions,
  PretrainOptions,
  ReportSection,
  RunDataset,
} from './run/model-plugin.js';
export {
  DEFAULT_MODEL,
  modelNames,
  modelPlugin,
  modelPlugins,
  registerModel,
  unregisterModel,
} from './run/model-registry.js';
export {
  DEFAULT_PROFILE_CROP_OPTIONS,
  PROFILE_CROP_LAYOUT,
  type ProfileCropOptions,
  type ProfileCropResult,
  profileCrop,
} from './run/profile-crop-run.js';
export {
  CROP_NORMALISATIONS,
  type CropFolder,
  type CropNormalisation,
  type ReadCropFolderOptions,
  readCropFolder,
} from './run/profile-crop-set.js';
export {
  PROFILE_DEMO_PRESETS,
  type ProfileDemoOptions,
  type ProfileDemoResult,
  runProfileDemo,
} from './run/profile-demo.js';
export {
  DEFAULT_PROFILE_EMBED_IMAGES_OPTIONS,
  type ProfileEmbedImagesOptions,
  profileEmbedImages,
} from './run/profile-embed-run.js';
export {
  type Ae2dModelSettings,
  ae2dModel,
  type ClassifierModelSettings,
  type CropInputSettings,
  classifierModel,
  SIAMESE_VIEWS,
  type SiameseModelSettings,
  siameseModel,
} from './run/profile-models.js';
export {
  SYNTHETIC_EXPERIMENT_LAYOUT,
  writeSyntheticExperiment,
} from './run/profile-synthetic-files.js';
export {
  PROFILE_MODEL_NAMES,
  type ProfileModelName,
  type ProfileTrainOptions,
  profileTrain,
} from './run/profile-train-run.js';
export {
  type ExemplarsCluster,
  type ExemplarsFile,
  RUN_LAYOUT,
  type RunConfig,
  type RunPaths,
  type RunSummary,
  runPaths,
  type StageSummary,
} from './run/run-directory.js';
export { TRAIN_PRESET_NAMES, TRAIN_PRESETS, type TrainPreset } from './run/train-presets.js';
export { emptyClustersNote, type TrainRunResult, trainRun } from './run/train-run.js';
export {
  DEFAULT_TRAIN_RUN_OPTIONS,
  IDEC_LR_MAX,
  idecLearningRate,
  type ResolvedTrainRunOptions,
  type RunDataOptions,
  type RunIdecOptions,
  type RunModelOptions,
  type RunPretrainOptions,
  type RunRuntimeOptions,
  type RunStage,
  resolveTrainRunOptions,
  type TrainRunOptions,
} from './run/train-run-options.js';
export {
  DEFAULT_VOXEL_MODEL_SETTINGS,
  type VoxelAugmentChoice,
  type VoxelModelSettings,
  voxelModel,
} from './run/voxel-model.js';
