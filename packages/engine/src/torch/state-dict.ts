import { describe, FormatError, invalidArgument } from '@cellshape/core';
import type { StateDict } from '../training/module.js';
import { isTorchTensor, type TorchCheckpoint, type TorchDict } from './types.js';

const FN = 'extractStateDict';

/** Checkpoint keys under which training scripts store the model weights, in lookup order. */
const WEIGHT_KEYS = ['model_state_dict', 'state_dict', 'model'];

function isStateDictLike(value: unknown): boolean {
  if (!(value instanceof Map) || value.size === 0) return false;
  for (const [key, item] of value)
    if (typeof key !== 'string' || !isTorchTensor(item)) return false;
  return true;
}

/**
 * The model weights of a checkpoint read by `readTorchCheckpoint`, as a {@link StateDict}
 * (keys and order as PyTorch's `state_dict()`; arrays are the checkpoint's, not copies).
 *
 * Accepts a bare state dict (`torch.save(model.state_dict(), path)`), a training checkpoint
 * `{ model_state_dict | state_dict | model: ..., optimizer_state_dict, epoch, loss }` as
 * cellshape writes it, and IDEC/DEC checkpoints whose keys are `autoencoder.*` plus
 * `clustering_layer.weight`. With `prefix` (e.g. `'autoencoder.'`) only the keys starting with
 * it are kept, with the prefix removed.
 *
 * @throws InvalidArgumentError when no state dict is found or no key has the prefix.
 * @throws FormatError when a state dict entry is not a tensor.
 */
export function extractStateDict(checkpoint: TorchCheckpoint, prefix = ''): StateDict {
  if (typeof prefix !== 'string') throw invalidArgument(FN, 'prefix', 'a string', prefix);
  if (!(checkpoint instanceof Map))
    throw invalidArgument(FN, 'checkpoint', 'a dict read from a .pt file', checkpoint);
  let source: TorchDict | undefined;
  for (const key of WEIGHT_KEYS) {
    const candidate = checkpoint.get(key);
    if (candidate instanceof Map) {
      source = candidate;
      break;
    }
  }
  if (source === undefined) {
    if (!isStateDictLike(checkpoint)) {
      throw invalidArgument(
        FN,
        'checkpoint',
        `a state dict (string keys → tensors) or a dict with one of ${WEIGHT_KEYS.join(', ')}; its keys are ${describe([...checkpoint.keys()])}`,
      );
    }
    source = checkpoint;
  }
  const out: StateDict = new Map();
  for (const [key, value] of source) {
    if (typeof key !== 'string' || !key.startsWith(prefix)) continue;
    if (!isTorchTensor(value)) {
      throw new FormatError(`${FN}: state dict entry ${JSON.stringify(key)} is not a tensor`, {
        fn: FN,
        arg: key,
      });
    }
    out.set(key.slice(prefix.length), { data: value.data, shape: value.shape });
  }
  if (out.size === 0) {
    throw invalidArgument(
      FN,
      'prefix',
      `a prefix of some state dict keys (keys start like ${describe([...source.keys()].slice(0, 3))})`,
      prefix,
    );
  }
  return out;
}
