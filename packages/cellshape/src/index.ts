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
  type DemoRecovery,
  type DemoResult,
  type DemoStage,
  runDemo,
} from './demo/run-demo.js';
export { VOXEL_DEMO_PRESETS, type VoxelDemoSettings } from './demo/voxel-demo.js';
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
  DEFAULT_EXTRACT_RUN_OPTIONS,
  type ExtractRunOptions,
  type ExtractRunResult,
  extractRun,
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
