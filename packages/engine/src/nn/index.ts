/**
 * PyTorch-parity building blocks for every model family: layers whose state dicts have
 * PyTorch's keys, shapes and default initialisation, and the state-dict machinery that gives a
 * model `namedParameters()`, `stateDict()`, `loadStateDict()` and `.pt` / `.npz` interop from a
 * list of entries. Activations are channels-last (`[B, C]`, `[B, H, W, C]`, `[B, D, H, W, C]`).
 *
 * ```ts
 * import { createRng } from '@cellshape/core';
 * import { BatchNorm, Conv3d, exportStateDictNpz, ModuleState, readStateDict, selectBackend } from '@cellshape/engine';
 * import * as tf from '@tensorflow/tfjs-core';
 *
 * await selectBackend('cpu');
 * const rng = createRng(0);                       // PyTorch's default init, seeded
 * const conv = new Conv3d(rng, { inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, padding: 1 });
 * const norm = new BatchNorm(4);
 * const state = new ModuleState('Net', [...conv.stateEntries('encoder.0'), ...norm.stateEntries('encoder.1')]);
 * const npz = exportStateDictNpz(state);          // encoder.0.weight [4, 1, 3, 3, 3], …, encoder.1.num_batches_tracked
 * state.loadStateDict(readStateDict(npz));        // or the path of a torch.save(net.state_dict()) .pt
 * const x = tf.zeros([2, 8, 8, 8, 1]);            // PyTorch's [2, 1, 8, 8, 8], channels last
 * const y = tf.leakyRelu(norm.apply(conv.forward(x), false), 0.2); // [2, 4, 4, 4, 4]
 * ```
 *
 * PyTorch ↔ tfjs weight layouts ({@link torchToTfjsAxes}): `Linear` `[out, in]` ↔ `[in, out]`;
 * `Conv2d` / `Conv3d` `[out, in, k…]` ↔ `[k…, in, out]`; `ConvTranspose2d` / `3d`
 * `[in, out, k…]` ↔ `[k…, out, in]`; a 1×1 convolution may be held as the matrix `[in, out]`
 * ({@link matrixWeight}).
 */

export {
  BATCH_NORM_EPS,
  BATCH_NORM_MOMENTUM,
  BatchNorm,
  type BatchNormActivation,
} from './batch-norm.js';
export { biasAdd } from './bias-add.js';
export { columnSum } from './column-sum.js';
export { Conv2d, Conv3d } from './conv.js';
export {
  type ConvOptions,
  type ConvTransposeOptions,
  convOutputSize,
  convTransposeOutputSize,
  DEFAULT_CONV_OPTIONS,
  type ResolvedConv,
  type SpatialSize,
} from './conv-options.js';
export { ConvTranspose2d, ConvTranspose3d } from './conv-transpose.js';
export { Convolution } from './convolution.js';
export { dense } from './dense.js';
export { DEFAULT_LINEAR_OPTIONS, Linear, type LinearOptions } from './linear.js';
export {
  aliasEntries,
  DEFAULT_LOAD_STATE_DICT_OPTIONS,
  type LoadStateDictOptions,
  ModuleState,
  type StateEntry,
  stateKey,
} from './module-state.js';
export {
  optimizerStateFromTorch,
  optimizerStateToTorch,
  type TorchLayoutModule,
} from './optimizer-state.js';
export {
  biasParameter,
  fanIn,
  matrixWeight,
  type Parameter,
  type ParameterLayout,
  parameterFromTorch,
  parameterToTorch,
  torchParameter,
  weightParameter,
} from './parameter.js';
export {
  exportStateDictNpz,
  type ReadStateDictOptions,
  readStateDict,
  readStateDictFile,
  type StateDictFile,
  subStateDict,
} from './state-dict-file.js';
export { StateDictModule } from './state-dict-module.js';
export {
  type ExportTorchCheckpointOptions,
  exportTorchCheckpoint,
  TORCH_CONFIG_KEY,
  type TorchTrainingState,
  torchTrainingState,
} from './torch-checkpoint.js';
export { torchFlatten, torchUnflatten } from './torch-flatten.js';
export {
  permuteAxes,
  tfjsToTorchAxes,
  torchToTfjsAxes,
  weightToTfjs,
  weightToTorch,
} from './weight-layout.js';
