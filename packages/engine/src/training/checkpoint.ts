import { readFile, stat } from 'node:fs/promises';
import {
  type AnyTypedArray,
  checkInteger,
  checkNumber,
  checkObject,
  checkString,
  describe,
  encodeNpy,
  FileSystemError,
  FormatError,
  InvalidArgumentError,
  invalidArgument,
  isTypedArray,
  type NdArray,
  parseNpy,
  readZip,
  reattributeError,
  writeFileAtomic,
  type ZipLimits,
} from '@cellshape/core';
import { strFromU8, strToU8, zipSync } from 'fflate';
import type { LrScheduleRecord } from '../optim/lr-schedule.js';
import { checkStructureEntry } from '../torch/read-checkpoint.js';
import type { StateDict } from './module.js';

/**
 * Checkpoints of cellshape models: one zip file that Python reads with the standard library
 * and NumPy, no cellshape needed.
 *
 * Layout of the archive:
 * - `checkpoint.json`: `formatVersion`, `config` (the model's `config()`), `family` (its model family), `epoch` (epochs
 *   completed), `step` (optimizer steps completed), `loss`, `bestLoss`, `seed`, `lr`,
 *   `baseLr`, `lrSchedule` (the learning-rate schedule as plain data), `stateDictKeys` (state-dict order), `optimizer` and `extra` (JSON trees in which
 *   arrays appear as `{"$npy": "<entry name>"}`), `createdAt`.
 * - `model/<key>.npy`: one array per state-dict key (float32 parameters and buffers, int64
 *   `num_batches_tracked`), e.g. `model/encoder.conv1.0.weight.npy`.
 * - `optimizer/*.npy`, `extra/*.npy`: the arrays referenced from the JSON trees.
 *
 * Reading it in Python (a PyTorch `state_dict` in one line more):
 * ```python
 * import io, json, zipfile
 * import numpy as np
 * with zipfile.ZipFile("last.ckpt") as z:
 *     meta = json.loads(z.read("checkpoint.json"))
 *     state = {k: np.load(io.BytesIO(z.read(f"model/{k}.npy"))) for k in meta["stateDictKeys"]}
 * # import torch; model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
 * ```
 */

/** The checkpoint format version written by {@link encodeCheckpoint}. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** File name extension of cellshape checkpoints (the file is a zip archive). */
export const CHECKPOINT_EXTENSION = '.ckpt';

/** Everything a checkpoint holds; arrays anywhere in `optimizer` and `extra` are kept exactly. */
export interface Checkpoint {
  /** Format version of the file ({@link CHECKPOINT_FORMAT_VERSION} when written by this code). */
  formatVersion: number;
  /** The model's `config()`: enough to rebuild an identical, untrained model. */
  config: Record<string, unknown>;
  /**
   * The registered name of the model's family (`'cloud'`, …; the model's `family`), so that a
   * reader finds the code that rebuilds it from `config`. Absent in older checkpoints.
   */
  family?: string;
  /** The model's `stateDict()`, in order. */
  stateDict: StateDict;
  /** The optimizer's `stateDict()` (plain data and typed arrays / `NdArray`s), if saved. */
  optimizer?: unknown;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** Mean training loss of the last completed epoch (as logged). */
  loss: number;
  /** Lowest mean epoch loss so far. */
  bestLoss: number;
  /** The seed of the run (shuffling and resampling depend on it). */
  seed: number;
  /** Learning rate of the last optimizer step of the last completed epoch. */
  lr?: number;
  /** The run's base learning rate, from which its schedule computes every step's. */
  baseLr?: number;
  /** The run's learning-rate schedule (absent in checkpoints written before schedules). */
  lrSchedule?: LrScheduleRecord;
  /** State of callers' hooks (e.g. the IDEC target distribution), plain data and arrays. */
  extra?: unknown;
  /** ISO time at which the checkpoint was made. */
  createdAt?: string;
}

/** What a caller passes to {@link saveCheckpoint}; the format version is filled in. */
export type CheckpointInput = Omit<Checkpoint, 'formatVersion'> & { formatVersion?: number };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isNdArray(value: unknown): value is NdArray<AnyTypedArray> {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { data?: unknown; shape?: unknown };
  return isTypedArray(v.data) && Array.isArray(v.shape) && Object.keys(value).length === 2;
}

/** The keys of the tagged values of checkpoint.json: an object of one of them alone is one. */
const TAGS = new Set(['$number', '$bigint', '$npy', '$typed', '$map']);

/** Turns a tree of plain data and arrays into JSON, moving arrays to `.npy` zip entries. */
function encodeTree(
  value: unknown,
  prefix: string,
  files: Record<string, Uint8Array>,
  counter: { n: number },
): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : { $number: String(value) };
  }
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (isTypedArray(value) || isNdArray(value)) {
    const array = isTypedArray(value) ? { data: value, shape: [value.length] } : value;
    const name = `${prefix}/${counter.n++}.npy`;
    files[name] = encodeNpy(array);
    return isTypedArray(value) ? { $typed: name } : { $npy: name };
  }
  if (value instanceof Map) {
    return {
      $map: [...value.entries()].map(([k, v]) => [
        encodeTree(k, prefix, files, counter),
        encodeTree(v, prefix, files, counter),
      ]),
    };
  }
  if (Array.isArray(value)) return value.map((v) => encodeTree(v, prefix, files, counter));
  // Plain objects only: a Date, Set or class instance has no own enumerable data to write (a
  // Date or Set became `{}` without an error).
  const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    // An object of one tag key is how the format writes bigints, arrays and Maps: written as is,
    // `{ $bigint: '5' }` read back as 5n and `{ $npy: 'model/w.npy' }` made the file unreadable.
    const keys = Object.keys(value);
    if (keys.length === 1 && TAGS.has(keys[0]!))
      throw invalidArgument(
        'encodeCheckpoint',
        prefix,
        `plain data without objects whose only key is "${keys[0]}" (the format's tagged values)`,
        value,
      );
    const out: Record<string, Json> = {};
    // defineProperty: an own key "__proto__" (JSON.parse makes them) is written, not dropped.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: encodeTree(v, prefix, files, counter),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  throw invalidArgument(
    'encodeCheckpoint',
    prefix,
    'plain data (plain objects, arrays, numbers, strings, booleans), typed arrays and Maps',
    value,
  );
}

/** Deepest nesting of arrays and objects {@link decodeTree} follows (far beyond any optimizer state). */
const MAX_DEPTH = 1000;
/** Longest `$bigint` digit string (an int64 has at most 20 characters). */
const MAX_BIGINT_LENGTH = 1000;
const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/**
 * The entries of a checkpoint's archive, each handed out once: `encodeCheckpoint` names every
 * entry once, while a name repeated in checkpoint.json would decode (and copy) the same bytes
 * again and again (1,000 references to a 1 MB entry took 1.1 GB).
 */
class Entries {
  private readonly taken = new Set<string>();

  constructor(
    private readonly fn: string,
    private readonly files: Record<string, Uint8Array>,
  ) {}

  /** The entry `name` (undefined when absent), named at `path`; a second request throws. */
  take(name: string, path: string): Uint8Array | undefined {
    if (!Object.hasOwn(this.files, name)) return undefined;
    if (this.taken.has(name))
      throw new FormatError(
        `${this.fn}: checkpoint.json: '${path}' names the entry ${JSON.stringify(name)} a second time`,
        { fn: this.fn, arg: path },
      );
    this.taken.add(name);
    return this.files[name];
  }
}

/** The inverse of {@link encodeTree}; any tagged value `encodeTree` cannot have written is a `FormatError`. */
function decodeTree(value: Json, files: Entries, fn: string, path: string, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  const bad = (what: string): never => {
    throw new FormatError(`${fn}: checkpoint.json: '${path}' ${what}`, { fn, arg: path });
  };
  if (depth >= MAX_DEPTH) bad(`is nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value))
    return value.map((v, i) => decodeTree(v, files, fn, `${path}[${i}]`, depth + 1));
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const inner = value[key]!;
    switch (key) {
      case '$number':
        if (typeof inner !== 'string' || !Object.hasOwn(NON_FINITE, inner))
          bad(`holds {"$number": ${describe(inner)}}, not "NaN", "Infinity" or "-Infinity"`);
        return NON_FINITE[inner as string];
      case '$bigint':
        if (typeof inner !== 'string' || inner.length > MAX_BIGINT_LENGTH || !/^-?\d+$/.test(inner))
          bad(`holds {"$bigint": ${describe(inner)}}, not a string of decimal digits`);
        return BigInt(inner as string);
      case '$npy':
      case '$typed': {
        if (typeof inner !== 'string')
          bad(`holds {"${key}": ${describe(inner)}}, not an entry name`);
        const name = inner as string;
        const entry = files.take(name, path);
        if (!entry) {
          throw new FormatError(`${fn}: the checkpoint lacks the entry ${JSON.stringify(name)}`, {
            fn,
            arg: path,
          });
        }
        const array = entryArray(fn, name, entry);
        return key === '$npy' ? array : array.data;
      }
      case '$map': {
        if (
          !Array.isArray(inner) ||
          inner.some((pair) => !Array.isArray(pair) || pair.length !== 2)
        )
          bad('holds a "$map" that is not a list of [key, value] pairs');
        const pairs = inner as [Json, Json][];
        return new Map(
          pairs.map(([k, v], i) => [
            decodeTree(k, files, fn, `${path}.$map[${i}][0]`, depth + 1),
            decodeTree(v, files, fn, `${path}.$map[${i}][1]`, depth + 1),
          ]),
        );
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // defineProperty: a key "__proto__" stays an own property and never sets the prototype.
    Object.defineProperty(out, k, {
      value: decodeTree(v, files, fn, `${path}.${k}`, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The array of a `.npy` entry; a broken one is a `FormatError` of `fn` naming the entry. */
function entryArray(fn: string, name: string, entry: Uint8Array): NdArray<AnyTypedArray> {
  try {
    return parseNpy(entry);
  } catch (error) {
    throw new FormatError(
      `${fn}: the checkpoint's entry ${JSON.stringify(name)} is not a valid .npy array (${(error as Error).message})`,
      { fn, arg: name, cause: error },
    );
  }
}

/** Runs one of core's argument checks on a value read from checkpoint.json, as a `FormatError`. */
function checkField<T>(fn: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new FormatError(`${error.message} (in checkpoint.json)`, {
      fn,
      arg: error.arg,
      cause: error,
    });
  }
}

/** A loss: a number, infinite before any epoch ran, never NaN. */
function checkLossValue(fn: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw invalidArgument(fn, arg, 'a number (not NaN)', value);
  return value;
}

/** Encodes a checkpoint as the bytes of a zip archive (layout above). */
export function encodeCheckpoint(checkpoint: CheckpointInput): Uint8Array {
  const fn = 'encodeCheckpoint';
  if (checkpoint === null || typeof checkpoint !== 'object')
    throw invalidArgument(fn, 'checkpoint', 'an object', checkpoint);
  if (!(checkpoint.stateDict instanceof Map))
    throw invalidArgument(fn, 'checkpoint.stateDict', 'a Map of arrays', checkpoint.stateDict);
  checkObject(fn, 'checkpoint.config', checkpoint.config);
  checkInteger(fn, 'checkpoint.epoch', checkpoint.epoch, { min: 0 });
  checkInteger(fn, 'checkpoint.step', checkpoint.step, { min: 0 });
  checkLossValue(fn, 'checkpoint.loss', checkpoint.loss);
  checkLossValue(fn, 'checkpoint.bestLoss', checkpoint.bestLoss);
  checkNumber(fn, 'checkpoint.seed', checkpoint.seed);
  // The optional fields as decodeCheckpoint reads them back: a NaN lr was written as null and a
  // family of 5 was written, both then dropped without an error.
  for (const name of ['lr', 'baseLr'] as const)
    if (checkpoint[name] !== undefined) checkNumber(fn, `checkpoint.${name}`, checkpoint[name]);
  for (const name of ['family', 'createdAt'] as const)
    if (checkpoint[name] !== undefined) checkString(fn, `checkpoint.${name}`, checkpoint[name]);

  const files: Record<string, Uint8Array> = {};
  for (const [key, array] of checkpoint.stateDict) {
    if (!isNdArray(array))
      throw invalidArgument(fn, `checkpoint.stateDict[${key}]`, '{ data, shape }', array);
    files[`model/${key}.npy`] = encodeNpy(array);
  }
  const meta: Record<string, Json> = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    config: encodeTree(checkpoint.config, 'config', files, { n: 0 }),
    family: checkpoint.family ?? null,
    epoch: checkpoint.epoch,
    step: checkpoint.step,
    loss: encodeTree(checkpoint.loss, 'loss', files, { n: 0 }),
    bestLoss: encodeTree(checkpoint.bestLoss, 'bestLoss', files, { n: 0 }),
    seed: checkpoint.seed,
    lr: checkpoint.lr ?? null,
    baseLr: checkpoint.baseLr ?? null,
    lrSchedule: encodeTree(checkpoint.lrSchedule, 'lrSchedule', files, { n: 0 }),
    stateDictKeys: [...checkpoint.stateDict.keys()],
    optimizer: encodeTree(checkpoint.optimizer, 'optimizer', files, { n: 0 }),
    extra: encodeTree(checkpoint.extra, 'extra', files, { n: 0 }),
    createdAt: checkpoint.createdAt ?? new Date().toISOString(),
  };
  files['checkpoint.json'] = strToU8(JSON.stringify(meta, null, 1));
  // Stored, not deflated: weights barely compress and Python reads stored entries fastest.
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, bytes] of Object.entries(files)) entries[name] = [bytes, { level: 0 }];
  // A fixed entry time (the zip format's earliest, 1980-01-01, as torch.save writes): the same
  // checkpoint, `createdAt` included, gives the same bytes whatever the clock.
  return zipSync(entries, { mtime: new Date(1980, 0, 1) });
}

/**
 * Options of {@link decodeCheckpoint} and {@link loadCheckpoint}: the bounds of the zip archive,
 * `maxEntries` (default 100,000) and `maxBytes` (the most bytes its entries may inflate to
 * together, default 2³¹), as in core's `readZip`.
 */
export type DecodeCheckpointOptions = ZipLimits;

/**
 * Decodes the bytes of a checkpoint archive written by {@link encodeCheckpoint}.
 *
 * @throws FormatError for a corrupt archive or one past `options.maxEntries` /
 *   `options.maxBytes`, and for a `checkpoint.json` that `encodeCheckpoint` would not write.
 */
export function decodeCheckpoint(bytes: Uint8Array, options?: DecodeCheckpointOptions): Checkpoint {
  const fn = 'decodeCheckpoint';
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(fn, 'bytes', 'a Uint8Array', bytes);
  const files = readZip(bytes, fn, options);
  const { meta, version } = readMeta(fn, files, bytes);
  const keys = meta.stateDictKeys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
    throw new FormatError(`${fn}: checkpoint.json lacks the list 'stateDictKeys'`, { fn });
  }
  const entries = new Entries(fn, files);
  const stateDict: StateDict = new Map();
  for (const key of keys as string[]) {
    const entry = entries.take(`model/${key}.npy`, 'stateDictKeys');
    if (!entry)
      throw new FormatError(`${fn}: the checkpoint lacks the array model/${key}.npy`, { fn });
    stateDict.set(key, entryArray(fn, `model/${key}.npy`, entry));
  }
  const field = (name: string): unknown =>
    decodeTree(Object.hasOwn(meta, name) ? meta[name]! : null, entries, fn, name);
  const optional = (name: string): number | undefined => {
    const value = Object.hasOwn(meta, name) ? meta[name] : undefined;
    return typeof value === 'number' ? value : undefined;
  };
  const arg = (name: string): string => `checkpoint.${name}`;
  const checkpoint: Checkpoint = {
    formatVersion: version,
    config: checkField(fn, () =>
      checkObject<Record<string, unknown>>(fn, arg('config'), field('config')),
    ),
    stateDict,
    epoch: checkField(fn, () => checkInteger(fn, arg('epoch'), field('epoch'), { min: 0 })),
    step: checkField(fn, () => checkInteger(fn, arg('step'), field('step'), { min: 0 })),
    loss: checkField(fn, () => checkLossValue(fn, arg('loss'), field('loss'))),
    bestLoss: checkField(fn, () => checkLossValue(fn, arg('bestLoss'), field('bestLoss'))),
    seed: checkField(fn, () => checkNumber(fn, arg('seed'), field('seed'))),
  };
  const lr = optional('lr');
  const baseLr = optional('baseLr');
  if (lr !== undefined) checkpoint.lr = lr;
  if (baseLr !== undefined) checkpoint.baseLr = baseLr;
  const lrSchedule = field('lrSchedule');
  if (lrSchedule !== null) checkpoint.lrSchedule = lrSchedule as LrScheduleRecord;
  const optimizer = field('optimizer');
  if (optimizer !== null) checkpoint.optimizer = optimizer;
  const extra = field('extra');
  if (extra !== null) checkpoint.extra = extra;
  if (typeof meta.createdAt === 'string') checkpoint.createdAt = meta.createdAt;
  if (typeof meta.family === 'string') checkpoint.family = meta.family;
  return checkpoint;
}

/** The parsed `checkpoint.json` of an archive's entries, and its format version (checked). */
function readMeta(
  fn: string,
  files: Record<string, Uint8Array>,
  bytes: Uint8Array,
): { meta: Record<string, Json>; version: number } {
  const metaBytes = files['checkpoint.json'];
  if (!metaBytes) {
    throw new FormatError(`${fn}: not a cellshape checkpoint (no checkpoint.json in the zip)`, {
      fn,
      arg: 'bytes',
    });
  }
  checkStructureEntry(fn, 'checkpoint.json', metaBytes, bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(metaBytes));
  } catch (error) {
    throw new FormatError(`${fn}: checkpoint.json is not valid JSON`, { fn, cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FormatError(
      `${fn}: checkpoint.json is not a JSON object (it is ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed})`,
      { fn },
    );
  }
  const meta = parsed as Record<string, Json>;
  const version = meta.formatVersion;
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 1 ||
    version > CHECKPOINT_FORMAT_VERSION
  ) {
    throw new FormatError(
      `${fn}: checkpoint format version ${describe(version)} is not supported (this library reads up to ${CHECKPOINT_FORMAT_VERSION})`,
      { fn },
    );
  }
  return { meta, version };
}

/** Writes a checkpoint atomically (a crash mid-write leaves the previous file intact). */
export async function saveCheckpoint(path: string, checkpoint: CheckpointInput): Promise<void> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('saveCheckpoint', 'path', 'a non-empty string', path);
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

/** Reads a checkpoint from a file path or from the bytes of one (`options`: see {@link decodeCheckpoint}). */
export async function loadCheckpoint(
  source: string | Uint8Array,
  options?: DecodeCheckpointOptions,
): Promise<Checkpoint> {
  const fn = 'loadCheckpoint';
  if (source instanceof Uint8Array) {
    try {
      return decodeCheckpoint(source, options);
    } catch (error) {
      throw reattributeError(fn, error); // errors name the function the caller called
    }
  }
  if (typeof source !== 'string' || source.length === 0)
    throw invalidArgument(fn, 'source', 'a file path or a Uint8Array', source);
  let bytes: Uint8Array;
  try {
    // A FIFO would block the read until a writer comes, a device such as /dev/zero never end.
    if (!(await stat(source)).isFile()) throw new Error('not a regular file');
    bytes = await readFile(source);
  } catch (error) {
    throw new FileSystemError(`${fn}: could not read ${JSON.stringify(source)}`, {
      fn,
      arg: source,
      cause: error,
    });
  }
  try {
    return decodeCheckpoint(bytes, options);
  } catch (error) {
    if (error instanceof FormatError) {
      throw new FormatError(error.message.replace('decodeCheckpoint:', `${fn}: ${source}:`), {
        fn,
        arg: source,
        cause: error,
      });
    }
    // An unsupported archive (encryption, another compression) names this function too.
    throw reattributeError(fn, error);
  }
}
