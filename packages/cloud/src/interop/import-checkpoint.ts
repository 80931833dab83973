import {
  checkBoolean,
  checkInteger,
  checkObject,
  FormatError,
  IncompatibleError,
  InvalidArgumentError,
  invalidArgument,
  isCellshapeError,
  type NdArray,
  reattributeError,
  UnsupportedError,
} from '@cellshape/core';
import {
  type AdamStateDict,
  readStateDictFile,
  type StateDict,
  type StateDictFile,
  subStateDict,
  torchTrainingState,
} from '@cellshape/engine';
import { CloudAutoEncoder, type CloudAutoEncoderOptions } from '../model/index.js';
import { inferCloudAutoEncoderOptions } from './infer-architecture.js';

/** Model options a state dict does not determine (the rest is inferred from it). */
export type ImportModelOptions = Omit<
  CloudAutoEncoderOptions,
  'encoderType' | 'decoderType' | 'numFeatures' | 'k'
>;

/** Options of {@link importTorchCheckpoint} and {@link readCloudCheckpoint}. */
export interface ImportTorchCheckpointOptions {
  /**
   * Neighbours per point in the EdgeConv graphs. Not stored in a state dict, so it cannot be
   * inferred: pass the `k` the model was trained with. Default: the file's stored config (a
   * `.pt` written by `exportTorchCheckpoint`), else 20 (cellshape-cloud's default).
   */
  k?: number;
  /**
   * Key prefix of the autoencoder's entries. Default: `'autoencoder.'` when the state dict has
   * such keys (an IDEC / DEC checkpoint, whose `clustering_layer.weight` is then returned as
   * `clusterCentres`), else `''`.
   */
  prefix?: string;
  /**
   * Decoder source points and seed (`shape`, `numSourcePoints`, `std`, `seed`), which a state
   * dict does not hold. Each one given wins; the others come from the file's stored config (a
   * `.pt` written by `exportTorchCheckpoint` holds the model's `config()`), else the defaults
   * (the 45×45 plane). Default `{}`.
   */
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

/** IDEC / DEC checkpoints hold the autoencoder under this prefix, beside the cluster centres. */
const IDEC_PREFIX = 'autoencoder.';

interface Parsed {
  file: StateDictFile;
  /** The autoencoder's part, prefix removed. */
  state: StateDict;
  prefix: string;
  /** What the file's stored config (`cellshape_config`) says beyond the state dict. */
  stored: { k?: number; model: ImportModelOptions };
}

/**
 * The options a config stored by `exportTorchCheckpoint` gives that the state dict cannot
 * (`k`, the decoder's source points); the architecture itself is still read from the state dict.
 */
function storedOptions(file: StateDictFile): Parsed['stored'] {
  const { config } = file;
  if (config === undefined) return { model: {} };
  const { encoderType, decoderType, numFeatures, k, ...model } = config as CloudAutoEncoderOptions;
  return { ...(typeof k === 'number' ? { k } : {}), model };
}

function validate(fn: string, source: unknown, options: ImportTorchCheckpointOptions): void {
  if (typeof source !== 'string' && !(source instanceof Uint8Array))
    throw invalidArgument(fn, 'source', 'a file path or a Uint8Array', source);
  const { k, prefix, model, strict } = checkObject<ImportTorchCheckpointOptions>(
    fn,
    'options',
    options,
  );
  if (k !== undefined) checkInteger(fn, 'options.k', k, { min: 1 });
  if (prefix !== undefined && typeof prefix !== 'string')
    throw invalidArgument(fn, 'options.prefix', 'a string', prefix);
  if (model !== undefined) checkObject(fn, 'options.model', model);
  if (strict !== undefined) checkBoolean(fn, 'options.strict', strict);
}

function parse(fn: string, source: string | Uint8Array, prefixOption: string | undefined): Parsed {
  let file: StateDictFile;
  try {
    file = readStateDictFile(source);
  } catch (error) {
    throw reattributeError(fn, error);
  }
  const keys = [...file.state.keys()];
  const prefix = prefixOption ?? (keys.some((k) => k.startsWith(IDEC_PREFIX)) ? IDEC_PREFIX : '');
  return { file, state: subStateDict(file.state, prefix, fn), prefix, stored: storedOptions(file) };
}

function build(
  fn: string,
  { state, stored }: Parsed,
  options: ImportTorchCheckpointOptions,
): CloudAutoEncoder {
  let inferred: ReturnType<typeof inferCloudAutoEncoderOptions>;
  try {
    inferred = inferCloudAutoEncoderOptions(state);
  } catch (error) {
    throw reattributeError(fn, error);
  }
  const model = construct(fn, stored, options, inferred);
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
 * The most decoder source points a file's stored config may ask for: 2^20 (a 12 MB grid;
 * FoldingNet uses 2,025). The model allocates them before any weight is checked, so a stored
 * `numSourcePoints` of 4e9 in a small file threw a `RangeError` and 5e7 took 6 s and 800 MB;
 * `options.model.numSourcePoints` may ask for more.
 */
const MAX_STORED_SOURCE_POINTS = 2 ** 20;

/**
 * The model the options describe. An argument the file's stored config gave (not overridden by
 * `options` or inferred from the weights) that the model refuses is a `FormatError` of the file;
 * any other refusal is reported as `fn`'s.
 */
function construct(
  fn: string,
  stored: Parsed['stored'],
  options: ImportTorchCheckpointOptions,
  inferred: ReturnType<typeof inferCloudAutoEncoderOptions>,
): CloudAutoEncoder {
  const given = { ...(options.model ?? {}), ...inferred };
  const fromFile = new Set(Object.keys(stored.model).filter((key) => !Object.hasOwn(given, key)));
  if (options.k === undefined && stored.k !== undefined) fromFile.add('k');
  const points = stored.model.numSourcePoints;
  if (
    fromFile.has('numSourcePoints') &&
    typeof points === 'number' &&
    points > MAX_STORED_SOURCE_POINTS
  )
    throw new FormatError(
      `${fn}: the model config stored in the file asks for ${points} decoder source points, more than ${MAX_STORED_SOURCE_POINTS} (pass options.model.numSourcePoints to read it)`,
      { fn, arg: 'source' },
    );
  try {
    return new CloudAutoEncoder({
      ...stored.model,
      ...given,
      k: options.k ?? stored.k ?? DEFAULT_IMPORT_TORCH_CHECKPOINT_OPTIONS.k,
    });
  } catch (error) {
    if (error instanceof InvalidArgumentError && error.arg !== undefined && fromFile.has(error.arg))
      throw new FormatError(
        `${fn}: the model config stored in the file is invalid (${error.message})`,
        { fn, arg: 'source', cause: error },
      );
    throw reattributeError(fn, error);
  }
}

/**
 * Builds a {@link CloudAutoEncoder} from a PyTorch checkpoint of cellshape-cloud (a `.pt`
 * written by `torch.save`: a bare `state_dict()`, a training checkpoint with
 * `model_state_dict`, or an IDEC checkpoint with `autoencoder.*` keys) or from an `.npz` of the
 * state dict. The encoder, decoder type and number of features are inferred from the keys and
 * shapes; `k` and the decoder's source points are not in a state dict: they come from the
 * options, else from the config a `.pt` of `exportTorchCheckpoint` stores (so a model exported
 * and imported again is the same model), else the defaults (see
 * {@link ImportTorchCheckpointOptions}). An `.npz` holds arrays only: pass them.
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
  validate(fn, source, options);
  return build(fn, parse(fn, source, options.prefix), options);
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
 * @throws IncompatibleError when the model or its optimizer state does not fit;
 *   UnsupportedError for an Adam state with `amsgrad=True` or several parameter groups
 *   (`importTorchCheckpoint` reads the weights alone).
 */
export function readCloudCheckpoint(
  source: string | Uint8Array,
  options: ImportTorchCheckpointOptions = {},
): CloudCheckpoint {
  const fn = 'readCloudCheckpoint';
  validate(fn, source, options);
  const parsed = parse(fn, source, options.prefix);
  const { file, prefix } = parsed;
  const model = build(fn, parsed, options);
  try {
    return { model, ...trainingState(fn, file, prefix, model) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * What a checkpoint holds besides the weights: epoch, loss, the Adam state (an IDEC
 * checkpoint's optimizer also covers the cluster centres: not the model's alone) and the
 * cluster centres. Their errors name `fn` (the lower functions named themselves): an
 * `IncompatibleError` for a state of another model, a `FormatError` for invalid values; every
 * value is checked finite as the float32 it becomes (1e300 became an Infinity moment).
 */
function trainingState(
  fn: string,
  file: StateDictFile,
  prefix: string,
  model: CloudAutoEncoder,
): Omit<CloudCheckpoint, 'model'> {
  const bad = (what: string, cause?: unknown) =>
    new FormatError(`${fn}: the ${what}`, { fn, arg: 'source', cause });
  let result: Omit<CloudCheckpoint, 'model'>;
  try {
    result = torchTrainingState(file.checkpoint, prefix === '' ? model : undefined);
  } catch (error) {
    if (!isCellshapeError(error)) throw error;
    const what = `optimizer state stored in the file (${error.message})`;
    if (error instanceof IncompatibleError)
      throw new IncompatibleError(`${fn}: the model does not fit the ${what}`, {
        fn,
        arg: 'source',
        cause: error,
      });
    // A valid optimizer state this library cannot resume (amsgrad, several parameter groups)
    // is not a corrupt file: it was reported as INVALID_FORMAT.
    if (error instanceof UnsupportedError)
      throw new UnsupportedError(
        `${fn}: the ${what} is not supported; importTorchCheckpoint reads the weights alone`,
        { fn, arg: 'source', cause: error },
      );
    throw bad(`${what} is invalid`, error);
  }
  for (const [key, entry] of Object.entries(result.optimizerState?.state ?? {}))
    if (!entry.exp_avg.data.every(Number.isFinite) || !entry.exp_avg_sq.data.every(Number.isFinite))
      throw bad(
        `optimizer state stored in the file has non-finite Adam moments (parameter ${key})`,
      );
  const centres = prefix === '' ? undefined : file.state.get('clustering_layer.weight');
  if (centres === undefined) return result;
  if (centres.data instanceof BigInt64Array || centres.data instanceof BigUint64Array)
    throw bad('clustering_layer.weight of the file holds 64-bit integers, not cluster centres');
  const data = Float32Array.from(centres.data as ArrayLike<number>);
  if (!data.every(Number.isFinite))
    throw bad(
      'clustering_layer.weight of the file holds values that are not finite float32 numbers',
    );
  return { ...result, clusterCentres: { data, shape: [...centres.shape] } };
}
