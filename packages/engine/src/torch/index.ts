/**
 * PyTorch checkpoint interop: read `.pt` files written by `torch.save` without executing any
 * pickle code, and write `.pt` files that `torch.load` reads.
 *
 * ```ts
 * import { extractStateDict, readTorchCheckpoint, writeTorchCheckpoint } from '@cellshape/engine';
 * const ckpt = readTorchCheckpoint('cellshape_model.pt');
 * const state = extractStateDict(ckpt); // Map<'encoder.conv1.0.weight', { data, shape }>, ...
 * const bytes = writeTorchCheckpoint({ model_state_dict: state, epoch: 3 });
 * ```
 */
export {
  type ReadTorchCheckpointOptions,
  readTorchCheckpoint,
} from './read-checkpoint.js';
export { extractStateDict } from './state-dict.js';
export {
  isTorchTensor,
  type TorchCheckpoint,
  type TorchDict,
  type TorchDtype,
  type TorchKey,
  type TorchTensor,
  type TorchValue,
} from './types.js';
export {
  DEFAULT_WRITE_TORCH_CHECKPOINT_OPTIONS,
  type TorchWritable,
  type WriteTorchCheckpointOptions,
  writeTorchCheckpoint,
} from './write-checkpoint.js';
