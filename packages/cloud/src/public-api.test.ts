import { expect, it } from 'vitest';
import * as api from './index.js';

// Any change to the public exports shows up here, in review.
it('exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CloudAutoEncoder",
      "DEFAULT_BATCH_OPTIONS",
      "DEFAULT_CHAMFER_LOSS_OPTIONS",
      "DEFAULT_CLOUD_AUTOENCODER_OPTIONS",
      "DEFAULT_EXTRACT_FEATURES_OPTIONS",
      "DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS",
      "DEFAULT_POINT_CLOUD_DATASET_OPTIONS",
      "DEFAULT_TRAIN_AUTOENCODER_OPTIONS",
      "DGCNN_NEGATIVE_SLOPE",
      "DGCNN_WIDTH",
      "EDGE_CONV_WIDTHS",
      "PointCloudDataset",
      "batchGather",
      "chamferLoss",
      "edgeConvReference",
      "extractFeatures",
      "featuresToCsv",
      "importTorchCheckpoint",
      "inferCloudAutoEncoderOptions",
      "knnIndicesReference",
      "nearestNeighboursReference",
      "readCloudCheckpoint",
      "sourcePoints",
      "trainAutoencoder",
      "untaped",
      "writeFeaturesCsv",
    ]
  `);
});
