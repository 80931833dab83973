/**
 * The tagged error family of cellshape. Every public function throws one of these, with a
 * message that names the function, the argument and what was expected, e.g.
 * `marchingCubes: 'volume' must be 3-D, got shape [64, 64]`.
 */

/** Machine-readable error codes; switch on `error.code`. */
export type CellshapeErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_FORMAT'
  | 'IO'
  | 'NOT_FITTED'
  | 'INCOMPATIBLE'
  | 'UNSUPPORTED';

export interface CellshapeErrorDetails {
  /** The public function that rejected its input, e.g. `'readVolume'`. */
  fn?: string;
  /** The argument (or file) at fault, e.g. `'volume'` or a path. */
  arg?: string;
  /** The underlying error, when one was caught and wrapped. */
  cause?: unknown;
}

/** The brand every cellshape error carries: `Symbol.for`, so it is the same symbol in every copy of core. */
const BRAND: unique symbol = Symbol.for('@cellshape/core/error') as never;

/**
 * The base of every cellshape error. Recognise one with {@link isCellshapeError}, which also
 * works when two copies of `@cellshape/core` are installed (`instanceof` then fails).
 */
export class CellshapeError extends Error {
  readonly [BRAND] = true;
  readonly code: CellshapeErrorCode;
  readonly fn: string | undefined;
  readonly arg: string | undefined;

  constructor(code: CellshapeErrorCode, message: string, details: CellshapeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.fn = details.fn;
    this.arg = details.arg;
  }
}

/**
 * Whether `error` is a cellshape error (of any installed copy of `@cellshape/core`), and, with
 * `code`, one with that code.
 *
 * ```ts
 * try { readVolume(path); } catch (e) { if (isCellshapeError(e, 'INVALID_FORMAT')) skip(path); else throw e; }
 * ```
 */
export function isCellshapeError(
  error: unknown,
  code?: CellshapeErrorCode,
): error is CellshapeError {
  if (error === null || typeof error !== 'object') return false;
  const branded = (error as { [BRAND]?: unknown })[BRAND] === true;
  return branded && (code === undefined || (error as { code?: unknown }).code === code);
}

/**
 * `error` told as an error of `fn`, for a public function whose work a lower reader did: a
 * cellshape error gets the same class and code, `fn`'s name in place of the lower function's at
 * the head of its message (`readStateDictFile: not a valid zip archive (…)`, not
 * `readTorchCheckpoint: …`), and the original as its `cause`; anything else comes back as it was.
 *
 * ```ts
 * try { return readTorchCheckpoint(bytes); } catch (e) { throw reattributeError('readStateDictFile', e); }
 * ```
 */
export function reattributeError(fn: string, error: unknown): unknown {
  if (!(error instanceof CellshapeError) || error.fn === fn) return error;
  const lower = error.fn === undefined ? '' : `${error.fn}: `;
  const text =
    lower !== '' && error.message.startsWith(lower)
      ? error.message.slice(lower.length)
      : error.message;
  const details: CellshapeErrorDetails = {
    fn,
    cause: error,
    ...(error.arg !== undefined && { arg: error.arg }),
  };
  if (error.constructor === CellshapeError)
    return new CellshapeError(error.code, `${fn}: ${text}`, details);
  const Kind = error.constructor as new (
    message: string,
    details: CellshapeErrorDetails,
  ) => CellshapeError;
  return new Kind(`${fn}: ${text}`, details);
}

/** An argument has the wrong type, shape, range or value. */
export class InvalidArgumentError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('INVALID_ARGUMENT', message, details);
  }
}

/** A file or byte buffer is corrupt, truncated or not of the expected format. */
export class FormatError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('INVALID_FORMAT', message, details);
  }
}

/** Reading or writing the file system failed. */
export class FileSystemError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('IO', message, details);
  }
}

/** An estimator was used before `fit()`. */
export class NotFittedError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('NOT_FITTED', message, details);
  }
}

/** Two things that must match do not (a checkpoint of another architecture, say). */
export class IncompatibleError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('INCOMPATIBLE', message, details);
  }
}

/** A valid input uses a feature this library does not support. */
export class UnsupportedError extends CellshapeError {
  constructor(message: string, details: CellshapeErrorDetails = {}) {
    super('UNSUPPORTED', message, details);
  }
}

/**
 * Formats a value for an error message: shapes as `[a, b]`, strings quoted, long arrays cut.
 * Arrays nested more than 3 deep show as `[...]`, so cyclic and deeply nested arrays give a
 * short message instead of overflowing the stack.
 */
export function describe(value: unknown): string {
  const at = (v: unknown, depth: number): string => {
    if (v === null) return 'null';
    if (v === undefined) return 'undefined';
    if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (depth >= 3) return '[...]';
      const head = v
        .slice(0, 8)
        .map((item) => at(item, depth + 1))
        .join(', ');
      return `[${head}${v.length > 8 ? ', ...' : ''}]`;
    }
    if (ArrayBuffer.isView(v))
      return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
    if (typeof v === 'function') return 'a function';
    return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  };
  return at(value, 0);
}

/** `fn: 'arg' must be <expected>, got <value>` as an {@link InvalidArgumentError}. */
export function invalidArgument(
  fn: string,
  arg: string,
  expected: string,
  ...got: [] | [unknown]
): InvalidArgumentError {
  const suffix = got.length > 0 ? `, got ${describe(got[0])}` : '';
  return new InvalidArgumentError(`${fn}: '${arg}' must be ${expected}${suffix}`, { fn, arg });
}
