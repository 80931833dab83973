import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import { FileSystemError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'cellshape-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates parent folders, replaces content and leaves no temporary file', async () => {
    const path = join(dir, 'a', 'b', 'out.txt');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, new Uint8Array([104, 105]));
    expect(readFileSync(path, 'utf8')).toBe('hi');
    writeFileAtomicSync(path, 'sync');
    expect(readFileSync(path, 'utf8')).toBe('sync');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.txt']);
  });

  it('fails with a FileSystemError and cleans up when the target is a folder', async () => {
    await expect(writeFileAtomic(dir, 'x')).rejects.toBeInstanceOf(FileSystemError);
    expect(() => writeFileAtomicSync(dir, 'x')).toThrow(/writeFileAtomicSync/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a file whose name is near the 255-byte limit', async () => {
    // The temporary name held the whole name plus 18 characters: ENAMETOOLONG (escaping untyped
    // from the cleanup) for a name a plain write takes.
    const long = join(dir, `${'a'.repeat(245)}.csv`);
    await writeFileAtomic(long, 'async');
    expect(readFileSync(long, 'utf8')).toBe('async');
    writeFileAtomicSync(long, 'sync');
    expect(readFileSync(long, 'utf8')).toBe('sync');
    // A name past the limit fails as a FileSystemError.
    await expect(writeFileAtomic(join(dir, 'b'.repeat(300)), 'x')).rejects.toBeInstanceOf(
      FileSystemError,
    );
  });
});
