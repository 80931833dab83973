import { extname } from 'node:path';
import { invalidArgument } from '@cellshape/core';

/** The format among `formats` that a path's extension names (case-insensitive), if any. */
export function formatFromExtension<F extends string>(
  path: string,
  formats: readonly F[],
): F | undefined {
  const ext = extname(path).slice(1).toLowerCase();
  return formats.includes(ext as F) ? (ext as F) : undefined;
}

/**
 * The format to write `path` in: `given`, else the one its extension names. Throws naming `fn`
 * when `path` is not a non-empty string or neither says a format.
 */
export function outputFormat<F extends string>(
  fn: string,
  path: unknown,
  given: F | undefined,
  formats: readonly F[],
): F {
  if (typeof path !== 'string' || path === '')
    throw invalidArgument(fn, 'path', 'a non-empty string', path);
  const format = given ?? formatFromExtension(path, formats);
  if (format === undefined) {
    const names = formats.map((f) => `.${f}`);
    throw invalidArgument(
      fn,
      'options.format',
      `given when the extension of ${JSON.stringify(path)} is not ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`,
    );
  }
  return format;
}
