import {
  encodeNpz,
  FormatError,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  parseNpz,
  readNpzComment,
  readSourceBytes,
  readZip,
  reattributeError,
} from '@cellshape/core';
import { readTorchCheckpoint } from '../torch/read-checkpoint.js';
import { extractStateDict } from '../torch/state-dict.js';
import type { TorchCheckpoint } from '../torch/types.js';
import type { StateDict, TrainableModule } from '../training/module.js';
import { parseStoredConfig, TORCH_CONFIG_KEY, torchTrainingState } from './torch-checkpoint.js';

/** A state dict read by {@link readStateDictFile}. */
export interface StateDictFile {
  /** `'pt'` for a `torch.save` file, `'npz'` for NumPy arrays. */
  format: 'pt' | 'npz';
  /** The whole state dict of the file, in file order (the model weights of a training checkpoint). */
  state: StateDict;
  /** The whole `.pt` content (e.g. `epoch`, `optimizer_state_dict` of a training checkpoint); absent for `.npz`. */
  checkpoint?: TorchCheckpoint;
  /**
   * The model's `config()` when the file stores it: a `.pt` of `exportTorchCheckpoint` under
   * `checkpoint["cellshape_config"]`, an `.npz` of {@link exportStateDictNpz} in its archive
   * comment (`{"cellshape_config": …}`). What a state dict cannot tell (e.g. the decoder's
   * number of source points) comes back from here.
   */
  config?: Record<string, unknown>;
}

/** The bytes of `source` (a path or bytes). */
function bytesOf(fn: string, source: string | Uint8Array): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string')
    throw invalidArgument(fn, 'source', 'a file path or a Uint8Array', source);
  return readSourceBytes(fn, source).bytes;
}

/** True when the zip archive `bytes` is an `.npz` (arrays only) rather than a `torch.save` file. */
function isNpz(fn: string, bytes: Uint8Array): boolean {
  const names = Object.keys(readZip(bytes, fn));
  return names.length > 0 && names.every((name) => name.endsWith('.npy'));
}

/**
 * Reads the model weights of a `.pt` file (`torch.save` of a `state_dict()`, or a training
 * checkpoint holding one under `model_state_dict`, `state_dict` or `model`, see
 * `extractStateDict`) or of an `.npz` with one array per `state_dict()` key:
 *
 * ```python
 * np.savez("model.npz", **{k: v.cpu().numpy() for k, v in model.state_dict().items()})
 * ```
 *
 * The format is told from the content, not the name.
 *
 * @param source a path or the bytes of the file.
 * @throws FileSystemError when the path cannot be read; FormatError when the file is neither
 *   (or holds no arrays, or a `.pt` holds no state dict); see `readTorchCheckpoint` for `.pt`
 *   errors.
 */
export function readStateDictFile(source: string | Uint8Array): StateDictFile {
  const fn = 'readStateDictFile';
  const bytes = bytesOf(fn, source);
  try {
    return isNpz(fn, bytes) ? npzFile(fn, bytes) : ptFile(fn, bytes);
  } catch (error) {
    throw reattributeError(fn, error); // the readers below name themselves; the caller called us
  }
}

function ptFile(fn: string, bytes: Uint8Array): StateDictFile {
  const checkpoint = readTorchCheckpoint(bytes);
  const { config } = torchTrainingState(checkpoint);
  return {
    format: 'pt',
    state: stateDictOf(fn, checkpoint),
    checkpoint,
    ...(config && { config }),
  };
}

/**
 * The state dict of a checkpoint read from a file: one without any (`torch.save(5)`, an empty
 * `model_state_dict`) is a bad file, a `FormatError` that batch readers skip, not the
 * `InvalidArgumentError` of `extractStateDict` (the argument is the file's content).
 */
function stateDictOf(fn: string, checkpoint: TorchCheckpoint): StateDict {
  try {
    return extractStateDict(checkpoint);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new FormatError(`${fn}: the .pt file holds no state dict (${error.message})`, {
      fn,
      arg: 'source',
      cause: error,
    });
  }
}

function npzFile(fn: string, bytes: Uint8Array): StateDictFile {
  const state: StateDict = new Map(Object.entries(parseNpz(bytes)));
  if (state.size === 0)
    throw new FormatError(`${fn}: the .npz holds no arrays`, { fn, arg: 'source' });
  const config = npzConfig(readNpzComment(bytes));
  return { format: 'npz', state, ...(config && { config }) };
}

/** The config an `.npz` comment stores (`{"cellshape_config": {…}}`); undefined for any other comment. */
function npzConfig(comment: string): Record<string, unknown> | undefined {
  const stored = parseStoredConfig(comment)?.[TORCH_CONFIG_KEY];
  return stored !== null && typeof stored === 'object' && !Array.isArray(stored)
    ? (stored as Record<string, unknown>)
    : undefined;
}

/**
 * The entries of `state` under `prefix` with the prefix removed, as PyTorch loads a submodule
 * (e.g. `'autoencoder.'` of an IDEC checkpoint); `state` itself for the empty prefix.
 *
 * @param fn the function the error names (default `'subStateDict'`; a caller's own name).
 * @throws IncompatibleError when no key starts with `prefix` (the message shows some keys).
 */
export function subStateDict(state: StateDict, prefix: string, fn = 'subStateDict'): StateDict {
  if (!(state instanceof Map)) throw invalidArgument(fn, 'state', 'a state dict (Map)', state);
  if (typeof prefix !== 'string') throw invalidArgument(fn, 'prefix', 'a string', prefix);
  if (prefix === '') return state;
  const out: StateDict = new Map();
  for (const [key, value] of state)
    if (key.startsWith(prefix)) out.set(key.slice(prefix.length), value);
  if (out.size === 0)
    throw new IncompatibleError(
      `${fn}: no state dict key starts with ${JSON.stringify(prefix)} (keys: ${[...state.keys()].slice(0, 5).join(', ')}, …)`,
      { fn, arg: 'prefix' },
    );
  return out;
}

/** Options of {@link readStateDict}. */
export interface ReadStateDictOptions {
  /** Keep only the keys under this prefix, removed (see {@link subStateDict}). Default `''` (all). */
  prefix?: string;
}

/**
 * The state dict of a `.pt` or `.npz` file ({@link readStateDictFile}), optionally the part
 * under a key prefix, ready for `model.loadStateDict(...)`.
 *
 * ```ts
 * model.loadStateDict(readStateDict('model.pt'));
 * model.loadStateDict(readStateDict('idec.pt', { prefix: 'autoencoder.' }));
 * ```
 */
export function readStateDict(
  source: string | Uint8Array,
  options: ReadStateDictOptions = {},
): StateDict {
  const fn = 'readStateDict';
  if (options === null || typeof options !== 'object')
    throw invalidArgument(fn, 'options', 'an object', options);
  let file: StateDictFile;
  try {
    file = readStateDictFile(source);
  } catch (error) {
    throw reattributeError(fn, error); // errors name the function the caller called
  }
  return subStateDict(file.state, options.prefix ?? '', fn);
}

/**
 * A model's state dict (or a state dict) as an `.npz`: uncompressed, keys and order of
 * PyTorch's `state_dict()`, float32 arrays, `num_batches_tracked` int64. Load it in Python with
 *
 * ```python
 * model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load("model.npz").items()})
 * ```
 *
 * A model with a `config()` stores it in the archive comment as `{"cellshape_config": …}`, which
 * NumPy ignores and {@link readStateDictFile} returns as `config`, so what the arrays cannot
 * tell survives the round trip (as in a `.pt` of `exportTorchCheckpoint`). In Python:
 * `json.loads(zipfile.ZipFile("model.npz").comment)["cellshape_config"]`.
 */
export function exportStateDictNpz(
  model: Pick<TrainableModule, 'stateDict'> | Partial<Pick<TrainableModule, 'config'>> | StateDict,
): Uint8Array {
  const fn = 'exportStateDictNpz';
  if (model instanceof Map) return encodeNpz(Object.fromEntries(model));
  if (
    typeof model !== 'object' ||
    model === null ||
    !('stateDict' in model) ||
    typeof model.stateDict !== 'function'
  )
    throw invalidArgument(fn, 'model', 'a module with stateDict() or a state dict', model);
  const comment =
    'config' in model && typeof model.config === 'function'
      ? JSON.stringify({ [TORCH_CONFIG_KEY]: model.config() })
      : undefined;
  return encodeNpz(Object.fromEntries(model.stateDict()), { ...(comment && { comment }) });
}
