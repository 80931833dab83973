export {
  DEFAULT_EXTRACT_FEATURES_OPTIONS,
  type ExtractFeaturesOptions,
  extractFeatures,
  type FeaturesResult,
} from './extract-features.js';
export { featuresToCsv, writeFeaturesCsv } from './features-csv.js';
export {
  DEFAULT_TRAIN_AUTOENCODER_OPTIONS,
  type TrainAutoencoderOptions,
  trainAutoencoder,
} from './train-autoencoder.js';
