import {
  type AnyTypedArray,
  describe,
  invalidArgument,
  type NdArray,
  shapeSize,
  UnsupportedError,
} from '@cellshape/core';
import { STORAGE_CLASS } from './storage.js';
import { isNdArrayLike, type TorchDtype, type TorchKey } from './types.js';
import { encodeStoredZip } from './zip-writer.js';

const FN = 'writeTorchCheckpoint';

/**
 * A value `writeTorchCheckpoint` can serialise: `null`/`undefined`-free JSON-like data
 * (`Map`s and plain objects become Python dicts, arrays become lists), `bigint`s, and tensors
 * as `NdArray`s (optionally with a `dtype`, e.g. `'bool'` for a `Uint8Array` mask).
 */
export type TorchWritable =
  | null
  | boolean
  | number
  | bigint
  | string
  | (NdArray<AnyTypedArray> & { dtype?: TorchDtype })
  | readonly TorchWritable[]
  | ReadonlyMap<TorchKey, TorchWritable>
  | { readonly [key: string]: TorchWritable | undefined };

/** Options of {@link writeTorchCheckpoint}. */
export interface WriteTorchCheckpointOptions {
  /** Folder name inside the zip (`torch.save` uses the file's stem). Default `'archive'`. */
  stem?: string;
}

/** Defaults of {@link WriteTorchCheckpointOptions}. */
export const DEFAULT_WRITE_TORCH_CHECKPOINT_OPTIONS: Readonly<
  Required<WriteTorchCheckpointOptions>
> = {
  stem: 'archive',
};

/** Growable byte buffer for the pickle stream. */
class ByteWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;
  private readonly encoder = new TextEncoder();

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
  byte(...values: number[]): void {
    this.reserve(values.length);
    for (const v of values) this.buffer[this.length++] = v;
  }
  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }
  uint32(value: number): void {
    this.reserve(4);
    new DataView(this.buffer.buffer).setUint32(this.length, value, true);
    this.length += 4;
  }
  ascii(text: string): void {
    this.bytes(this.encoder.encode(text));
  }
  utf8(text: string): Uint8Array {
    return this.encoder.encode(text);
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  SETITEMS: 0x75,
  APPENDS: 0x65,
  BINUNICODE: 0x58,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  BINFLOAT: 0x47,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  NONE: 0x4e,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  BINPERSID: 0x51,
} as const;

/** Two's-complement little-endian bytes of `value`, as short as Python's LONG1 uses. */
function longBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  for (;;) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
    const sign = out[out.length - 1]! & 0x80;
    if ((v === 0n && !sign) || (v === -1n && sign)) break;
  }
  return new Uint8Array(out);
}

function dtypeOf(array: NdArray<AnyTypedArray> & { dtype?: unknown }, path: string): TorchDtype {
  const { data, dtype } = array;
  const natural: TorchDtype | undefined =
    data instanceof Float64Array
      ? 'float64'
      : data instanceof Float32Array
        ? 'float32'
        : data instanceof BigInt64Array
          ? 'int64'
          : data instanceof Int32Array
            ? 'int32'
            : data instanceof Int16Array
              ? 'int16'
              : data instanceof Int8Array
                ? 'int8'
                : data instanceof Uint8Array || data instanceof Uint8ClampedArray
                  ? 'uint8'
                  : undefined;
  if (natural === undefined) {
    throw new UnsupportedError(
      `${FN}: tensor at ${path} is a ${data.constructor.name}; PyTorch has no such dtype (convert to Int32Array, BigInt64Array, Float32Array or Float64Array)`,
      { fn: FN, arg: path },
    );
  }
  if (dtype === undefined || dtype === natural) return natural;
  if (dtype === 'bool' && natural === 'uint8') return 'bool';
  // float16 / bfloat16 tensors were widened on read; they are written back as float32.
  if ((dtype === 'float16' || dtype === 'bfloat16') && natural === 'float32') return 'float32';
  throw invalidArgument(FN, `${path}.dtype`, `consistent with its ${data.constructor.name}`, dtype);
}

/**
 * Writes a `.pt` file that `torch.load` reads (zip format of torch ≥ 1.6, pickle protocol 2,
 * only `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and `torch.*Storage`
 * globals): state dicts, optimizer states, nested dicts, lists and scalars.
 *
 * Mapping: `Map` and plain objects → `dict` (keys in insertion order; object properties that
 * are `undefined` are skipped), arrays → `list`, integral safe numbers → `int`, other numbers →
 * `float` (so a loss of exactly 2 is written as `2`), `bigint` → `int`, `NdArray` → a
 * contiguous CPU tensor (dtype from the typed array; `dtype: 'bool'` on a `Uint8Array` gives
 * a bool tensor; float16/bfloat16 tensors are written as float32). Tensors sharing one
 * `data` array and dtype share one storage, as in PyTorch.
 *
 * ```python
 * ckpt = torch.load("model.pt")            # on the Python side
 * model.load_state_dict(ckpt["model_state_dict"])
 * ```
 *
 * @returns the bytes of the `.pt` file.
 */
export function writeTorchCheckpoint(
  value: TorchWritable,
  options: WriteTorchCheckpointOptions = {},
): Uint8Array {
  const stem = checkStem(options);
  const pickle = new PickleWriter();
  const program = pickle.program(value);
  return zipArchive(stem, program, pickle.storages);
}

/** Validates `options` and returns the archive's folder name. */
function checkStem(options: WriteTorchCheckpointOptions): string {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(FN, 'options', 'an object', options);
  const stem = options.stem ?? DEFAULT_WRITE_TORCH_CHECKPOINT_OPTIONS.stem;
  if (typeof stem !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(stem))
    throw invalidArgument(FN, 'options.stem', 'a non-empty name of [A-Za-z0-9_.-]', stem);
  return stem;
}

/** The `.pt` zip: `data.pkl`, the storages, `version` and `byteorder`, refused beyond zip32. */
function zipArchive(
  stem: string,
  program: Uint8Array,
  storages: readonly [key: string, data: Uint8Array][],
): Uint8Array {
  const entries: [string, Uint8Array][] = [[`${stem}/data.pkl`, program]];
  for (const [key, data] of storages) entries.push([`${stem}/data/${key}`, data]);
  entries.push([`${stem}/version`, new TextEncoder().encode('3\n')]);
  entries.push([`${stem}/byteorder`, new TextEncoder().encode('little')]);
  const total = entries.reduce((sum, [, data]) => sum + data.length + 200, 0);
  if (entries.length > 65535 || total >= 2 ** 32) {
    throw new UnsupportedError(
      `${FN}: checkpoints above 4 GiB or 65535 tensors need zip64, which is not supported`,
      { fn: FN },
    );
  }
  return encodeStoredZip(entries);
}

/** The pickle (protocol 2) of one checkpoint value, collecting the tensors' storages. */
class PickleWriter {
  private readonly out = new ByteWriter();
  /** The storages in order of first use, keyed `'0'`, `'1'`, … */
  readonly storages: [key: string, data: Uint8Array][] = [];
  /** Storage keys by data array and dtype (a `Uint8Array` written as uint8 and as bool is two storages). */
  private readonly storageKeys = new Map<AnyTypedArray, Map<TorchDtype, string>>();
  /** The containers being written (for the cycle check). */
  private readonly active = new Set<unknown>();

  /** PROTO 2, the value, STOP: the bytes of `data.pkl`. */
  program(value: unknown): Uint8Array {
    this.out.byte(OP.PROTO, 2);
    this.value(value, 'value');
    this.out.byte(OP.STOP);
    return this.out.result();
  }

  private int(v: number | bigint): void {
    const out = this.out;
    if (typeof v === 'number' && v >= 0 && v < 256) out.byte(OP.BININT1, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) out.byte(OP.BININT2, v & 0xff, v >> 8);
    else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      out.byte(OP.BININT);
      out.uint32(v >>> 0);
    } else {
      const bytes = longBytes(BigInt(v));
      out.byte(OP.LONG1, bytes.length);
      out.bytes(bytes);
    }
  }

  private string(s: string): void {
    const bytes = this.out.utf8(s);
    this.out.byte(OP.BINUNICODE);
    this.out.uint32(bytes.length);
    this.out.bytes(bytes);
  }

  private global(module: string, name: string): void {
    this.out.byte(OP.GLOBAL);
    this.out.ascii(`${module}\n${name}\n`);
  }

  private tuple(items: readonly (() => void)[]): void {
    if (items.length === 0) {
      this.out.byte(OP.EMPTY_TUPLE);
      return;
    }
    if (items.length > 3) this.out.byte(OP.MARK);
    for (const item of items) item();
    if (items.length > 3) this.out.byte(OP.TUPLE);
    else this.out.byte([OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]!);
  }

  private number(v: number): void {
    // -0 stays a float: as the int 0 its sign was lost.
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(v);
    else {
      this.out.byte(OP.BINFLOAT);
      for (const b of new Uint8Array(new Float64Array([v]).buffer).reverse()) this.out.byte(b);
    }
  }

  private value(v: unknown, path: string): void {
    const out = this.out;
    if (v === null) out.byte(OP.NONE);
    else if (typeof v === 'boolean') out.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
    else if (typeof v === 'bigint') this.int(v);
    else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'string') this.string(v);
    else if (typeof v === 'object') this.container(v, path);
    else throw invalidArgument(FN, path, 'a tensor, dict, list, string, number, bool or null', v);
  }

  private container(v: object, path: string): void {
    if (this.active.has(v)) throw invalidArgument(FN, path, 'free of reference cycles');
    this.active.add(v);
    if (isNdArrayLike(v)) this.tensor(v, path);
    else if (v instanceof Map) {
      checkMapKeys(v, path);
      this.entries(v.entries(), path);
    } else if (Array.isArray(v)) {
      this.list(v, path);
    } else if (ArrayBuffer.isView(v)) {
      throw invalidArgument(FN, path, 'an NdArray ({ data, shape }), not a bare typed array', v);
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      this.entries(Object.entries(v), path);
    } else {
      throw invalidArgument(FN, path, 'a tensor, Map, plain object, array or scalar', v);
    }
    this.active.delete(v);
  }

  private list(v: readonly unknown[], path: string): void {
    this.out.byte(OP.EMPTY_LIST);
    if (v.length > 0) {
      this.out.byte(OP.MARK);
      for (let i = 0; i < v.length; i++) this.value(v[i], `${path}[${i}]`);
      this.out.byte(OP.APPENDS);
    }
  }

  private entries(entries: Iterable<[TorchKey, unknown]>, path: string): void {
    this.out.byte(OP.EMPTY_DICT);
    let open = 0;
    for (const [key, item] of entries) {
      if (item === undefined) continue;
      if (open === 0) this.out.byte(OP.MARK);
      this.value(key, `${path}[${describe(key)}]`);
      this.value(item, `${path}[${describe(key)}]`);
      // SETITEMS in batches of 1000 pairs, as Python's pickler does.
      if (++open === 1000) {
        this.out.byte(OP.SETITEMS);
        open = 0;
      }
    }
    if (open > 0) this.out.byte(OP.SETITEMS);
  }

  private tensor(array: NdArray<AnyTypedArray>, path: string): void {
    const { data, shape } = array;
    checkShape(shape, data.length, path);
    const dtype = dtypeOf(array, path);
    const storageKey = this.storageKey(data, dtype);
    const strides = shape.map((_, d) => shapeSize(shape.slice(d + 1)));
    const out = this.out;
    this.global('torch._utils', '_rebuild_tensor_v2');
    out.byte(OP.MARK);
    out.byte(OP.MARK);
    this.string('storage');
    this.global('torch', STORAGE_CLASS[dtype]);
    this.string(storageKey);
    this.string('cpu');
    this.int(data.length);
    out.byte(OP.TUPLE, OP.BINPERSID);
    this.int(0);
    this.tuple(shape.map((d) => () => this.int(d)));
    this.tuple(strides.map((s) => () => this.int(s)));
    out.byte(OP.NEWFALSE);
    this.global('collections', 'OrderedDict');
    out.byte(OP.EMPTY_TUPLE, OP.REDUCE, OP.TUPLE, OP.REDUCE);
  }

  /** The storage key of `data`, copying its bytes as a new storage the first time it is seen. */
  private storageKey(data: AnyTypedArray, dtype: TorchDtype): string {
    // Keyed by dtype too: torch.load gives every tensor of a storage the dtype of its first
    // reference, so one array as a bool mask and as uint8 came back twice as the first.
    const byDtype = this.storageKeys.get(data) ?? new Map<TorchDtype, string>();
    this.storageKeys.set(data, byDtype);
    let key = byDtype.get(dtype);
    if (key === undefined) {
      key = String(this.storages.length);
      const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.storages.push([key, dtype === 'bool' ? raw.map((b) => (b ? 1 : 0)) : raw]);
      byDtype.set(dtype, key);
    }
    return key;
  }
}

/** A tensor's shape: non-negative safe integers whose product is the data's length. */
function checkShape(shape: unknown, length: number, path: string): void {
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    shapeSize(shape) !== length
  ) {
    throw invalidArgument(
      FN,
      `${path}.shape`,
      `non-negative integers whose product is data.length (${length})`,
      shape,
    );
  }
}

/** A key as Python's dict compares it: `True` is `1`, the float `2.0` and the int `2` are one key. */
function pythonKey(key: string | number | bigint | boolean | null): string {
  if (key === null) return 'None';
  if (typeof key === 'string') return `str:${key}`;
  if (typeof key === 'boolean') return key ? 'num:1' : 'num:0';
  return `num:${typeof key === 'number' && Number.isInteger(key) ? BigInt(key) : key}`;
}

/**
 * A dict's keys as Python allows them here (str, int, bool or None), no two of them one Python
 * key: a Map with keys `1` and `true` (or `1` and `1n`) became a dict holding only the last value.
 */
function checkMapKeys(v: ReadonlyMap<unknown, unknown>, path: string): void {
  const seen = new Map<string, unknown>();
  for (const key of v.keys()) {
    if (key !== null && !['string', 'number', 'bigint', 'boolean'].includes(typeof key))
      throw invalidArgument(FN, `${path} keys`, 'strings, numbers, bigints, booleans or null', key);
    const id = pythonKey(key as string | number | bigint | boolean | null);
    if (seen.has(id))
      throw invalidArgument(
        FN,
        `${path} keys`,
        `keys Python tells apart (${describe(seen.get(id))} and ${describe(key)} are one dict key)`,
        key,
      );
    seen.set(id, key);
  }
}
