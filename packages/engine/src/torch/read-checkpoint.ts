import {
  type AnyTypedArray,
  checkInteger,
  DEFAULT_ZIP_LIMITS,
  FormatError,
  invalidArgument,
  readSourceBytes,
  readZip,
  UnsupportedError,
  type ZipLimits,
} from '@cellshape/core';
import { decodeStorage, gatherView, STORAGE_DTYPES } from './storage.js';
import { isTorchTensor, type TorchCheckpoint, type TorchDtype, type TorchTensor } from './types.js';
import { isKey, type UnpickleHooks, unpickle } from './unpickle.js';

const FN = 'readTorchCheckpoint';

/**
 * Options of {@link readTorchCheckpoint}. `maxEntries` (default 100,000) and `maxBytes` (the
 * most bytes the archive's entries may inflate to together, default 2³¹) bound the zip archive
 * as in core's `readZip` (`ZipLimits`).
 */
export interface ReadTorchCheckpointOptions extends ZipLimits {
  /**
   * The most elements the reader copies beyond what the archive's storages hold. A tensor view
   * with more elements than its storage (stride 0 as left by `expand`, or overlapping strides)
   * may have at most this many elements, and all tensors together at most this many plus twice
   * the elements of the storages they are cut from. Default 2^24 (16,777,216; 64 MB of
   * float32). A positive safe integer.
   */
  maxElements?: number;
}

/** Defaults of {@link ReadTorchCheckpointOptions}. */
export const DEFAULT_READ_TORCH_CHECKPOINT_OPTIONS: Readonly<Required<ReadTorchCheckpointOptions>> =
  {
    maxElements: 2 ** 24,
    ...DEFAULT_ZIP_LIMITS,
  };

/** The only globals a checkpoint may reference (nothing is ever called but these). */
const ALLOWED_GLOBALS = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...[...STORAGE_DTYPES.keys()].map((name) => `torch.${name}`),
];

/** A resolved global: what GLOBAL / STACK_GLOBAL put on the unpickler's stack. */
class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage loaded through a persistent id, before a tensor view is cut from it. */
class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: TorchDtype,
    readonly data: AnyTypedArray,
  ) {}
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0);
}

function sourceBytes(source: string | Uint8Array): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string')
    throw invalidArgument(FN, 'source', 'a file path or a Uint8Array', source);
  return readSourceBytes(FN, source).bytes;
}

/**
 * The most bytes a zip entry that is parsed into objects (a `data.pkl`, a `checkpoint.json`)
 * may inflate to: 64 KiB plus 16 times the whole archive. Parsing builds an object for every
 * few bytes (an empty dict of a pickle costs ~250 bytes of memory for 1 byte of pickle), so a
 * few KB deflated to megabytes of `}` would build gigabytes; the writers (`torch.save`,
 * `encodeCheckpoint`) store these entries uncompressed, never longer than the archive.
 */
export function checkStructureEntry(
  fn: string,
  name: string,
  entry: Uint8Array,
  archive: Uint8Array,
): void {
  const limit = 2 ** 16 + 16 * archive.length;
  if (entry.length > limit)
    throw new FormatError(
      `${fn}: the archive's ${name} inflates to ${entry.length} bytes, more than the ${limit} (64 KiB + 16 × the ${archive.length}-byte archive) an entry parsed into objects may hold (a zip bomb?)`,
      { fn, arg: name },
    );
}

function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The element budget of one read (see {@link ReadTorchCheckpointOptions.maxElements}). */
interface ElementBudget {
  readonly maxElements: number;
  /** Elements of the storages loaded so far. */
  storageElements: number;
  /** Elements of the tensors built so far. */
  tensorElements: number;
}

function rebuildTensor(args: unknown[], budget: ElementBudget): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef) || !Number.isSafeInteger(offset))
    throw new FormatError(`${FN}: _rebuild_tensor_v2 expects (storage, offset, ...)`, { fn: FN });
  if (!isIndexList(size) || !isIndexList(stride) || size.length !== stride.length) {
    throw new FormatError(
      `${FN}: _rebuild_tensor_v2 expects size and stride tuples of equal length`,
      { fn: FN },
    );
  }
  const data = gatherView(
    storage.data,
    offset as number,
    size,
    stride,
    FN,
    storage.key,
    budget.maxElements,
  );
  budget.tensorElements += data.length;
  const allowed = budget.maxElements + 2 * budget.storageElements;
  if (budget.tensorElements > allowed) {
    throw new FormatError(
      `${FN}: the tensors cut from storage ${JSON.stringify(storage.key)} and before it hold ${budget.tensorElements} elements, more than maxElements ${budget.maxElements} plus twice the ${budget.storageElements} elements of the storages read`,
      { fn: FN, arg: storage.key },
    );
  }
  return { data, shape: [...size], dtype: storage.dtype };
}

/**
 * The deepest nesting of lists, tuples and dicts a checkpoint may have (a state dict has 1 to
 * 4 levels): deeper results are refused, as code walking them recursively (equality, printing,
 * `structuredClone`) would overflow the stack.
 */
export const MAX_TORCH_CHECKPOINT_DEPTH = 1000;

/**
 * Rejects internal objects (a bare global or storage) in the result, lists and dicts that
 * contain themselves, and nesting deeper than {@link MAX_TORCH_CHECKPOINT_DEPTH}. Iterative (an
 * explicit stack), so hostile nesting cannot overflow the call stack; linear in the result,
 * as a list or dict shared by several parents is walked once (its height is remembered).
 */
function checkResult(root: unknown): void {
  interface Frame {
    readonly node: object;
    readonly children: Iterator<unknown>;
    /** 1 + the greatest height of the children walked so far. */
    height: number;
  }
  const heights = new Map<object, number>();
  const onPath = new Set<object>();
  const path: Frame[] = [];
  const tooDeep = (): FormatError =>
    new FormatError(
      `${FN}: lists, tuples and dicts are nested more than ${MAX_TORCH_CHECKPOINT_DEPTH} deep`,
      { fn: FN },
    );
  /** The height of a leaf or walked container, or undefined after pushing a new frame. */
  const enter = (value: unknown): number | undefined => {
    if (value instanceof PyGlobal || value instanceof StorageRef) {
      throw new UnsupportedError(
        `${FN}: the checkpoint holds a bare ${value instanceof PyGlobal ? value.qualifiedName : 'storage'}; only tensors, dicts, lists and scalars are supported`,
        { fn: FN },
      );
    }
    if (!(value instanceof Map) && !Array.isArray(value)) return 0;
    const done = heights.get(value);
    if (done !== undefined) return done;
    if (onPath.has(value)) {
      throw new FormatError(
        `${FN}: a ${value instanceof Map ? 'dict' : 'list'} of the checkpoint contains itself`,
        { fn: FN },
      );
    }
    if (path.length >= MAX_TORCH_CHECKPOINT_DEPTH) throw tooDeep();
    onPath.add(value);
    path.push({ node: value, children: value.values(), height: 1 });
    return undefined;
  };
  enter(root);
  while (path.length > 0) {
    const frame = path[path.length - 1]!;
    const next = frame.children.next();
    if (next.done) {
      path.pop();
      onPath.delete(frame.node);
      heights.set(frame.node, frame.height);
      const parent = path[path.length - 1];
      if (parent !== undefined) parent.height = Math.max(parent.height, frame.height + 1);
      continue;
    }
    const height = enter(next.value);
    if (height !== undefined) {
      if (path.length + height > MAX_TORCH_CHECKPOINT_DEPTH) throw tooDeep();
      frame.height = Math.max(frame.height, height + 1);
    }
  }
}

/**
 * Reads a PyTorch checkpoint written by `torch.save` (the zip format of torch ≥ 1.6) without
 * executing any of it: only `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
 * `torch._utils._rebuild_parameter` and the `torch.*Storage` classes may appear in the pickle;
 * anything else throws an `UnsupportedError` naming it.
 *
 * Returns what `torch.load(path, map_location="cpu")` returns, with dicts as `Map`s, tuples as
 * arrays and every tensor (or `nn.Parameter`) as a dense C-ordered {@link TorchTensor} copy
 * (storage offset and strides resolved, so shared storages and views become separate arrays).
 * Storages of float64/float32/float16/bfloat16/int64/int32/int16/int8/uint8/bool are read;
 * float16 and bfloat16 are widened to `Float32Array`. The archive's folder name (`<stem>/`)
 * can be anything. `OrderedDict` attributes (the `_metadata` of a `state_dict()`) are dropped.
 *
 * ```ts
 * const ckpt = readTorchCheckpoint('model.pt') as Map<string, TorchValue>;
 * const weights = extractStateDict(ckpt); // Map<string, NdArray>
 * ```
 *
 * Hostile files are refused with a `FormatError` before they cost more than their bytes
 * justify: a tensor view may repeat elements of its storage (stride 0) only up to
 * `options.maxElements` elements (see {@link ReadTorchCheckpointOptions}); lists, tuples and
 * dicts may nest at most 1000 deep and never contain themselves.
 *
 * @param source a file path or the bytes of the `.pt` file.
 * @param options `maxElements`, the bound on elements copied beyond the storages' own;
 *   `maxEntries` and `maxBytes`, the bounds of the zip archive (entries, inflated bytes).
 * @throws FormatError for a corrupt zip or one past `maxEntries` / `maxBytes`, a missing `data.pkl`, a truncated storage or pickle, a
 *   tensor view outside its storage or past the element budget, a list or dict containing
 *   itself, lists, tuples and dicts nested more than 1000 deep;
 *   UnsupportedError for the pre-1.6 format, big-endian storages or disallowed globals;
 *   FileSystemError when the path cannot be read.
 */
export function readTorchCheckpoint(
  source: string | Uint8Array,
  options: ReadTorchCheckpointOptions = {},
): TorchCheckpoint {
  const budget = elementBudget(options);
  const limits = { maxEntries: options.maxEntries, maxBytes: options.maxBytes };
  const { entries, pklName, prefix } = openArchive(sourceBytes(source), limits);
  const result = unpickle(entries[pklName]!, checkpointHooks(entries, prefix, budget), FN);
  checkResult(result);
  return result as TorchCheckpoint;
}

/** Validates `options` and starts the element budget of one read. */
function elementBudget(options: ReadTorchCheckpointOptions): ElementBudget {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument(FN, 'options', 'an object', options);
  return {
    maxElements: checkInteger(
      FN,
      'options.maxElements',
      options.maxElements ?? DEFAULT_READ_TORCH_CHECKPOINT_OPTIONS.maxElements,
      { min: 1, max: Number.MAX_SAFE_INTEGER },
    ),
    storageElements: 0,
    tensorElements: 0,
  };
}

/** The archive's entries, its `data.pkl` name and folder prefix; refuses non-torch-zip input. */
function openArchive(
  bytes: Uint8Array,
  limits: ZipLimits,
): {
  entries: Record<string, Uint8Array>;
  pklName: string;
  prefix: string;
} {
  if (!isZip(bytes)) {
    if (bytes[0] === 0x80 || bytes[0] === 0x8a) {
      throw new UnsupportedError(
        `${FN}: this is the legacy (pre-1.6) torch.save format; re-save it with torch.save(obj, path) in torch >= 1.6`,
        { fn: FN, arg: 'source' },
      );
    }
    throw new FormatError(`${FN}: not a PyTorch checkpoint (no zip archive)`, {
      fn: FN,
      arg: 'source',
    });
  }
  const entries = readZip(bytes, FN, limits);
  const pklName = Object.keys(entries).find((name) => /^(?:[^/]*\/)?data\.pkl$/.test(name));
  if (pklName === undefined) {
    throw new FormatError(`${FN}: the archive has no <stem>/data.pkl; is it a torch.save file?`, {
      fn: FN,
      arg: 'source',
    });
  }
  checkStructureEntry(FN, pklName, entries[pklName]!, bytes);
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const byteOrder = entries[`${prefix}byteorder`];
  // `little` or `big`: a long record is neither (decoded whole, hundreds of MB inflated from a
  // small file threw a plain Error, "Cannot create a string longer than …").
  if (byteOrder !== undefined && byteOrder.length > 64)
    throw new FormatError(
      `${FN}: the archive's ${prefix}byteorder record is ${byteOrder.length} bytes long, not "little" or "big"`,
      { fn: FN, arg: 'source' },
    );
  if (byteOrder !== undefined && new TextDecoder().decode(byteOrder).trim() !== 'little') {
    throw new UnsupportedError(`${FN}: big-endian storages are not supported`, { fn: FN });
  }
  return { entries, pklName, prefix };
}

/** The unpickler hooks of one checkpoint: the allow-list, the calls it permits, its storages. */
function checkpointHooks(
  entries: Record<string, Uint8Array>,
  prefix: string,
  budget: ElementBudget,
): UnpickleHooks {
  const storages = new Map<string, StorageRef>();
  return {
    resolveGlobal,
    reduce(callable, args) {
      return reduceAllowed(callable, args, budget);
    },
    persistentLoad(pid) {
      return loadStorage(pid, entries, prefix, storages, budget);
    },
    build(obj, state) {
      // OrderedDict attributes (state_dict()._metadata) carry nothing the arrays need.
      if (obj instanceof Map && state instanceof Map) return obj;
      throw new FormatError(`${FN}: BUILD on an object other than an OrderedDict`, { fn: FN });
    },
  };
}

/** GLOBAL / STACK_GLOBAL: a token for an allowed global; throws for any other. */
function resolveGlobal(module: string, name: string): PyGlobal {
  const qualified = `${module}.${name}`;
  if (!ALLOWED_GLOBALS.includes(qualified)) {
    throw new UnsupportedError(
      `${FN}: the checkpoint references ${qualified}, which is not allowed (allowed: collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.*Storage); nothing was executed`,
      { fn: FN, arg: qualified },
    );
  }
  return new PyGlobal(module, name);
}

/** REDUCE: the few calls a checkpoint may make (OrderedDict, tensor and parameter rebuilds). */
function reduceAllowed(callable: unknown, args: unknown[], budget: ElementBudget): unknown {
  const name = callable instanceof PyGlobal ? callable.qualifiedName : '';
  if (name === 'collections.OrderedDict') {
    if (args.length === 0) return new Map();
    const [pairs] = args;
    if (
      args.length === 1 &&
      Array.isArray(pairs) &&
      pairs.every((p) => Array.isArray(p) && p.length === 2)
    ) {
      // Keys as SETITEM(S) allows them: a list or dict key could hide a cycle.
      if (!pairs.every((p) => isKey((p as unknown[])[0]))) {
        throw new UnsupportedError(`${FN}: OrderedDict keys other than str, int, bool or None`, {
          fn: FN,
        });
      }
      return new Map(pairs as [unknown, unknown][]);
    }
  }
  if (name === 'torch._utils._rebuild_tensor_v2') return rebuildTensor(args, budget);
  if (name === 'torch._utils._rebuild_parameter' && isTorchTensor(args[0])) return args[0];
  throw new FormatError(`${FN}: unexpected call of ${name || 'a non-callable'} in the pickle`, {
    fn: FN,
  });
}

/** BINPERSID: the storage a persistent id names, decoded once per key and counted in the budget. */
function loadStorage(
  pid: unknown,
  entries: Record<string, Uint8Array>,
  prefix: string,
  storages: Map<string, StorageRef>,
  budget: ElementBudget,
): StorageRef {
  const [kind, type, key, , numel] = Array.isArray(pid) ? pid : [];
  if (
    kind !== 'storage' ||
    !(type instanceof PyGlobal) ||
    typeof key !== 'string' ||
    !Number.isSafeInteger(numel) ||
    (numel as number) < 0
  ) {
    throw new FormatError(
      `${FN}: unexpected persistent id (expected ('storage', type, key, location, numel))`,
      { fn: FN },
    );
  }
  const dtype = STORAGE_DTYPES.get(type.name);
  if (dtype === undefined)
    throw new FormatError(`${FN}: ${type.qualifiedName} is not a storage type`, { fn: FN });
  const cached = storages.get(key);
  if (cached !== undefined) return cached;
  const raw = entries[`${prefix}data/${key}`];
  if (raw === undefined) {
    throw new FormatError(`${FN}: storage ${prefix}data/${key} is missing from the archive`, {
      fn: FN,
      arg: key,
    });
  }
  const ref = new StorageRef(key, dtype, decodeStorage(raw, dtype, numel as number, FN, key));
  storages.set(key, ref);
  budget.storageElements += ref.data.length;
  return ref;
}
