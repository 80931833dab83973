import { checkInteger, checkObject, invalidArgument } from '@cellshape/core';
import type { AdamStateDict } from '../optim/adam.js';
import type { TorchCheckpoint } from '../torch/types.js';
import { type TorchWritable, writeTorchCheckpoint } from '../torch/write-checkpoint.js';
import type { TrainableModule } from '../training/module.js';
import {
  optimizerStateFromTorch,
  optimizerStateToTorch,
  type TorchLayoutModule,
} from './optimizer-state.js';

/** Options of {@link exportTorchCheckpoint}. */
export interface ExportTorchCheckpointOptions {
  /** An `Adam` over `model.namedParameters()` (or its `stateDict()`), saved as `optimizer_state_dict`. Default: none. */
  optimizer?: { stateDict(): AdamStateDict } | AdamStateDict;
  /** Saved as `checkpoint["epoch"]`, an integer ≥ 0. Default: none. */
  epoch?: number;
  /** Saved as `checkpoint["loss"]`. Default: none. */
  loss?: number;
}

/**
 * The checkpoint key holding the model's `config()` as a JSON string: what the state dict
 * cannot carry (e.g. a decoder's number of source points), so that importing the file rebuilds
 * the same model. PyTorch ignores it (`json.loads(ckpt["cellshape_config"])` reads it).
 */
export const TORCH_CONFIG_KEY = 'cellshape_config';

/**
 * A PyTorch training checkpoint of the model, as `torch.save` writes one:
 * `{ "model_state_dict", "optimizer_state_dict"?, "epoch"?, "loss"?, "cellshape_config"? }`
 * with PyTorch's keys, shapes and layouts ({@link TORCH_CONFIG_KEY}: the model's `config()`,
 * when it has one). Load it in Python with
 *
 * ```python
 * ckpt = torch.load("model.pt")
 * model.load_state_dict(ckpt["model_state_dict"])
 * optimizer = torch.optim.Adam(model.parameters())
 * optimizer.load_state_dict(ckpt["optimizer_state_dict"])
 * ```
 *
 * @returns the bytes of the `.pt` file (write them with `writeFileAtomic`).
 */
export function exportTorchCheckpoint(
  model: TorchLayoutModule &
    Pick<TrainableModule, 'stateDict'> &
    Partial<Pick<TrainableModule, 'config'>>,
  options: ExportTorchCheckpointOptions = {},
): Uint8Array {
  const fn = 'exportTorchCheckpoint';
  if (typeof model !== 'object' || model === null || typeof model.stateDict !== 'function')
    throw invalidArgument(fn, 'model', 'a model with stateDict()', model);
  const { optimizer, epoch, loss } = checkObject<ExportTorchCheckpointOptions>(
    fn,
    'options',
    options,
  );
  if (epoch !== undefined) checkInteger(fn, 'options.epoch', epoch, { min: 0 });
  if (loss !== undefined && typeof loss !== 'number')
    throw invalidArgument(fn, 'options.loss', 'a number', loss);
  const checkpoint: Record<string, TorchWritable> = { model_state_dict: model.stateDict() };
  if (optimizer !== undefined) {
    const state = 'stateDict' in optimizer ? optimizer.stateDict() : optimizer;
    checkpoint.optimizer_state_dict = optimizerStateToTorch(model, state);
  }
  if (epoch !== undefined) checkpoint.epoch = epoch;
  if (loss !== undefined) checkpoint.loss = loss;
  if (typeof model.config === 'function')
    checkpoint[TORCH_CONFIG_KEY] = JSON.stringify(model.config());
  return writeTorchCheckpoint(checkpoint);
}

/**
 * A stored config: a JSON object string; anything else (a foreign checkpoint's key, another
 * tool's `.npz` comment) is ignored.
 */
export function parseStoredConfig(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What a PyTorch training checkpoint holds besides the model weights. */
export interface TorchTrainingState {
  /** `optimizer_state_dict` of `torch.optim.Adam`, in the layout of the model's variables. */
  optimizerState?: AdamStateDict;
  /** `checkpoint["epoch"]`. */
  epoch?: number;
  /** `checkpoint["loss"]`. */
  loss?: number;
  /** The model's `config()` stored by {@link exportTorchCheckpoint} (`checkpoint["cellshape_config"]`). */
  config?: Record<string, unknown>;
}

/**
 * The epoch, loss and (with `model`) Adam state of a training checkpoint (`checkpoint` of
 * `readStateDictFile`; nothing for `undefined`, e.g. an `.npz`), the optimizer state converted
 * for `new Adam(model.namedParameters()).loadStateDict(optimizerState)`. Leave `model` out when
 * the optimizer covers more than the model (e.g. IDEC's, which also holds the cluster centres).
 *
 * @throws IncompatibleError when the optimizer state does not fit `model`.
 */
export function torchTrainingState(
  checkpoint: TorchCheckpoint | undefined,
  model?: TorchLayoutModule,
): TorchTrainingState {
  const result: TorchTrainingState = {};
  if (!(checkpoint instanceof Map)) return result;
  const epoch = checkpoint.get('epoch');
  const loss = checkpoint.get('loss');
  if (typeof epoch === 'number') result.epoch = epoch;
  if (typeof loss === 'number') result.loss = loss;
  const config = parseStoredConfig(checkpoint.get(TORCH_CONFIG_KEY));
  if (config !== undefined) result.config = config;
  const optimizer = checkpoint.get('optimizer_state_dict');
  if (optimizer instanceof Map && model !== undefined)
    result.optimizerState = optimizerStateFromTorch(model, optimizer);
  return result;
}
