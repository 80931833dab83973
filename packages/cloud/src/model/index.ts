/**
 * The DFN point-cloud autoencoder (DGCNN encoder + FoldingNet decoders) and its building
 * blocks: the plain tfjs formulations of kNN and EdgeConv (`…Reference`), which the
 * `implementation: 'plain'` model runs and the engine's fast kernels are checked against.
 */
export { batchGather } from './batch-gather.js';
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
export { DGCNN_NEGATIVE_SLOPE, edgeConvReference } from './edge-conv-reference.js';
export type { DecoderType } from './folding-decoder.js';
export { knnIndicesReference } from './knn-reference.js';
export { type SourceShape, sourcePoints } from './source-points.js';
export { untaped } from './untaped.js';
