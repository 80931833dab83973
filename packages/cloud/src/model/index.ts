/**
 * The DFN point-cloud autoencoder (DGCNN encoder + FoldingNet decoders) and its building
 * blocks (the plain tfjs formulations of kNN and EdgeConv, the references for fast kernels).
 */
export { batchGather } from './batch-gather.js';
export { BATCH_NORM_EPS, BATCH_NORM_MOMENTUM, BatchNorm } from './batch-norm.js';
export {
  CloudAutoEncoder,
  type CloudAutoEncoderOptions,
  type CloudAutoEncoderOutput,
  type CloudAutoEncoderTrace,
  DEFAULT_CLOUD_AUTOENCODER_OPTIONS,
  type EncoderType,
} from './cloud-autoencoder.js';
export {
  DGCNN_WIDTH,
  EDGE_CONV_WIDTHS,
  type EncoderTrace,
  type Implementation,
} from './dgcnn-encoder.js';
export { DGCNN_NEGATIVE_SLOPE, edgeConv } from './edge-conv.js';
export type { DecoderType } from './folding-decoder.js';
export { knnIndices } from './knn.js';
export { type SourceShape, sourcePoints } from './source-points.js';
export { untaped } from './untaped.js';
