import { readFileSync, statSync } from 'node:fs';
import { FileSystemError, invalidArgument } from './errors.js';

/** The bytes of a reader's `source`, and how its messages name them. */
export interface SourceBytes {
  bytes: Uint8Array;
  /** The path in quotes (`"cells/a.tif"`), or `the given bytes`. */
  where: string;
}

/**
 * The bytes a reader `fn` was given as `source`: a file path (read whole), a `Uint8Array` (used
 * as is) or an `ArrayBuffer`. An empty path or any other value is an `InvalidArgumentError`, an
 * unreadable file a `FileSystemError`, each naming `fn`.
 */
export function readSourceBytes(fn: string, source: unknown): SourceBytes {
  if (typeof source === 'string') {
    if (source.length === 0) throw invalidArgument(fn, 'source', 'a non-empty path', source);
    const where = JSON.stringify(source);
    try {
      return { bytes: readRegularFile(source), where };
    } catch (error) {
      throw new FileSystemError(`${fn}: cannot read ${where} (${(error as Error).message})`, {
        fn,
        arg: source,
        cause: error,
      });
    }
  }
  if (source instanceof Uint8Array) return { bytes: source, where: 'the given bytes' };
  if (source instanceof ArrayBuffer)
    return { bytes: new Uint8Array(source), where: 'the given bytes' };
  throw invalidArgument(fn, 'source', 'a path, a Uint8Array or an ArrayBuffer', source);
}

/**
 * The bytes of the file at `path`, which must be a regular file: opening a FIFO blocks until a
 * writer comes (a reader given one hung for ever) and a device such as `/dev/zero` never ends.
 * A directory fails as `readFileSync` fails on it (EISDIR).
 */
function readRegularFile(path: string): Uint8Array {
  const stats = statSync(path);
  if (!stats.isFile() && !stats.isDirectory())
    throw new Error('not a regular file (a FIFO, socket or device)');
  return readFileSync(path);
}
