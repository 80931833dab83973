import {
  type AnyTypedArray,
  IncompatibleError,
  invalidArgument,
  type NdArray,
  shapeSize,
  withDefaults,
} from '@cellshape/core';
import type { Variable } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { StateArray, StateDict } from '../training/module.js';
import { type Parameter, parameterFromTorch, parameterToTorch } from './parameter.js';

/**
 * One key of a model's PyTorch `state_dict()`:
 * * `parameter`: a trainable {@link Parameter} (float32, PyTorch's shape in the state dict);
 * * `buffer`: a float32 variable held in PyTorch's layout (e.g. `running_mean`);
 * * `counter`: an int64 scalar (e.g. `num_batches_tracked`), read and written through `get` / `set`;
 * * `alias`: a second name of the entry `of` (PyTorch lists a module registered under two
 *   names under both): written with the same values, and either name loads it.
 */
export type StateEntry =
  | { readonly kind: 'parameter'; readonly key: string; readonly parameter: Parameter }
  | { readonly kind: 'buffer'; readonly key: string; readonly variable: Variable }
  | {
      readonly kind: 'counter';
      readonly key: string;
      get(): number;
      set(value: number): void;
    }
  | { readonly kind: 'alias'; readonly key: string; readonly of: string };

/** A state entry that holds a value (not an alias). */
type ValueEntry = Exclude<StateEntry, { kind: 'alias' }>;

/** `prefix.name`, or `name` for the empty prefix (the root module). */
export function stateKey(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/**
 * The entries of `entries` whose key starts with `prefix.` again under `aliasPrefix.` (e.g. a
 * batch norm `encoder.bn1` that is also `encoder.conv1.1`), as `alias` entries.
 */
export function aliasEntries(
  entries: readonly StateEntry[],
  prefix: string,
  aliasPrefix: string,
): StateEntry[] {
  return entries
    .filter((e) => e.key.startsWith(`${prefix}.`))
    .map((e) => ({ kind: 'alias', key: `${aliasPrefix}${e.key.slice(prefix.length)}`, of: e.key }));
}

/** Options of {@link ModuleState.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Refuse a state dict with missing or unexpected keys (PyTorch's `strict`). Default true. */
  strict?: boolean;
}

/** Defaults of {@link LoadStateDictOptions}. */
export const DEFAULT_LOAD_STATE_DICT_OPTIONS: Readonly<Required<LoadStateDictOptions>> =
  Object.freeze({ strict: true });

const FLOAT_ARRAYS = [Float32Array, Float64Array];

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function expectedShape(entry: ValueEntry): readonly number[] {
  switch (entry.kind) {
    case 'parameter':
      return entry.parameter.torchShape;
    case 'buffer':
      return entry.variable.shape;
    case 'counter':
      return [];
    default: {
      const never: never = entry;
      throw new Error(`unknown state entry ${String(never)}`);
    }
  }
}

/**
 * The PyTorch state of a model, declared once as its ordered {@link StateEntry} list, with
 * everything a {@link TrainableModule} needs from it: `namedParameters()`, `stateDict()`,
 * `loadStateDict()` (strict by default; messages name the missing and unexpected keys; dtype,
 * shape and finiteness checked for every entry before anything changes) and the conversion of
 * parameter-shaped arrays (e.g. optimizer moments) between PyTorch's layout and the variables'.
 *
 * ```ts
 * class Net {
 *   private readonly conv = new Conv3d(rng, { inChannels: 1, outChannels: 4, kernelSize: 3 });
 *   private readonly norm = new BatchNorm(4);
 *   private readonly state = new ModuleState('Net', [
 *     ...this.conv.stateEntries('encoder.0'),
 *     ...this.norm.stateEntries('encoder.1'),
 *   ]);
 *   stateDict() { return this.state.stateDict(); }          // keys and order as PyTorch's
 *   loadStateDict(s, o) { this.state.loadStateDict(s, o); }
 * }
 * ```
 */
export class ModuleState {
  private readonly entries: readonly StateEntry[];
  private readonly byKey: ReadonlyMap<string, ValueEntry>;

  /**
   * @param owner the model's name, which error messages start with (`Net.loadStateDict: …`).
   * @param entries in PyTorch `state_dict()` order; keys unique; an alias names an earlier
   *   non-alias entry.
   * @throws InvalidArgumentError for duplicate keys or an alias of an unknown key.
   */
  constructor(
    readonly owner: string,
    entries: readonly StateEntry[],
  ) {
    const fn = 'ModuleState';
    const byKey = new Map<string, ValueEntry>();
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.key)) throw invalidArgument(fn, 'entries', 'unique keys', entry.key);
      seen.add(entry.key);
      if (entry.kind !== 'alias') byKey.set(entry.key, entry);
      else if (!byKey.has(entry.of))
        throw invalidArgument(
          fn,
          'entries',
          `an alias of an earlier entry ('${entry.key}')`,
          entry.of,
        );
    }
    this.entries = [...entries];
    this.byKey = byKey;
  }

  /** The state-dict keys in order, aliases included. */
  keys(): string[] {
    return this.entries.map((e) => e.key);
  }

  /** Trainable variables in PyTorch `named_parameters()` order (each once: aliases skipped). */
  namedParameters(): Array<[name: string, variable: Variable]> {
    return this.entries.flatMap((e) =>
      e.kind === 'parameter' ? [[e.key, e.parameter.variable] as [string, Variable]] : [],
    );
  }

  /** The parameter named `name` (a `namedParameters()` name). */
  parameter(name: string): Parameter {
    return this.lookup(`${this.owner}.parameter`, name);
  }

  private lookup(fn: string, name: string): Parameter {
    const entry = this.byKey.get(name);
    if (entry?.kind !== 'parameter')
      throw invalidArgument(fn, 'name', 'the name of a parameter of this model', name);
    return entry.parameter;
  }

  /** PyTorch's shape of parameter `name` (the variable may hold another layout). */
  torchShape(name: string): number[] {
    return [...this.lookup(`${this.owner}.torchShape`, name).torchShape];
  }

  /** A parameter-shaped array in the variable's layout → PyTorch's layout (e.g. optimizer state). */
  parameterToTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    const fn = `${this.owner}.parameterToTorch`;
    return parameterToTorch(this.checkedParameter(fn, name, data), data);
  }

  /** An array in PyTorch's layout → the layout of parameter `name`'s variable. */
  parameterFromTorch(name: string, data: Float32Array): NdArray<Float32Array> {
    const fn = `${this.owner}.parameterFromTorch`;
    return parameterFromTorch(this.checkedParameter(fn, name, data), data);
  }

  private checkedParameter(fn: string, name: string, data: Float32Array): Parameter {
    const parameter = this.lookup(fn, name);
    const size = parameter.variable.size;
    if (!(data instanceof Float32Array) || data.length !== size)
      throw invalidArgument(fn, 'data', `a Float32Array of ${size} values`, data);
    return parameter;
  }

  /**
   * The state as plain arrays (copies) in PyTorch `state_dict()` order, keys and shapes:
   * parameters and buffers float32, counters 0-d int64 (`BigInt64Array`), aliases repeated.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const entry of this.entries) {
      const target = entry.kind === 'alias' ? (this.byKey.get(entry.of) as ValueEntry) : entry;
      out.set(entry.key, this.read(target));
    }
    return out;
  }

  private read(entry: ValueEntry): StateArray {
    switch (entry.kind) {
      case 'parameter':
        return parameterToTorch(
          entry.parameter,
          entry.parameter.variable.dataSync() as Float32Array,
        );
      case 'buffer':
        return {
          data: (entry.variable.dataSync() as Float32Array).slice(),
          shape: [...entry.variable.shape],
        };
      case 'counter':
        return { data: BigInt64Array.of(BigInt(entry.get())), shape: [] };
      default: {
        const never: never = entry;
        throw new Error(`unknown state entry ${String(never)}`);
      }
    }
  }

  /**
   * Loads a state dict in PyTorch's layout (from {@link ModuleState.stateDict}, a `.pt` or an
   * `.npz`). An entry with aliases may be given under any or all of its names; given twice,
   * the values must be equal. Parameters and buffers must be floating-point arrays of their
   * PyTorch shape with finite values, counters non-negative integers of an integer dtype.
   * Everything is checked before anything changes.
   *
   * @throws InvalidArgumentError when `state` is not a Map or object of arrays.
   * @throws IncompatibleError naming the keys: with `strict`, missing or unexpected keys; always,
   *   a wrong dtype or shape, non-finite values, or aliases given different values.
   */
  loadStateDict(
    state: StateDict | Record<string, StateArray>,
    options: LoadStateDictOptions = {},
  ): void {
    const fn = `${this.owner}.loadStateDict`;
    if (state === null || typeof state !== 'object')
      throw invalidArgument(fn, 'state', 'a Map or an object of arrays', state);
    const { strict } = withDefaults(fn, DEFAULT_LOAD_STATE_DICT_OPTIONS, options);
    if (typeof strict !== 'boolean')
      throw invalidArgument(fn, 'options.strict', 'a boolean', strict);
    const input = state instanceof Map ? state : new Map(Object.entries(state));
    const given = this.groupByEntry(input);
    if (strict) this.checkKeys(fn, input, given);
    const staged = [...given].map(([key, arrays]) =>
      this.stage(fn, this.byKey.get(key) as ValueEntry, arrays),
    );
    tf.tidy(() => {
      for (const apply of staged) apply();
    });
  }

  /** The given arrays per entry (keyed by the entry's own key, aliases resolved), in entry order. */
  private groupByEntry(input: Map<string, StateArray>): Map<string, [string, StateArray][]> {
    const given = new Map<string, [string, StateArray][]>();
    for (const entry of this.entries) {
      if (!input.has(entry.key)) continue;
      const key = entry.kind === 'alias' ? entry.of : entry.key;
      const list = given.get(key) ?? [];
      list.push([entry.key, input.get(entry.key) as StateArray]);
      given.set(key, list);
    }
    return given;
  }

  private checkKeys(
    fn: string,
    input: Map<string, StateArray>,
    given: Map<string, [string, StateArray][]>,
  ): void {
    const known = new Set(this.entries.map((e) => e.key));
    const unexpected = [...input.keys()].filter((key) => !known.has(key));
    const missing = [...this.byKey.keys()].filter((key) => !given.has(key));
    if (missing.length > 0 || unexpected.length > 0)
      throw new IncompatibleError(
        `${fn}: state dict does not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${unexpected.join(', ') || 'none'})`,
        { fn, arg: 'state' },
      );
  }

  /** Checks the arrays given for `entry` and returns the assignment to run once all passed. */
  private stage(fn: string, entry: ValueEntry, arrays: [string, StateArray][]): () => void {
    const values = arrays.map(([key, array]) => checkedValues(fn, key, array, entry));
    const data = values[0] as Float32Array | Float64Array;
    if (values.some((other) => other.some((v, i) => v !== data[i])))
      throw new IncompatibleError(
        `${fn}: ${arrays.map(([key]) => `'${key}'`).join(' and ')} name the same tensor but differ`,
        { fn, arg: arrays[1]?.[0] ?? entry.key },
      );
    switch (entry.kind) {
      case 'parameter': {
        const { variable } = entry.parameter;
        const converted = parameterFromTorch(entry.parameter, data as Float32Array);
        return () => variable.assign(tf.tensor(converted.data, variable.shape));
      }
      case 'buffer':
        return () => entry.variable.assign(tf.tensor(data as Float32Array, entry.variable.shape));
      case 'counter': {
        const count = data[0] as number;
        return () => entry.set(count);
      }
      default: {
        const never: never = entry;
        throw new Error(`unknown state entry ${String(never)}`);
      }
    }
  }

  /** Frees the variables of every parameter and buffer. */
  dispose(): void {
    for (const entry of this.byKey.values()) {
      if (entry.kind === 'parameter') entry.parameter.variable.dispose();
      else if (entry.kind === 'buffer') entry.variable.dispose();
    }
  }
}

/**
 * Validates one given array for `entry` (dtype, shape, values) and returns its values: float32
 * for parameters and buffers (as they are stored), exact for counters.
 */
function checkedValues(
  fn: string,
  key: string,
  array: StateArray,
  entry: ValueEntry,
): Float32Array | Float64Array {
  const fail = (what: string): never => {
    throw new IncompatibleError(`${fn}: '${key}' ${what}`, { fn, arg: key });
  };
  if (
    array === null ||
    typeof array !== 'object' ||
    !ArrayBuffer.isView(array.data) ||
    !Array.isArray(array.shape)
  )
    fail('is not an array ({ data, shape })');
  const shape = expectedShape(entry);
  if (!sameShape(array.shape, shape) || array.data.length !== shapeSize(shape))
    fail(`must have shape [${shape.join(', ')}], got [${array.shape.join(', ')}]`);
  const isFloat = FLOAT_ARRAYS.some((type) => array.data instanceof type);
  const dtype = array.data.constructor.name;
  if (entry.kind === 'counter') {
    if (isFloat) fail(`must be an integer array (int64), got ${dtype}`);
    const values = Float64Array.from(array.data as AnyTypedArray, Number);
    const count = values[0] as number;
    if (!Number.isSafeInteger(count) || count < 0) fail('must be a non-negative integer');
    return values;
  }
  if (!isFloat) fail(`must be a floating-point array (Float32Array or Float64Array), got ${dtype}`);
  const values = Float32Array.from(array.data as Float32Array | Float64Array);
  if (!values.every(Number.isFinite)) fail('has non-finite values');
  return values;
}

/** The state entries of a layer's `weight` and, when it has one, `bias`, under `prefix` (PyTorch's order). */
export function weightAndBiasEntries(
  prefix: string,
  weight: Parameter,
  bias: Parameter | undefined,
): StateEntry[] {
  const entries: StateEntry[] = [
    { kind: 'parameter', key: stateKey(prefix, 'weight'), parameter: weight },
  ];
  if (bias) entries.push({ kind: 'parameter', key: stateKey(prefix, 'bias'), parameter: bias });
  return entries;
}
