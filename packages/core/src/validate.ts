import { invalidArgument } from './errors.js';

/**
 * The argument checks every package shares. Each returns the value, typed, or throws an
 * `InvalidArgumentError` that names the function, the argument and what was expected:
 * `kmeans: 'options.restarts' must be an integer ≥ 1, got 0`.
 */

/** Bounds of {@link checkInteger} and {@link checkNumber}, inclusive unless `exclusiveMin`. */
export interface NumberBounds {
  /** Smallest allowed value. Default: none. */
  min?: number;
  /** Largest allowed value. Default: none. */
  max?: number;
  /** `min` itself is not allowed (e.g. a learning rate > 0). Default false. */
  exclusiveMin?: boolean;
}

function range(bounds: NumberBounds, integer: boolean): string {
  const { min, max, exclusiveMin } = bounds;
  const kind = integer ? 'an integer' : 'a finite number';
  if (min !== undefined && max !== undefined)
    return exclusiveMin ? `${kind} in (${min}, ${max}]` : `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} ${exclusiveMin ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

function inBounds(value: number, { min, max, exclusiveMin }: NumberBounds): boolean {
  if (min !== undefined && (exclusiveMin ? value <= min : value < min)) return false;
  return max === undefined || value <= max;
}

/** An integer within `bounds`. */
export function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  bounds: NumberBounds = {},
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || !inBounds(value, bounds))
    throw invalidArgument(fn, arg, range(bounds, true), value);
  return value;
}

/** A finite number within `bounds`. */
export function checkNumber(
  fn: string,
  arg: string,
  value: unknown,
  bounds: NumberBounds = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inBounds(value, bounds))
    throw invalidArgument(fn, arg, range(bounds, false), value);
  return value;
}

/** A finite number > 0, or ≥ 0 with `allowZero`. */
export function checkPositive(fn: string, arg: string, value: unknown, allowZero = false): number {
  return checkNumber(fn, arg, value, { min: 0, exclusiveMin: !allowZero });
}

/** One of `choices` (strings or numbers), named in the message as `'a', 'b' or 'c'`. */
export function checkOneOf<const T extends string | number>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T)) throw invalidArgument(fn, arg, oneOf(choices), value);
  return value as T;
}

/** `'a', 'b' or 'c'`: how messages list a set of choices. */
export function oneOf(choices: readonly (string | number)[]): string {
  const quoted = choices.map((c) => (typeof c === 'string' ? `'${c}'` : String(c)));
  return quoted.length < 2
    ? (quoted[0] ?? 'nothing')
    : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** A boolean. */
export function checkBoolean(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(fn, arg, 'a boolean', value);
  return value;
}

/** A non-empty string. */
export function checkString(fn: string, arg: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidArgument(fn, arg, 'a non-empty string', value);
  return value;
}

/** A plain object (not null, not an array). */
export function checkObject<T extends object>(fn: string, arg: string, value: unknown): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument(fn, arg, 'an object', value);
  return value as T;
}
