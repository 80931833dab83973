/**
 * PyTorch interop for the point-cloud autoencoder: import checkpoints of cellshape-cloud
 * (`.pt` or `.npz`), with the architecture inferred from the state dict, and resume from their
 * optimizer state. Writing them back is the engine's, as for any model.
 *
 * ```ts
 * import { importTorchCheckpoint } from '@cellshape/cloud';
 * import { exportTorchCheckpoint } from '@cellshape/engine';
 * const model = importTorchCheckpoint('dfn_128.pt', { k: 20 }).eval();
 * writeFileSync('back.pt', exportTorchCheckpoint(model)); // torch.load('back.pt') in Python
 * ```
 */
export {
  type CloudCheckpoint,
  DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS,
  type ImportModelOptions,
  type ImportTorchCheckpointOptions,
  importTorchCheckpoint,
  readCloudCheckpoint,
} from './import-checkpoint.js';
export { type InferredCloudOptions, inferCloudAutoEncoderOptions } from './infer-architecture.js';
