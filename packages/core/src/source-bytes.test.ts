import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemError, InvalidArgumentError } from './errors.js';
import { readSourceBytes } from './source-bytes.js';

describe('readSourceBytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellshape-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a path, takes a Uint8Array as is and wraps an ArrayBuffer', () => {
    const path = join(dir, 'a.bin');
    writeFileSync(path, Uint8Array.from([1, 2, 3]));
    const fromPath = readSourceBytes('readThing', path);
    expect(Array.from(fromPath.bytes)).toEqual([1, 2, 3]);
    expect(fromPath.where).toBe(JSON.stringify(path));
    const bytes = Uint8Array.from([4, 5]);
    expect(readSourceBytes('readThing', bytes)).toEqual({ bytes, where: 'the given bytes' });
    expect(Array.from(readSourceBytes('readThing', bytes.buffer).bytes)).toEqual([4, 5]);
  });

  it('refuses a FIFO or a device instead of blocking on it or reading for ever (issue 17)', () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero']) {
      expect(() => readSourceBytes('readThing', path)).toThrow(FileSystemError);
      expect(() => readSourceBytes('readThing', path)).toThrow(
        `readThing: cannot read ${JSON.stringify(path)} (not a regular file (a FIFO, socket or device))`,
      );
    }
  });

  it('names the reader in its errors', () => {
    expect(() => readSourceBytes('readThing', join(dir, 'missing.bin'))).toThrow(FileSystemError);
    expect(() => readSourceBytes('readThing', join(dir, 'missing.bin'))).toThrow(
      /^readThing: cannot read ".*missing.bin"/,
    );
    expect(() => readSourceBytes('readThing', '')).toThrow(InvalidArgumentError);
    expect(() => readSourceBytes('readThing', dir)).toThrow(/^readThing: cannot read .*EISDIR/);
    expect(() => readSourceBytes('readThing', 42)).toThrow(
      /readThing: 'source' must be a path, a Uint8Array or an ArrayBuffer/,
    );
  });
});
