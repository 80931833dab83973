/**
 * PyTorch interop for the point-cloud autoencoder: import checkpoints of cellshape-cloud
 * (`.pt` or `.npz`), resume from their optimizer state, and export weights for PyTorch.
 *
 * ```ts
 * import { exportTorchCheckpoint, importTorchCheckpoint } from '@cellshape/cloud';
 * const model = importTorchCheckpoint('dfn_128.pt', { k: 20 }).eval();
 * writeFileSync('back.pt', exportTorchCheckpoint(model)); // torch.load('back.pt') in Python
 * ```
 */
export {
  type ExportTorchCheckpointOptions,
  exportTorchCheckpoint,
} from './export-checkpoint.js';
export {
  type CloudCheckpoint,
  DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS,
  type ImportModelOptions,
  type ImportTorchCheckpointOptions,
  importTorchCheckpoint,
  readCloudCheckpoint,
} from './import-checkpoint.js';
export { type InferredCloudOptions, inferCloudAutoEncoderOptions } from './infer-architecture.js';
export { optimizerStateFromTorch, optimizerStateToTorch } from './optimizer-state.js';
export { exportStateDictNpz, loadStateDictNpz } from './state-dict-npz.js';
