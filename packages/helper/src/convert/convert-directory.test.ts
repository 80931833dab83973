import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, encodeNpy, InvalidArgumentError, type ProgressEvent } from '@cellshape/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMesh } from '../mesh/index.js';
import { readPointCloud } from '../points/index.js';
import { syntheticCell, syntheticLabelImage } from '../synthetic/index.js';
import { encodeTiff } from '../volume/index.js';
import { type ConvertFileResult, convertDirectory } from './convert-directory.js';
import { MANIFEST_COLUMNS } from './manifest.js';

const SHARED =
  process.env.CELLSHAPE_SHARED ??
  join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared');
const MASKS = join(SHARED, 'data', 'masks3d');
const HAVE_MASKS = existsSync(join(MASKS, 'qcanet_16cell_nuclei_binary.tif'));
if (!HAVE_MASKS) console.warn(`SKIPPED: convertDirectory on real masks needs ${MASKS}`);

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

/** Two balls of radius 3, far apart, in a 0/1 uint8 volume [16, 16, 32]. */
function twoBalls(): Uint8Array {
  const data = new Uint8Array(16 * 16 * 32);
  for (let z = 0; z < 16; z++)
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 32; x++)
        for (const cx of [8, 24])
          if ((x - cx) ** 2 + (y - 8) ** 2 + (z - 8) ** 2 <= 9) data[(z * 16 + y) * 32 + x] = 1;
  return data;
}

describe('convertDirectory', () => {
  let root: string;
  let input: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cellshape-convert-'));
    input = join(root, 'in');
    mkdirSync(join(input, 'a', 'b'), { recursive: true });
    const cell = syntheticCell('round', { size: 24, seed: 1 });
    const cell255 = {
      ...cell,
      data: cell.data.map((v) => v * 255),
      spacing: [2, 1, 1] as [number, number, number],
    };
    writeFileSync(join(input, 'a', 'round.tif'), encodeTiff(cell255));
    writeFileSync(
      join(input, 'a', 'b', 'pair.npy'),
      encodeNpy({ data: twoBalls(), shape: [16, 16, 32] }),
    );
    const { labels } = syntheticLabelImage({ count: 1, size: 24, seed: 2 });
    writeFileSync(join(input, 'labels.tiff'), encodeTiff(labels));
    const garbage = new Uint8Array(300).map((_, i) => (i * 37) % 251);
    garbage.set([0x49, 0x49, 42, 0]);
    writeFileSync(join(input, 'a', 'corrupt.tif'), garbage);
    writeFileSync(
      join(input, 'empty.tif'),
      encodeTiff({ data: new Uint8Array(512), shape: [8, 8, 8] }),
    );
    const flat = new Uint8Array(256).map((_, i) =>
      ((i % 16) - 8) ** 2 + (Math.floor(i / 16) - 8) ** 2 < 20 ? 1 : 0,
    );
    writeFileSync(join(input, 'flat.tif'), encodeTiff({ data: flat, shape: [1, 16, 16] }));
    writeFileSync(join(input, 'a', 'notes.txt'), 'not an image');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const statusOf = (files: ConvertFileResult[], name: string) =>
    files.find((f) => relative(input, f.input).split('\\').join('/') === name);

  it('converts every object, reports bad files and mirrors the input tree', async () => {
    const out = join(root, 'out-2');
    const events: ProgressEvent[] = [];
    const result = await convertDirectory(input, out, {
      workers: 2,
      onProgress: (e) => events.push(e),
    });
    expect(result.files.map((f) => relative(input, f.input).split('\\').join('/'))).toEqual([
      'a/b/pair.npy',
      'a/corrupt.tif',
      'a/round.tif',
      'empty.tif',
      'flat.tif',
      'labels.tiff',
    ]);
    expect([result.converted, result.skipped, result.failed]).toEqual([3, 0, 3]);
    expect(statusOf(result.files, 'a/b/pair.npy')).toMatchObject({
      status: 'converted',
      objects: 2,
    });
    expect(statusOf(result.files, 'a/round.tif')).toMatchObject({
      status: 'converted',
      objects: 1,
    });
    expect(statusOf(result.files, 'labels.tiff')).toMatchObject({
      status: 'converted',
      objects: 5,
    });
    expect(statusOf(result.files, 'a/corrupt.tif')).toMatchObject({ status: 'failed', objects: 0 });
    expect(statusOf(result.files, 'empty.tif')).toMatchObject({
      status: 'failed',
      error: 'empty mask: no non-zero voxels',
    });
    expect(statusOf(result.files, 'flat.tif')).toMatchObject({ status: 'failed' });
    expect(statusOf(result.files, 'flat.tif')?.error).toMatch(/^not 3-D/);
    expect(statusOf(result.files, 'a/corrupt.tif')?.error).toMatch(/^corrupt or unsupported file/);

    const files = tree(out);
    expect(files.filter((f) => f.startsWith('meshes/'))).toEqual([
      'meshes/a/b/pair_1.off',
      'meshes/a/b/pair_2.off',
      'meshes/a/round_1.off',
      'meshes/labels_1.off',
      'meshes/labels_2.off',
      'meshes/labels_3.off',
      'meshes/labels_4.off',
      'meshes/labels_5.off',
    ]);
    expect(files.filter((f) => f.startsWith('points/'))).toEqual(
      files
        .filter((f) => f.startsWith('meshes/'))
        .map((f) => f.replace(/^meshes/, 'points').replace(/off$/, 'ply')),
    );
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    for (const f of files.filter((p) => p.startsWith('points/'))) {
      const cloud = readPointCloud(join(out, f));
      expect(cloud.shape).toEqual([2048, 3]);
    }
    // Meshes stay in the input's frame, in physical units: the spacing [2, 1, 1] of round.tif
    // doubles z; the second ball of pair.npy sits around x = 24.
    const round = readMesh(join(out, 'meshes/a/round_1.off'));
    const zs = round.positions.filter((_, i) => i % 3 === 2);
    expect(Math.max(...zs)).toBeGreaterThan(24);
    const ball = readMesh(join(out, 'meshes/a/b/pair_2.off'));
    const xs = ball.positions.filter((_, i) => i % 3 === 0);
    expect(Math.min(...xs)).toBeGreaterThan(20);
    expect(Math.max(...xs)).toBeLessThan(28);

    const manifest = readFileSync(result.manifest, 'utf8').trim().split('\n');
    expect(manifest[0]).toBe(MANIFEST_COLUMNS.join(','));
    expect(manifest).toHaveLength(1 + 8);
    expect(manifest[1]).toMatch(/^a\/b\/pair_1,a\/b\/pair\.npy,1,123,8,8,8,/);

    expect(
      readFileSync(result.failures, 'utf8')
        .split('\n')
        .map((l) => l.split(',')[0]),
    ).toEqual(['source', 'a/corrupt.tif', 'empty.tif', 'flat.tif', '']);
    expect(readFileSync(result.failures, 'utf8')).toContain(
      'empty.tif,empty mask: no non-zero voxels\n',
    );
    expect(result.objects).toBe(8);
    // Throughput and time left ride along with every converted file, down to 0 s at the end.
    expect(events.every((e) => (e.metrics?.objectsPerSecond ?? -1) >= 0)).toBe(true);
    expect(events.at(-1)?.metrics?.etaSeconds).toBe(0);
    expect(events.at(-1)?.message).toMatch(/ETA 0s$/);
    expect(events).toHaveLength(6);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.phase === 'convert' && e.total === 6)).toBe(true);
  });

  it('writes byte-identical outputs with 2 workers and in the main thread', async () => {
    const a = join(root, 'out-2');
    const b = join(root, 'out-0');
    await convertDirectory(input, b, { workers: 0 });
    const files = tree(a).filter((f) => !f.startsWith('records/'));
    expect(tree(b).filter((f) => !f.startsWith('records/'))).toEqual(files);
    expect(files).toContain('meshes/labels_1.off');
    for (const f of files) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    }
    const c = join(root, 'out-other-seed');
    await convertDirectory(input, c, { workers: 0, meshFormat: 'ply', seed: 8 });
    expect(tree(c)).toContain('meshes/labels_1.ply');
    const points = 'points/labels_1.ply';
    expect(readFileSync(join(c, points)).equals(readFileSync(join(a, points)))).toBe(false);
  });

  it('resumes: finished files are skipped, unfinished ones (leftover temp file) redone', async () => {
    const out = join(root, 'out-2');
    const outputs = tree(out).filter((f) => /^(meshes|points|records)\//.test(f));
    const before = outputs.map((f) => statSync(join(out, f)).mtimeMs);
    const again = await convertDirectory(input, out, { workers: 0 });
    expect([again.converted, again.skipped, again.failed]).toEqual([0, 3, 3]);
    expect(statusOf(again.files, 'labels.tiff')).toMatchObject({ status: 'skipped', objects: 5 });
    expect(outputs.map((f) => statSync(join(out, f)).mtimeMs)).toEqual(before);

    // Interrupted conversion of labels.tiff: record gone, a half-written temp file left over.
    rmSync(join(out, 'records', 'labels.tiff.json'));
    writeFileSync(join(out, 'points', '.labels_3.ply.1a2b3c.tmp'), 'partial');
    const resumed = await convertDirectory(input, out, { workers: 0 });
    expect(statusOf(resumed.files, 'labels.tiff')).toMatchObject({
      status: 'converted',
      objects: 5,
    });
    expect([resumed.converted, resumed.skipped]).toEqual([1, 2]);

    // A missing output also makes a file unfinished; changed settings redo everything.
    rmSync(join(out, 'meshes', 'a', 'round_1.off'));
    const third = await convertDirectory(input, out, { workers: 0 });
    expect(statusOf(third.files, 'a/round.tif')!.status).toBe('converted');
    const changed = await convertDirectory(input, out, { workers: 0, numPoints: 64 });
    expect(changed.converted).toBe(3);
    expect(readPointCloud(join(out, 'points', 'labels_1.ply')).shape).toEqual([64, 3]);
  });

  it("splits objects as asked: 'whole', 'labels', minSize", async () => {
    const out = join(root, 'out-whole');
    const whole = await convertDirectory(input, out, {
      workers: 0,
      objects: 'whole',
      numPoints: 16,
    });
    expect(statusOf(whole.files, 'labels.tiff')).toMatchObject({ status: 'converted', objects: 1 });
    expect(existsSync(join(out, 'points', 'labels.ply'))).toBe(true);
    const small = await convertDirectory(input, join(root, 'out-min'), {
      workers: 0,
      numPoints: 16,
      minSize: 200,
    });
    expect(statusOf(small.files, 'a/b/pair.npy')).toMatchObject({ status: 'failed' });
    expect(statusOf(small.files, 'a/b/pair.npy')?.error).toMatch(/no objects left/);
  });

  it("refuses an intensity image under objects 'auto', says why, and converts the rest", async () => {
    const dir = join(root, 'intensity-in');
    mkdirSync(dir);
    // Grey levels 1…40 at random: neighbouring voxels rarely agree (≈ 2.5 %).
    const rng = createRng(3);
    const grey = Uint16Array.from({ length: 10 * 10 * 10 }, () => 1 + Math.floor(rng.next() * 40));
    writeFileSync(join(dir, 'raw.npy'), encodeNpy({ data: grey, shape: [10, 10, 10] }));
    writeFileSync(join(dir, 'pair.npy'), encodeNpy({ data: twoBalls(), shape: [16, 16, 32] }));
    const auto = await convertDirectory(dir, join(root, 'intensity-auto'), {
      workers: 0,
      numPoints: 8,
    });
    const raw = auto.files.find((f) => f.input.endsWith('raw.npy'));
    expect(raw).toMatchObject({ status: 'failed' });
    expect(raw?.error).toMatch(
      /^looks like an intensity image, not a mask or label image: only \d+\.\d % of neighbouring non-zero voxels hold the same value .*--objects labels/,
    );
    expect(auto.files.find((f) => f.input.endsWith('pair.npy'))).toMatchObject({
      status: 'converted',
      objects: 2,
    });
    // Asked for explicitly, each grey level is an object.
    const labels = await convertDirectory(dir, join(root, 'intensity-labels'), {
      workers: 0,
      numPoints: 8,
      objects: 'labels',
    });
    expect(labels.files.find((f) => f.input.endsWith('raw.npy'))).toMatchObject({
      status: 'converted',
      objects: 40,
    });
  });

  it('fails a file whose outputs would collide with another (x.tif and x.npy)', async () => {
    const dir = join(root, 'clash-in');
    mkdirSync(dir);
    const cell = syntheticCell('round', { size: 16, seed: 3 });
    writeFileSync(join(dir, 'x.tif'), encodeTiff(cell));
    writeFileSync(join(dir, 'x.npy'), encodeNpy({ data: cell.data, shape: cell.shape }));
    const result = await convertDirectory(dir, join(root, 'clash-out'), {
      workers: 0,
      numPoints: 8,
    });
    expect(result.files.map((f) => f.status)).toEqual(['converted', 'failed']);
    expect(result.files[1]!.error).toMatch(/would overwrite those of x\.npy/);
  });

  it('converts a single mask file as the only input of its folder, and resumes it', async () => {
    const dir = join(root, 'single-in');
    mkdirSync(dir);
    const cell = syntheticCell('round', { size: 16, seed: 3 });
    writeFileSync(join(dir, 'one.tif'), encodeTiff(cell));
    writeFileSync(join(dir, 'other.tif'), encodeTiff(cell));
    const out = join(root, 'single-out');
    const result = await convertDirectory(join(dir, 'one.tif'), out, { workers: 0, numPoints: 8 });
    expect(result.files.map((f) => [f.input, f.status])).toEqual([
      [join(dir, 'one.tif'), 'converted'],
    ]);
    expect(tree(join(out, 'points'))).toEqual(['one_1.ply']);
    expect(readPointCloud(join(out, 'points', 'one_1.ply')).shape).toEqual([8, 3]);
    const again = await convertDirectory(join(dir, 'one.tif'), out, { workers: 0, numPoints: 8 });
    expect(again.skipped).toBe(1);
  });

  it('reports a link to itself and walks a link to a parent folder once (issue 17 second review)', async () => {
    // Both ended the whole batch with ELOOP before any file was converted.
    const dir = join(root, 'links-in');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const cell = syntheticCell('round', { size: 16, seed: 4 });
    writeFileSync(join(dir, 'one.tif'), encodeTiff(cell));
    writeFileSync(join(dir, 'sub', 'two.tif'), encodeTiff(cell));
    symlinkSync(join(dir, 'self.tif'), join(dir, 'self.tif'));
    symlinkSync('..', join(dir, 'sub', 'up'));
    const result = await convertDirectory(dir, join(root, 'links-out'), {
      workers: 0,
      numPoints: 8,
    });
    expect(result.files.map((f) => [relative(dir, f.input), f.status])).toEqual([
      ['one.tif', 'converted'],
      ['self.tif', 'failed'],
      [join('sub', 'two.tif'), 'converted'],
    ]);
  });

  it("reads with the caller's maxVoxels, which is not part of the outputs' fingerprint", async () => {
    const dir = join(root, 'limit-in');
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.tif'), encodeTiff(syntheticCell('round', { size: 24, seed: 5 })));
    writeFileSync(
      join(dir, 'small.tif'),
      encodeTiff(syntheticCell('round', { size: 16, seed: 5 })),
    );
    const out = join(root, 'limit-out');
    const limited = await convertDirectory(dir, out, { workers: 0, numPoints: 8, maxVoxels: 4096 });
    expect(limited.files.map((f) => [relative(dir, f.input), f.status])).toEqual([
      ['big.tif', 'failed'],
      ['small.tif', 'converted'],
    ]);
    expect(limited.files[0]!.error).toMatch(
      /24×24×24 = 13824 voxels, more than maxVoxels = 4096 \(raise options\.maxVoxels to read it\)/,
    );
    // Without the limit the same folder resumes: small.tif is finished, big.tif is converted.
    const again = await convertDirectory(dir, out, { workers: 0, numPoints: 8 });
    expect(again.files.map((f) => f.status)).toEqual(['converted', 'skipped']);
    await expect(convertDirectory(dir, out, { maxVoxels: 0 })).rejects.toThrow(/'maxVoxels'/);
  });

  it('rejects invalid input', async () => {
    await expect(convertDirectory('', root)).rejects.toThrow(/'input'/);
    await expect(convertDirectory(input, '')).rejects.toThrow(/'output'/);
    await expect(convertDirectory(join(root, 'missing'), join(root, 'x'))).rejects.toThrow(
      /is neither a folder nor a \.tif, \.tiff or \.npy file/,
    );
    const notMask = join(root, 'notes.txt');
    writeFileSync(notMask, 'x');
    await expect(convertDirectory(notMask, join(root, 'x'))).rejects.toThrow(/is neither a folder/);
    await expect(convertDirectory(input, input)).rejects.toThrow(InvalidArgumentError);
    const out = join(root, 'never');
    await expect(convertDirectory(input, out, { numPoints: 0 })).rejects.toThrow(/'numPoints'/);
    await expect(convertDirectory(input, out, { workers: -1 })).rejects.toThrow(/'workers'/);
    await expect(convertDirectory(input, out, { meshFormat: 'vtk' as 'off' })).rejects.toThrow(
      /'meshFormat'/,
    );
    await expect(convertDirectory(input, out, { objects: 'cells' as 'auto' })).rejects.toThrow(
      /'objects'/,
    );
    await expect(
      convertDirectory(input, out, { spacing: [1, 1] as unknown as [1, 1, 1] }),
    ).rejects.toThrow(/'spacing'/);
    await expect(convertDirectory(input, out, { level: 0 })).rejects.toThrow(/'level'/);
    expect(existsSync(out)).toBe(false);
  });

  describe.skipIf(!HAVE_MASKS)('on the QCANet nuclei masks (shared data)', () => {
    it('finds 16 and 8 nuclei', async () => {
      const dir = join(root, 'qcanet');
      mkdirSync(dir);
      for (const name of ['qcanet_16cell_nuclei_binary.tif', 'qcanet_8cell_nuclei_binary.tif'])
        symlinkSync(join(MASKS, name), join(dir, name));
      const result = await convertDirectory(dir, join(root, 'qcanet-out'), {
        workers: 0,
        numPoints: 256,
      });
      expect(result.files.map((f) => [f.status, f.objects])).toEqual([
        ['converted', 16],
        ['converted', 8],
      ]);
    });

    it('refuses the raw fluorescence stack next to them (not 818 grey-level "objects")', async () => {
      const dir = join(root, 'qcanet-raw');
      mkdirSync(dir);
      symlinkSync(join(MASKS, 'qcanet_16cell_raw_uint16.tif'), join(dir, 'raw.tif'));
      const result = await convertDirectory(dir, join(root, 'qcanet-raw-out'), { workers: 0 });
      expect(result.files[0]).toMatchObject({ status: 'failed' });
      expect(result.files[0]?.error).toMatch(/^looks like an intensity image.*only 4\.9 %/);
    });
  });
});
