import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, UnsupportedError } from '@cellshape/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '../types.js';
import { readVolume } from './read-volume.js';
import { encodeTiff } from './tiff-encode.js';
import { SAMPLE_TYPES, type SampleKind } from './tiff-sample.js';

/**
 * Cross-checks against the Python TIFF ecosystem: files written by tifffile (and by Pillow's
 * libtiff, which writes LZW and PackBits that tifffile cannot without imagecodecs) must read
 * back equal to the arrays they were written from, and files written by encodeTiff must read
 * back in tifffile equal to our data, with the spacing ImageJ would see.
 */

const PYTHON = process.env.CELLSHAPE_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import tifffile, numpy'], { encoding: 'utf8' });
const HAVE_TIFFFILE = probe.status === 0;
if (!HAVE_TIFFFILE)
  console.warn(`SKIPPED: tifffile cross-checks need ${PYTHON} with numpy and tifffile`);

const WRITE_FILES = `
import json, sys, os
import numpy as np, tifffile
out = sys.argv[1]
manifest = []

def values(dtype, shape=(4, 5, 7)):
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    dt = np.dtype(dtype)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        span = int(info.max) - int(info.min) + 1
        a = (i * 2654435761) % span + int(info.min)
        a[0], a[-1] = info.min, info.max
    else:
        a = (i - 50) * 0.37
        a[0], a[-1] = -1e30 if dt.itemsize == 4 else -1e300, 3.5
    return a.astype(dt).reshape(shape)

def case(name, data, outcome='ok', spacing=None, writer=None, **kw):
    path = os.path.join(out, name + '.tif')
    try:
        kw.setdefault('photometric', 'minisblack')  # else tifffile takes 3 or 4 planes as RGB(A)
        (writer or (lambda p: tifffile.imwrite(p, data, **kw)))(path)
    except Exception as error:  # a writer feature missing here: report it, do not fail
        manifest.append({'name': name, 'skipped': str(error)})
        return
    np.save(os.path.join(out, name + '.npy'), np.ascontiguousarray(data, dtype=data.dtype.newbyteorder('=')))
    manifest.append({'name': name, 'outcome': outcome, 'spacing': spacing})

for dtype in ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']:
    for order in '<>':
        for compression in [None, 'zlib']:
            case(f'{dtype}_{order == "<" and "le" or "be"}_{compression or "raw"}', values(dtype),
                 byteorder=order, compression=compression)
        if dtype[0] in 'ui':
            case(f'{dtype}_{order == "<" and "le" or "be"}_zlib_predictor', values(dtype),
                 byteorder=order, compression='zlib', predictor=True)
case('uint16_2d', values('uint16', (5, 7)))
bilevel = np.arange(4 * 5 * 19).reshape(4, 5, 19) * 7919 % 3 == 0
case('bool_bilevel', bilevel)
case('bool_bilevel_be', bilevel, byteorder='>')
case('uint16_tiled_zlib', values('uint16', (2, 20, 35)), tile=(16, 16), compression='zlib')
case('float32_tiled_be', values('float32', (2, 20, 35)), tile=(16, 16), byteorder='>')
case('int32_tiled', values('int32'), tile=(16, 16))
case('uint32_tiled_zlib', values('uint32', (3, 20, 35)), tile=(16, 16), compression='zlib')
case('int16_tiled_be_predictor', values('int16', (2, 20, 35)), tile=(16, 16), byteorder='>', compression='zlib', predictor=True)
case('uint8_tiled_zlib_predictor', values('uint8', (2, 33, 17)), tile=(16, 16), compression='zlib', predictor=True)
case('bool_bilevel_tiled', np.arange(2 * 20 * 35).reshape(2, 20, 35) * 7919 % 3 == 0, tile=(16, 16))
case('imagej_zyx', values('uint16'), spacing=[2.18, 0.25, 0.5], imagej=True,
     resolution=(1 / 0.5, 1 / 0.25), metadata={'axes': 'ZYX', 'spacing': 2.18, 'unit': 'um'})
case('imagej_2d_unit_only', values('float32', (5, 7)), spacing=[1, 0.25, 0.5], imagej=True,
     resolution=(2, 4), metadata={'unit': 'um'})
case('imagej_uncalibrated', values('uint8'), imagej=True, metadata={'axes': 'ZYX'})
case('imagej_channels', values('uint16', (2, 5, 7)), 'unsupported', imagej=True,
     metadata={'axes': 'CYX'})
case('ome', values('uint16'), spacing=[2.0, 0.25, 0.5], ome=True,
     metadata={'axes': 'ZYX', 'PhysicalSizeX': 0.5, 'PhysicalSizeY': 0.25, 'PhysicalSizeZ': 2.0})
case('rgb', values('uint8', (5, 7, 3)), 'unsupported', photometric='rgb')
# Given a description, tifffile writes two ImageDescription tags: the user's, then its shape.
case('described', values('uint8'), description='my notes')
case('described_2d', values('uint16', (5, 7)), description='my notes')
def two_described_series(path):
    with tifffile.TiffWriter(path) as w:
        for text in ['first', 'second']:
            w.write(values('uint8'), description=text, photometric='minisblack')
case('described_two_series', values('uint8'), 'unsupported', writer=two_described_series)

try:
    from PIL import Image
    def pil(arrays, mode, **kw):
        def write(path):
            pages = [Image.fromarray(a, mode) if mode else Image.fromarray(a) for a in arrays]
            pages[0].save(path, save_all=True, append_images=pages[1:], **kw)
        return write
    u16 = values('uint16')
    case('pillow_uint8_lzw', values('uint8'), writer=pil(values('uint8'), None, compression='tiff_lzw'))
    case('pillow_uint16_lzw', u16, writer=pil(u16, 'I;16', compression='tiff_lzw'))
    f32 = values('float32')
    case('pillow_float32_lzw', f32, writer=pil(f32, None, compression='tiff_lzw'))
    i32 = values('int32')
    case('pillow_int32_adobe_deflate', i32, writer=pil(i32, None, compression='tiff_adobe_deflate'))
    case('pillow_int32_lzw', i32, writer=pil(i32, None, compression='tiff_lzw'))
    case('pillow_1bit', bilevel, writer=pil(bilevel, None))
    case('pillow_1bit_deflate', bilevel, writer=pil(bilevel, None, compression='tiff_adobe_deflate'))
    case('pillow_uint8_packbits', values('uint8'), writer=pil(values('uint8'), None, compression='packbits'))
    case('pillow_uint16_packbits', u16, writer=pil(u16, 'I;16', compression='packbits'))
except ImportError as error:
    manifest.append({'name': 'pillow', 'skipped': str(error)})

json.dump(manifest, open(os.path.join(out, 'manifest.json'), 'w'))
`;

const READ_FILES = `
import json, sys, os
import numpy as np, tifffile
out = sys.argv[1]
results = []
for name in json.load(open(os.path.join(out, 'ours.json'))):
    expected = np.load(os.path.join(out, name + '.npy'))
    with tifffile.TiffFile(os.path.join(out, name + '.tif')) as tif:
        data = tif.asarray()
        page = tif.pages[0]
        ij = tif.imagej_metadata or {}
        xres = page.tags.get('XResolution')
        yres = page.tags.get('YResolution')
        results.append({
            'name': name,
            'equal': bool(data.shape == expected.shape and data.dtype == expected.dtype
                          and np.array_equal(data, expected, equal_nan=data.dtype.kind == 'f')),
            'byteorder': tif.byteorder,
            'pages': len(tif.pages),
            'compression': int(page.compression),
            'zSpacing': ij.get('spacing'),
            'ySpacing': yres and yres.value[1] / yres.value[0],
            'xSpacing': xres and xres.value[1] / xres.value[0],
        })
print(json.dumps(results))
`;

function python(script: string, dir: string): string {
  const run = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout;
}

interface Case {
  name: string;
  outcome?: 'ok' | 'unsupported';
  spacing?: [number, number, number] | null;
  skipped?: string;
}

describe.skipIf(!HAVE_TIFFFILE)('readVolume reads what tifffile and Pillow write', () => {
  // Collection runs even when the block is skipped: only call Python when it is there.
  const manifest: Case[] = [];
  const dir = join(tmpdir(), `cellshape-tifffile-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  if (HAVE_TIFFFILE) {
    mkdirSync(dir, { recursive: true });
    python(WRITE_FILES, dir);
    manifest.push(...(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Case[]));
  }
  for (const skipped of manifest.filter((c) => c.skipped))
    console.warn(`SKIPPED tifffile case ${skipped.name}: ${skipped.skipped}`);

  it('wrote the cases we rely on', () => {
    const names = manifest.filter((c) => !c.skipped).map((c) => c.name);
    expect(names).toContain('int32_be_zlib_predictor');
    expect(names).toContain('imagej_zyx');
    expect(names.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of manifest.filter((c) => !c.skipped)) {
    it(`${c.name}: ${c.outcome}`, () => {
      const file = join(dir, `${c.name}.tif`);
      if (c.outcome === 'unsupported') {
        expect(() => readVolume(file)).toThrow(UnsupportedError);
        return;
      }
      const expected = readVolume(join(dir, `${c.name}.npy`));
      const volume = readVolume(file);
      expect(volume.shape).toEqual(expected.shape);
      expect(volume.data.constructor).toBe(expected.data.constructor);
      expect(volume.data).toEqual(expected.data);
      if (c.spacing) {
        expect(volume.spacing).toBeDefined();
        c.spacing.forEach((s, axis) => {
          expect(volume.spacing![axis]).toBeCloseTo(s, 6);
        });
      } else {
        expect(volume.spacing).toBeUndefined();
      }
    });
  }
});

describe.skipIf(!HAVE_TIFFFILE)('tifffile reads what encodeTiff writes', () => {
  it('every sample type, byte order and compression, with ImageJ spacing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellshape-ours-'));
    try {
      const names: string[] = [];
      for (const kind of Object.keys(SAMPLE_TYPES) as SampleKind[]) {
        const data = SAMPLE_TYPES[kind].create(3 * 4 * 5);
        for (let i = 0; i < data.length; i++)
          data[i] = kind.startsWith('float') ? i / 7 - 3 : i * 3;
        for (const littleEndian of [true, false]) {
          for (const compression of ['none', 'deflate'] as const) {
            const name = `${kind}_${littleEndian ? 'le' : 'be'}_${compression}`;
            const volume: Volume = { data, shape: [3, 4, 5], spacing: [2.18, 0.5, 0.25] };
            writeFileSync(
              join(dir, `${name}.tif`),
              encodeTiff(volume, { littleEndian, compression }),
            );
            writeFileSync(join(dir, `${name}.npy`), encodeNpy({ data, shape: [3, 4, 5] }));
            names.push(name);
          }
        }
      }
      writeFileSync(join(dir, 'ours.json'), JSON.stringify(names));
      const results = JSON.parse(python(READ_FILES, dir)) as Record<string, unknown>[];
      expect(results).toHaveLength(names.length);
      for (const r of results) {
        const name = r.name as string;
        expect(r.equal, name).toBe(true);
        expect(r.pages, name).toBe(3);
        expect(r.byteorder, name).toBe(name.includes('_le_') ? '<' : '>');
        expect(r.compression, name).toBe(name.endsWith('deflate') ? 8 : 1);
        expect(r.zSpacing, name).toBe(2.18);
        expect(r.ySpacing as number).toBeCloseTo(0.5, 8);
        expect(r.xSpacing as number).toBeCloseTo(0.25, 8);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
