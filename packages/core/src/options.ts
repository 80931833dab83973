import { invalidArgument } from './errors.js';

/**
 * The type of `withDefaults(fn, defaults, options)`: every key of either; a key with a default
 * is never `undefined`.
 */
export type WithDefaults<D, O> = {
  [K in keyof D | keyof O]-?: K extends keyof O
    ? K extends keyof D
      ? Exclude<O[K], undefined> | D[K]
      : O[K]
    : K extends keyof D
      ? D[K]
      : never;
};

/**
 * `defaults` overlaid with the keys of `options` whose value is not `undefined`: an explicit
 * `undefined` (an unset CLI flag, a spread of an optional field) never replaces a default.
 * `options` may be `undefined` (all defaults); anything else but a plain object is refused.
 *
 * ```ts
 * const o = withDefaults('kmeans', DEFAULT_KMEANS_OPTIONS, options); // one merge, validated once
 * ```
 *
 * @throws InvalidArgumentError when `options` is not an object.
 */
export function withDefaults<D extends object, O extends object>(
  fn: string,
  defaults: D,
  options: O | undefined,
): WithDefaults<D, O> {
  if (
    options !== undefined &&
    (options === null || typeof options !== 'object' || Array.isArray(options))
  )
    throw invalidArgument(fn, 'options', 'an object', options);
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  if (options !== undefined)
    for (const [key, value] of Object.entries(options))
      if (value !== undefined) merged[key] = value;
  return merged as never;
}

/** A copy of `options` without the keys whose value is `undefined`. */
export function definedEntries<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<O>;
}
