import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemError, InvalidArgumentError } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { readVolume } from './read-volume.js';
import { writeVolume } from './write-volume.js';

const tmp = mkdtempSync(join(tmpdir(), 'cellshape-write-volume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const labels: Volume<Int32Array> = {
  data: Int32Array.from({ length: 24 }, (_, i) => (i % 5) * 70000),
  shape: [2, 3, 4],
  spacing: [2.18, 1, 1],
};

describe('writeVolume', () => {
  it('writes TIFF by extension, with spacing, into new folders, leaving no temporary file', async () => {
    const path = join(tmp, 'deep/er/labels.tiff');
    await writeVolume(path, labels, { compression: 'deflate', littleEndian: false });
    expect(readdirSync(join(tmp, 'deep/er'))).toEqual(['labels.tiff']);
    expect(String.fromCharCode(...readFileSync(path).subarray(0, 2))).toBe('MM');
    const back = readVolume(path);
    expect(back.data).toEqual(labels.data);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.spacing).toEqual([2.18, 1, 1]);
  });

  it('writes .npy (no spacing) and honours an explicit format', async () => {
    await writeVolume(join(tmp, 'labels.npy'), labels);
    const npy = readVolume(join(tmp, 'labels.npy'));
    expect(npy.data).toEqual(labels.data);
    expect(npy.shape).toEqual([2, 3, 4]);
    expect(npy.spacing).toBeUndefined();
    await writeVolume(join(tmp, 'labels.bin'), labels, { format: 'tiff' });
    expect(readVolume(join(tmp, 'labels.bin')).spacing).toEqual([2.18, 1, 1]);
  });

  it('replaces an existing file whole', async () => {
    const path = join(tmp, 'replace.tif');
    writeFileSync(path, 'old content');
    await writeVolume(path, labels);
    expect(readVolume(path).data).toEqual(labels.data);
  });
});

describe('writeVolume: invalid input', () => {
  it('rejects bad paths, volumes and options', async () => {
    await expect(writeVolume('', labels)).rejects.toThrow(
      /writeVolume: 'path' must be a non-empty string/,
    );
    await expect(writeVolume(join(tmp, 'x.png'), labels)).rejects.toThrow(
      /'path' must be a path ending in .tif, .tiff or .npy/,
    );
    await expect(
      writeVolume(join(tmp, 'x.tif'), { data: new Uint8Array(3), shape: [1, 2, 2] }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      writeVolume(join(tmp, 'x.tif'), labels, { format: 'png' as never }),
    ).rejects.toThrow(/'options.format' must be 'auto', 'tiff' or 'npy'/);
    await expect(
      writeVolume(join(tmp, 'x.tif'), labels, { compression: 'lzw' as never }),
    ).rejects.toThrow(/writeVolume: 'options.compression'/);
  });
  it('rejects with FileSystemError when the target cannot be written', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    await expect(writeVolume(join(file, 'inside.tif'), labels)).rejects.toThrow(FileSystemError);
    await expect(writeVolume(`${tmp}/`, labels, { format: 'tiff' })).rejects.toThrow(
      /writeVolume: could not write/,
    );
  });
});
