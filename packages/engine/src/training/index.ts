export {
  CHECKPOINT_EXTENSION,
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  type CheckpointInput,
  type DecodeCheckpointOptions,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
export type { Dataset, DatasetBatch, DatasetBatchOptions } from './dataset.js';
export {
  checkDataset,
  checkDatasetBatch,
  DEFAULT_ENCODE_DATASET_OPTIONS,
  type EncodeDatasetOptions,
  type EncodedDataset,
  encodeDataset,
} from './encode-dataset.js';
export {
  type ExtractDatasetFeaturesOptions,
  type ExtractedDatasetFeatures,
  extractDatasetFeatures,
} from './extract-dataset.js';
export {
  type Autoencoder,
  type Encoder,
  isAutoencoder,
  isEncoder,
  type StateArray,
  type StateDict,
  type TrainableModule,
} from './module.js';
export {
  DEFAULT_TRAIN_LOOP_OPTIONS,
  disposeBatch,
  type EpochSummary,
  type HookResult,
  type LoopContext,
  type LossParts,
  type StepContext,
  type StepReport,
  type StopSignal,
  type TrainLoopOptions,
  type TrainLoopResult,
  type TrainOptimizer,
  trainLoop,
} from './train-loop.js';
export {
  checkDatasetTrainingOptions,
  type DatasetTrainingLoop,
  type DatasetTrainingOptions,
  type ResolvedDatasetTraining,
  stepsPerEpoch,
  trainOnDataset,
} from './train-on-dataset.js';
