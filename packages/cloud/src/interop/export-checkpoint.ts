import { invalidArgument } from '@cellshape/core';
import { type AdamStateDict, type TorchWritable, writeTorchCheckpoint } from '@cellshape/engine';
import type { CloudAutoEncoder } from '../model/index.js';
import { optimizerStateToTorch } from './optimizer-state.js';

/** Options of {@link exportTorchCheckpoint}. */
export interface ExportTorchCheckpointOptions {
  /** An `Adam` over `model.namedParameters()` (or its `stateDict()`), saved as `optimizer_state_dict`. Default: none. */
  optimizer?: { stateDict(): AdamStateDict } | AdamStateDict;
  /** Saved as `checkpoint["epoch"]`. Default: none. */
  epoch?: number;
  /** Saved as `checkpoint["loss"]`. Default: none. */
  loss?: number;
}

/**
 * A `.pt` checkpoint of the model in cellshape-cloud's format, for PyTorch:
 * `{ "model_state_dict", "optimizer_state_dict"?, "epoch"?, "loss"? }` with PyTorch's keys,
 * shapes and layout. Load it in Python with
 *
 * ```python
 * ckpt = torch.load("model.pt")
 * model = CloudAutoEncoder(num_features=128, k=20, encoder_type="dgcnn", decoder_type="foldingnet")
 * model.load_state_dict(ckpt["model_state_dict"])
 * optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-6)
 * optimizer.load_state_dict(ckpt["optimizer_state_dict"])
 * ```
 *
 * @returns the bytes of the `.pt` file (write them with `writeFileAtomic`).
 */
export function exportTorchCheckpoint(
  model: CloudAutoEncoder,
  options: ExportTorchCheckpointOptions = {},
): Uint8Array {
  const fn = 'exportTorchCheckpoint';
  if (typeof model !== 'object' || model === null || typeof model.stateDict !== 'function')
    throw invalidArgument(fn, 'model', 'a CloudAutoEncoder', model);
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(fn, 'options', 'an object', options);
  const { optimizer, epoch, loss } = options;
  if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0))
    throw invalidArgument(fn, 'options.epoch', 'an integer ≥ 0', epoch);
  if (loss !== undefined && typeof loss !== 'number')
    throw invalidArgument(fn, 'options.loss', 'a number', loss);
  const checkpoint: Record<string, TorchWritable> = { model_state_dict: model.stateDict() };
  if (optimizer !== undefined) {
    const state = 'stateDict' in optimizer ? optimizer.stateDict() : optimizer;
    checkpoint.optimizer_state_dict = optimizerStateToTorch(model, state);
  }
  if (epoch !== undefined) checkpoint.epoch = epoch;
  if (loss !== undefined) checkpoint.loss = loss;
  return writeTorchCheckpoint(checkpoint);
}
