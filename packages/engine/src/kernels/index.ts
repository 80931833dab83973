/**
 * Fast CPU kernels for the models' hot paths, on tfjs-core tensors (`cpu` and `wasm` backends)
 * and the typed arrays under them: kNN graphs, nearest neighbours and the Chamfer distance, the
 * fused EdgeConv block, the fused activation → batch norm → max-pool → dropout block, and 2-D/3-D (transposed) convolutions as column × filter products, each
 * with its gradient where it is differentiable.
 *
 * ```ts
 * const idx = knnIndices(points, 20);                       // int32 [B, N, 20]
 * const loss = chamferDistance(points, reconstruction);     // differentiable scalar
 * const { output } = edgeConvBlock(points, weight, gamma, beta, { knn: idx });
 * const y = convolution(volumes, filter, { stride: [2, 2, 2], padding: [2, 2, 2] });
 * ```
 */
export {
  type ChamferForm,
  type ChamferOptions,
  chamferDistance,
  DEFAULT_CHAMFER_OPTIONS,
} from './chamfer.js';
export { type ChannelExtremes, channelExtremes } from './channel-extremes.js';
export {
  type ConvolutionStep,
  type ConvolutionTransposeStep,
  convolution,
  convolutionTranspose,
} from './conv/convolution.js';
export {
  DEFAULT_EDGE_CONV_OPTIONS,
  type EdgeConvOptions,
  type EdgeConvResult,
  edgeConvBlock,
} from './edge-conv.js';
export {
  type ActivationNormPoolOptions,
  type ActivationPoolOptions,
  activationNormPool,
  activationPool,
} from './fused/activation-norm-pool.js';
export { biasActivation } from './fused/bias-activation.js';
export { dropoutMask } from './fused/dropout-mask.js';
export { useFusedKernels } from './fused/fused-wasm.js';
export { knnIndices, knnIndicesArray, pairwiseScores } from './knn.js';
export { matMulParallel } from './mat-mul.js';
export {
  type NearestNeighbourArrays,
  type NearestNeighbours,
  nearestNeighbours,
} from './nearest-neighbours.js';
export {
  type SimdVariant,
  type SimdVariantChoice,
  useWasmSimdVariant,
  WASM_SIMD_ENV_VAR,
  wasmSimdVariant,
} from './wasm/simd-variant.js';
