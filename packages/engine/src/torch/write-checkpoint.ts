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
 * `data` array share one storage, as in PyTorch.
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
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(FN, 'options', 'an object', options);
  const stem = options.stem ?? DEFAULT_WRITE_TORCH_CHECKPOINT_OPTIONS.stem;
  if (typeof stem !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(stem))
    throw invalidArgument(FN, 'options.stem', 'a non-empty name of [A-Za-z0-9_.-]', stem);

  const out = new ByteWriter();
  const storages: [key: string, data: Uint8Array][] = [];
  const storageKeys = new Map<AnyTypedArray, string>();
  const active = new Set<unknown>();

  const writeInt = (v: number | bigint): void => {
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
  };
  const writeString = (s: string): void => {
    const bytes = out.utf8(s);
    out.byte(OP.BINUNICODE);
    out.uint32(bytes.length);
    out.bytes(bytes);
  };
  const writeGlobal = (module: string, name: string): void => {
    out.byte(OP.GLOBAL);
    out.ascii(`${module}\n${name}\n`);
  };
  const writeTuple = (items: readonly (() => void)[]): void => {
    if (items.length === 0) {
      out.byte(OP.EMPTY_TUPLE);
      return;
    }
    if (items.length > 3) out.byte(OP.MARK);
    for (const item of items) item();
    if (items.length > 3) out.byte(OP.TUPLE);
    else out.byte([OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]!);
  };

  const writeTensor = (array: NdArray<AnyTypedArray>, path: string): void => {
    const { data, shape } = array;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      shapeSize(shape) !== data.length
    ) {
      throw invalidArgument(
        FN,
        `${path}.shape`,
        `non-negative integers whose product is data.length (${data.length})`,
        shape,
      );
    }
    const dtype = dtypeOf(array, path);
    let key = storageKeys.get(data);
    if (key === undefined) {
      key = String(storages.length);
      const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      storages.push([key, dtype === 'bool' ? raw.map((b) => (b ? 1 : 0)) : raw]);
      storageKeys.set(data, key);
    }
    const strides = shape.map((_, d) => shapeSize(shape.slice(d + 1)));
    const storageKey = key;
    writeGlobal('torch._utils', '_rebuild_tensor_v2');
    out.byte(OP.MARK);
    out.byte(OP.MARK);
    writeString('storage');
    writeGlobal('torch', STORAGE_CLASS[dtype]);
    writeString(storageKey);
    writeString('cpu');
    writeInt(data.length);
    out.byte(OP.TUPLE, OP.BINPERSID);
    writeInt(0);
    writeTuple(shape.map((d) => () => writeInt(d)));
    writeTuple(strides.map((s) => () => writeInt(s)));
    out.byte(OP.NEWFALSE);
    writeGlobal('collections', 'OrderedDict');
    out.byte(OP.EMPTY_TUPLE, OP.REDUCE, OP.TUPLE, OP.REDUCE);
  };

  const writeEntries = (entries: Iterable<[TorchKey, unknown]>, path: string): void => {
    out.byte(OP.EMPTY_DICT);
    let open = 0;
    for (const [key, item] of entries) {
      if (item === undefined) continue;
      if (open === 0) out.byte(OP.MARK);
      writeValue(key, `${path}[${describe(key)}]`);
      writeValue(item, `${path}[${describe(key)}]`);
      // SETITEMS in batches of 1000 pairs, as Python's pickler does.
      if (++open === 1000) {
        out.byte(OP.SETITEMS);
        open = 0;
      }
    }
    if (open > 0) out.byte(OP.SETITEMS);
  };

  const writeNumber = (v: number): void => {
    if (Number.isSafeInteger(v)) writeInt(v);
    else {
      out.byte(OP.BINFLOAT);
      for (const b of new Uint8Array(new Float64Array([v]).buffer).reverse()) out.byte(b);
    }
  };

  const writeValue = (v: unknown, path: string): void => {
    if (v === null) out.byte(OP.NONE);
    else if (typeof v === 'boolean') out.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
    else if (typeof v === 'bigint') writeInt(v);
    else if (typeof v === 'number') writeNumber(v);
    else if (typeof v === 'string') writeString(v);
    else if (typeof v === 'object') writeContainer(v, path);
    else throw invalidArgument(FN, path, 'a tensor, dict, list, string, number, bool or null', v);
  };

  const writeContainer = (v: object, path: string): void => {
    if (active.has(v)) throw invalidArgument(FN, path, 'free of reference cycles');
    active.add(v);
    if (isNdArrayLike(v)) writeTensor(v, path);
    else if (v instanceof Map) {
      for (const key of v.keys()) {
        if (key !== null && !['string', 'number', 'bigint', 'boolean'].includes(typeof key))
          throw invalidArgument(
            FN,
            `${path} keys`,
            'strings, numbers, bigints, booleans or null',
            key,
          );
      }
      writeEntries(v.entries(), path);
    } else if (Array.isArray(v)) {
      out.byte(OP.EMPTY_LIST);
      if (v.length > 0) {
        out.byte(OP.MARK);
        for (let i = 0; i < v.length; i++) writeValue(v[i], `${path}[${i}]`);
        out.byte(OP.APPENDS);
      }
    } else if (ArrayBuffer.isView(v)) {
      throw invalidArgument(FN, path, 'an NdArray ({ data, shape }), not a bare typed array', v);
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      writeEntries(Object.entries(v), path);
    } else {
      throw invalidArgument(FN, path, 'a tensor, Map, plain object, array or scalar', v);
    }
    active.delete(v);
  };

  out.byte(OP.PROTO, 2);
  writeValue(value, 'value');
  out.byte(OP.STOP);

  const entries: [string, Uint8Array][] = [[`${stem}/data.pkl`, out.result()]];
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
