import { readFileSync, statSync } from 'node:fs';
import { FileSystemError, invalidArgument, UnsupportedError } from './errors.js';

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

/** Bytes a reader may always allocate for decoded pixels, whatever its input's size. */
export const EXPANSION_FLOOR_BYTES = 64 * 2 ** 20;
/** Bytes per byte of input beyond the floor: Deflate's largest ratio (1032:1). */
export const EXPANSION_PER_INPUT_BYTE = 1032;

/**
 * Checks, before a reader allocates them, the bytes of a conversion that expands decoded pixels
 * (bits → bytes, palette indices → colours, samples → Int32 labels): at most
 * {@link EXPANSION_FLOOR_BYTES} plus {@link EXPANSION_PER_INPUT_BYTE} per byte of the input.
 * The decoders already bound the decoded bytes by the compressed ones; the conversions multiply
 * them again (a 32 KB 1-bit palette PNG of 16384² pixels became 1 GB of RGBA, 1.4 GB of
 * memory). Readers apply it while their size limit (`option`, e.g. `'options.maxPixels'`) has
 * its default: a caller who sets the limit has said how large a file may be. Throws
 * `UnsupportedError` naming `fn`, `where` and `option` beyond it.
 */
export function checkExpansion(
  fn: string,
  where: string,
  allocated: number,
  inputBytes: number,
  what: string,
  option: string,
): void {
  const most = EXPANSION_FLOOR_BYTES + EXPANSION_PER_INPUT_BYTE * inputBytes;
  if (allocated > most)
    throw new UnsupportedError(
      `${fn}: ${where} would expand to ${allocated} bytes of ${what} from ${inputBytes} bytes, more than 64 MiB plus ${EXPANSION_PER_INPUT_BYTE} per byte of the file (a decompression bomb, or an almost empty image compressed beyond that); setting ${option} lifts this bound`,
      { fn, arg: where },
    );
}
