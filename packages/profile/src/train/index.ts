export { type CropArrays, type CropBatch, CropDataset } from './crop-dataset.js';
export {
  DEFAULT_EMBED_CROPS_OPTIONS,
  type EmbedCropsOptions,
  type Embeddings,
  embedCrops,
  embeddingsToCsv,
  writeEmbeddingsCsv,
} from './embed-crops.js';
export {
  type EmbedImagesOptions,
  embedImages,
  type ImageEncoder,
  tileOrigins,
} from './embed-images.js';
export {
  type FlatSamples,
  fitPcaEmbedding,
  type PcaEmbedding,
  type PcaEmbeddingOptions,
} from './pca-embedding.js';
export { type TrainAutoencoder2DOptions, trainAutoencoder2D } from './train-autoencoder-2d.js';
export {
  type TrainClassifierOptions,
  type TrainClassifierResult,
  trainClassifier,
} from './train-classifier.js';
export {
  DEFAULT_TRAIN_IMAGES_OPTIONS,
  DROPOUT_STREAM,
  type TrainImagesOptions,
  VIEW_STREAM,
} from './train-options.js';
export {
  DEFAULT_TRAIN_SIAMESE_OPTIONS,
  type TrainSiameseOptions,
  trainSiamese,
} from './train-siamese.js';
export {
  type DihedralBlurViewsOptions,
  dihedralBlurViews,
  type View,
  type ViewFunction,
} from './views.js';
