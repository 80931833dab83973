export {
  type BarlowTwinsLossOptions,
  type BarlowTwinsTerms,
  barlowTwinsLoss,
  barlowTwinsTerms,
  DEFAULT_BARLOW_TWINS_LOSS_OPTIONS,
} from './barlow-twins-loss.js';
export {
  CnnClassifier,
  type CnnClassifierOptions,
  DEFAULT_CNN_CLASSIFIER_OPTIONS,
} from './cnn-classifier.js';
export {
  ConvAutoEncoder2D,
  type ConvAutoEncoder2DOptions,
  DEFAULT_CONV_AUTOENCODER_2D_OPTIONS,
} from './conv-autoencoder-2d.js';
export { type Activation2D, ConvBlocks2D, type ConvBlocksOptions } from './conv-blocks.js';
export { ImageModel } from './image-model.js';
export {
  DEFAULT_SIAMESE_ENCODER_OPTIONS,
  SiameseEncoder,
  type SiameseEncoderOptions,
} from './siamese-encoder.js';
