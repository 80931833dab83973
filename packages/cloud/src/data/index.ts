export {
  type ArraysDatasetOptions,
  type BatchOptions,
  type DatasetItem,
  DEFAULT_BATCH_OPTIONS,
  DEFAULT_POINT_CLOUD_DATASET_OPTIONS,
  type FilesDatasetOptions,
  type FolderDatasetOptions,
  type PointCloudBatch,
  PointCloudDataset,
  type PointCloudDatasetOptions,
} from './point-cloud-dataset.js';
