import { IncompatibleError, invalidArgument, type NdArray } from '@cellshape/core';
import {
  type AdamStateDict,
  extractStateDict,
  readTorchCheckpoint,
  type StateDict,
  type TorchCheckpoint,
} from '@cellshape/engine';
import { CloudAutoEncoder, type CloudAutoEncoderOptions } from '../model/index.js';
import { inferCloudAutoEncoderOptions } from './infer-architecture.js';
import { optimizerStateFromTorch } from './optimizer-state.js';
import { bytesOf, isNpz, loadStateDictNpz } from './state-dict-npz.js';

/** Model options a state dict does not determine (the rest is inferred from it). */
export type ImportModelOptions = Omit<
  CloudAutoEncoderOptions,
  'encoderType' | 'decoderType' | 'numFeatures' | 'k'
>;

/** Options of {@link importTorchCheckpoint} and {@link readCloudCheckpoint}. */
export interface ImportTorchCheckpointOptions {
  /**
   * Neighbours per point in the EdgeConv graphs. Not stored in a state dict, so it cannot be
   * inferred: pass the `k` the model was trained with. Default 20 (cellshape-cloud's default).
   */
  k?: number;
  /**
   * Key prefix of the autoencoder's entries. Default: `'autoencoder.'` when the state dict has
   * such keys (an IDEC / DEC checkpoint, whose `clustering_layer.weight` is then returned as
   * `clusterCentres`), else `''`.
   */
  prefix?: string;
  /** Decoder source points and seed (`shape`, `numSourcePoints`, `std`, `seed`). Default `{}` (the 45×45 plane). */
  model?: ImportModelOptions;
  /** Refuse state dicts with missing or unexpected keys. Default true. */
  strict?: boolean;
}

/** Defaults of {@link ImportTorchCheckpointOptions} (`prefix` is detected). */
export const DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS: Readonly<{
  k: number;
  model: ImportModelOptions;
  strict: boolean;
}> = Object.freeze({ k: 20, model: {}, strict: true });

/** A cellshape-cloud checkpoint as {@link readCloudCheckpoint} returns it. */
export interface CloudCheckpoint {
  /** The autoencoder with the checkpoint's weights and running statistics (training mode). */
  model: CloudAutoEncoder;
  /**
   * Adam state in the layout of `model.namedParameters()`, for
   * `new Adam(model.namedParameters()).loadStateDict(optimizerState)`. Absent when the file
   * has none (`.npz`, bare state dicts) or it is an IDEC checkpoint (its optimizer also covers
   * the cluster centres).
   */
  optimizerState?: AdamStateDict;
  /** `checkpoint["epoch"]`, when present. */
  epoch?: number;
  /** `checkpoint["loss"]`, when present. */
  loss?: number;
  /** `clustering_layer.weight` `[K, F]` of an IDEC / DEC checkpoint. */
  clusterCentres?: NdArray<Float32Array>;
}

interface Parsed {
  checkpoint: TorchCheckpoint | undefined;
  /** The whole state dict of the file. */
  full: StateDict;
  /** The autoencoder's part, prefix removed. */
  state: StateDict;
  prefix: string;
}

function validate(fn: string, options: ImportTorchCheckpointOptions): void {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(fn, 'options', 'an object', options);
  const { k, prefix, model, strict } = options;
  if (k !== undefined && !(Number.isInteger(k) && k >= 1))
    throw invalidArgument(fn, 'options.k', 'a positive integer', k);
  if (prefix !== undefined && typeof prefix !== 'string')
    throw invalidArgument(fn, 'options.prefix', 'a string', prefix);
  if (model !== undefined && (typeof model !== 'object' || model === null))
    throw invalidArgument(fn, 'options.model', 'an object', model);
  if (strict !== undefined && typeof strict !== 'boolean')
    throw invalidArgument(fn, 'options.strict', 'a boolean', strict);
}

function parse(fn: string, source: string | Uint8Array, prefixOption: string | undefined): Parsed {
  const bytes = bytesOf(source, fn);
  const checkpoint = isNpz(bytes, fn) ? undefined : readTorchCheckpoint(bytes);
  const full = checkpoint === undefined ? loadStateDictNpz(bytes) : extractStateDict(checkpoint);
  const prefix =
    prefixOption ??
    ([...full.keys()].some((k) => k.startsWith('autoencoder.')) ? 'autoencoder.' : '');
  const state: StateDict = new Map();
  for (const [key, value] of full)
    if (key.startsWith(prefix)) state.set(key.slice(prefix.length), value);
  if (state.size === 0) {
    throw new IncompatibleError(
      `${fn}: no state dict key starts with ${JSON.stringify(prefix)} (keys: ${[...full.keys()].slice(0, 5).join(', ')}, …)`,
      { fn, arg: 'options.prefix' },
    );
  }
  return { checkpoint, full, state, prefix };
}

function build(
  fn: string,
  state: StateDict,
  options: ImportTorchCheckpointOptions,
): CloudAutoEncoder {
  const inferred = inferCloudAutoEncoderOptions(state);
  const model = new CloudAutoEncoder({
    ...(options.model ?? {}),
    ...inferred,
    k: options.k ?? DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS.k,
  });
  try {
    model.loadStateDict(state, {
      strict: options.strict ?? DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS.strict,
    });
  } catch (error) {
    model.dispose();
    if (error instanceof IncompatibleError)
      throw new IncompatibleError(`${fn}: ${error.message}`, { fn, arg: 'source', cause: error });
    throw error;
  }
  return model;
}

/**
 * Builds a {@link CloudAutoEncoder} from a PyTorch checkpoint of cellshape-cloud (a `.pt`
 * written by `torch.save`: a bare `state_dict()`, a training checkpoint with
 * `model_state_dict`, or an IDEC checkpoint with `autoencoder.*` keys) or from an `.npz` of the
 * state dict. The encoder, decoder type and number of features are inferred from the keys and
 * shapes; `k` is not in a state dict (default 20, see {@link ImportTorchCheckpointOptions}).
 * The model is returned in training mode, as PyTorch builds it: call `.eval()` for inference.
 *
 * ```ts
 * const model = importTorchCheckpoint('cellshape_dgcnn_foldingnet_128.pt', { k: 20 }).eval();
 * const { features } = model.forward(points); // [B, 128], as PyTorch within 1e-4
 * ```
 *
 * @param source a path or the bytes of a `.pt` or `.npz` file.
 * @throws IncompatibleError for a state dict of another architecture (listing the keys that
 *   do not fit); FormatError / UnsupportedError for unreadable files (see `readTorchCheckpoint`).
 */
export function importTorchCheckpoint(
  source: string | Uint8Array,
  options: ImportTorchCheckpointOptions = {},
): CloudAutoEncoder {
  const fn = 'importTorchCheckpoint';
  validate(fn, options);
  const { state } = parse(fn, source, options.prefix);
  return build(fn, state, options);
}

/**
 * {@link importTorchCheckpoint} plus the training state of the checkpoint: the Adam state
 * (converted to the layout of the model's variables), epoch, loss and, for IDEC checkpoints,
 * the cluster centres. Resume training from a PyTorch run with
 *
 * ```ts
 * const { model, optimizerState, epoch } = readCloudCheckpoint('checkpoint.pt');
 * const adam = new Adam(model.namedParameters());
 * if (optimizerState) adam.loadStateDict(optimizerState);
 * ```
 *
 * @throws IncompatibleError when the model or its optimizer state does not fit.
 */
export function readCloudCheckpoint(
  source: string | Uint8Array,
  options: ImportTorchCheckpointOptions = {},
): CloudCheckpoint {
  const fn = 'readCloudCheckpoint';
  validate(fn, options);
  const { checkpoint, full, state, prefix } = parse(fn, source, options.prefix);
  const model = build(fn, state, options);
  const result: CloudCheckpoint = { model };
  try {
    if (checkpoint instanceof Map) {
      const epoch = checkpoint.get('epoch');
      const loss = checkpoint.get('loss');
      if (typeof epoch === 'number') result.epoch = epoch;
      if (typeof loss === 'number') result.loss = loss;
      const optimizer = checkpoint.get('optimizer_state_dict');
      if (optimizer instanceof Map && prefix === '')
        result.optimizerState = optimizerStateFromTorch(model, optimizer);
    }
    const centres = prefix === '' ? undefined : full.get('clustering_layer.weight');
    if (centres !== undefined)
      result.clusterCentres = {
        data: Float32Array.from(centres.data as ArrayLike<number>),
        shape: [...centres.shape],
      };
  } catch (error) {
    model.dispose();
    throw error;
  }
  return result;
}
