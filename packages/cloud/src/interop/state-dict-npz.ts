import { readFileSync } from 'node:fs';
import {
  encodeNpz,
  FileSystemError,
  FormatError,
  invalidArgument,
  parseNpz,
  readZip,
} from '@cellshape/core';
import type { StateDict, TrainableModule } from '@cellshape/engine';

/** The bytes of `source` (a path or bytes), for the readers of this folder. */
export function bytesOf(source: string | Uint8Array, fn: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string')
    throw invalidArgument(fn, 'source', 'a file path or a Uint8Array', source);
  try {
    return readFileSync(source);
  } catch (error) {
    throw new FileSystemError(`${fn}: cannot read ${JSON.stringify(source)}: ${String(error)}`, {
      fn,
      arg: source,
      cause: error,
    });
  }
}

/** True when the zip archive `bytes` is an `.npz` (arrays only) rather than a `torch.save` file. */
export function isNpz(bytes: Uint8Array, fn: string): boolean {
  const names = Object.keys(readZip(bytes, fn));
  return names.length > 0 && names.every((name) => name.endsWith('.npy'));
}

/**
 * Reads a state dict saved with NumPy, one array per `state_dict()` key, in file order:
 *
 * ```python
 * np.savez("model.npz", **{k: v.cpu().numpy() for k, v in model.state_dict().items()})
 * ```
 *
 * @param source a path or the bytes of the `.npz` file.
 * @throws FormatError when the file is not an `.npz` or holds no arrays.
 */
export function loadStateDictNpz(source: string | Uint8Array): StateDict {
  const fn = 'loadStateDictNpz';
  const arrays = parseNpz(bytesOf(source, fn));
  const state: StateDict = new Map(Object.entries(arrays));
  if (state.size === 0)
    throw new FormatError(`${fn}: the .npz holds no arrays`, { fn, arg: 'source' });
  return state;
}

/**
 * The model's state dict as an `.npz` (uncompressed; keys and order of PyTorch's
 * `state_dict()`, float32 arrays, `num_batches_tracked` int64), to load in Python with
 *
 * ```python
 * model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load("model.npz").items()})
 * ```
 */
export function exportStateDictNpz(model: TrainableModule): Uint8Array {
  if (typeof model !== 'object' || model === null || typeof model.stateDict !== 'function')
    throw invalidArgument('exportStateDictNpz', 'model', 'a module with stateDict()', model);
  return encodeNpz(Object.fromEntries(model.stateDict()));
}
