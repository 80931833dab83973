export { type CropArrays, type CropBatch, CropDataset } from './crop-dataset.js';
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
