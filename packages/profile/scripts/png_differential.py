"""Differential and adversarial campaign of our PNG decoder (src/image/png-*.ts) against Pillow.

Writes many PNGs to /tmp/png-diff (never into the repository) — valid files from ImageMagick,
Pillow and a small PNG writer of our own (every colour type and depth, Adam7 or not, tiny and odd
sizes, every row filter, IDAT split anywhere, zlib levels/windows/strategies, palettes of 1–256
colours with and without tRNS, ancillary chunks) and hostile ones (broken structure, streams and
indices) — with what the oracle decodes, then runs scripts/png-differential-read.ts over them and
sums up. The oracle is Pillow (numpy.asarray(Image.open(p))) with its conversions undone (2/4-bit
grey scaled to 8 bits, 1-bit as bool, palette → RGB(A) by convert), and ImageMagick
(`convert p -depth 16 gray|rgb|rgba:-`, libpng) for the 16-bit images Pillow reduces to 8 bits
and for the non-palette files Pillow refuses. Our
decoder ignores tRNS on grey and RGB images, as numpy.asarray of Pillow's image does.

Run from the repository root with /usr/bin/python3 (numpy, Pillow) and ImageMagick's convert:
    /usr/bin/python3 packages/profile/scripts/png_differential.py [--seed N] [--only valid|hostile]
It exits non-zero when a case differs, raises an untyped error or takes over a second.
"""
import argparse
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zlib

import numpy as np
from PIL import Image

OUT = '/tmp/png-diff'
CONVERT = '/usr/bin/convert'
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
TYPES = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4),
         (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)]
SIZES = [(1, 1), (1, 7), (7, 1), (2, 2), (3, 5), (5, 3), (4, 4), (6, 6), (8, 8), (9, 9),
         (17, 13), (33, 1), (1, 33), (64, 31)]
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]
SIGNATURE = b'\x89PNG\r\n\x1a\n'


# ---- a small PNG writer: every filter, Adam7, any IDAT split and zlib setting ----------------

def chunk(kind, body, crc=None):
    crc = zlib.crc32(kind + body) if crc is None else crc
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', crc & 0xffffffff)


def ihdr(width, height, depth, colour, interlace=0):
    return chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, depth, colour, 0, 0, interlace))


def pack_row(samples, depth):
    """One row's samples (flattened) as stored bytes: packed MSB first, or big-endian 16-bit."""
    if depth == 16:
        return samples.astype('>u2').tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per = 8 // depth
    padded = np.zeros(-(-len(samples) // per) * per, dtype=np.int64)
    padded[:len(samples)] = samples
    groups = padded.reshape(-1, per)
    shifts = 8 - depth * (np.arange(per) + 1)
    return (groups << shifts).sum(axis=1).astype(np.uint8).tobytes()


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_row(kind, row, above, bpp):
    out = bytearray([kind])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = above[i] if above is not None else 0
        c = above[i - bpp] if above is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]
        out.append((x - pred) & 0xff)
    return bytes(out)


def passes(width, height, interlace):
    if not interlace:
        return [(0, 0, 1, 1)]
    return [p for p in ADAM7 if p[0] < width and p[1] < height]


def scanlines(pixels, depth, interlace, filters, rng):
    """The filtered rows of `pixels` (H×W×C samples); `filters` is 0–4, 'random' or a list."""
    height, width, channels = pixels.shape
    bpp = max(1, channels * depth // 8)
    out = bytearray()
    n = 0
    for x0, y0, dx, dy in passes(width, height, interlace):
        sub = pixels[y0::dy, x0::dx]
        above = None
        for row in sub:
            raw = pack_row(row.reshape(-1), depth)
            kind = rng.randrange(5) if filters == 'random' else (
                filters[n % len(filters)] if isinstance(filters, list) else filters)
            out += filter_row(kind, raw, above, bpp)
            above = raw
            n += 1
    return bytes(out)


def scanlines_fast(pixels, depth, interlace):
    """Filter-0 rows of `pixels` (numpy only: for the large images)."""
    height, width, channels = pixels.shape
    out = []
    for x0, y0, dx, dy in passes(width, height, interlace):
        for row in pixels[y0::dy, x0::dx]:
            out.append(b'\0' + pack_row(row.reshape(-1), depth))
    return b''.join(out)


def compress(data, level=6, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY, mem=8):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, mem, strategy)
    return c.compress(data) + c.flush()


def split(stream, pieces, rng):
    """The stream cut into IDAT bodies: 'one', 'bytes' (1-byte), 'random' (with empty ones)."""
    if pieces == 'one':
        return [stream]
    if pieces == 'bytes':
        return [stream[i:i + 1] for i in range(len(stream))]
    cuts = sorted(rng.randrange(len(stream) + 1) for _ in range(rng.randrange(1, 6)))
    bounds = [0] + cuts + [len(stream)]
    return [stream[a:b] for a, b in zip(bounds, bounds[1:])]


def png(width, height, depth, colour, stream_parts, interlace=0, plte=None, trns=None,
        before=(), middle=(), after=()):
    parts = [SIGNATURE, ihdr(width, height, depth, colour, interlace), *before]
    if plte is not None:
        parts.append(chunk(b'PLTE', plte))
    if trns is not None:
        parts.append(chunk(b'tRNS', trns))
    parts += list(middle) + [chunk(b'IDAT', p) for p in stream_parts] + list(after)
    return b''.join(parts) + chunk(b'IEND', b'')


# ---- the oracle ------------------------------------------------------------------------------

def magick(path, kind, channels):
    out = subprocess.run([CONVERT, path, '-depth', '16', '-endian', 'MSB', f'{kind}:-'],
                         check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype='>u2').astype(np.int64)


def oracle(path, reader):
    """What Pillow (ImageMagick for 16-bit colour) decodes, as our reader returns it; None when
    the oracle refuses the file."""
    try:
        im = Image.open(path)
        im.load()
        data = open(path, 'rb').read()
        depth, colour = data[24], data[25]
        width, height = im.size
        if reader == 'label':
            if colour not in (0, 3):
                return None
            arr = np.asarray(im).astype(np.int64)
            if colour == 0 and depth in (2, 4):
                arr //= 255 // (2 ** depth - 1)
            return arr.reshape(height, width, 1), 'i32'
        if colour == 3:
            rgba = 'transparency' in im.info
            arr = np.asarray(im.convert('RGBA' if rgba else 'RGB')).astype(np.int64)
            return arr, 'u8'
        if depth == 16:
            kind = {0: 'gray', 2: 'rgb', 4: 'rgba', 6: 'rgba'}[colour]
            arr = magick(path, kind, CHANNELS[colour])
            arr = arr.reshape(height, width, -1)
            if colour == 4:
                arr = arr[:, :, [0, 3]]
            return arr, 'u16'
        arr = np.asarray(im).astype(np.int64)
        if colour == 0 and depth in (2, 4):
            arr //= 255 // (2 ** depth - 1)
        return arr.reshape(height, width, CHANNELS[colour]), 'u8'
    except Exception:  # noqa: BLE001 — Pillow refuses some files libpng reads
        return libpng(path, reader)


def libpng(path, reader):
    """The second oracle, for non-palette images Pillow refuses: libpng through ImageMagick
    (which skips chunks libpng finds invalid, e.g. a 1-byte tRNS of a grey image)."""
    data = open(path, 'rb').read()
    if len(data) < 29 or data[12:16] != b'IHDR' or data[25] not in (0, 2, 4, 6):
        return None
    width, height, depth, colour = struct.unpack('>IIBB', data[16:26])
    if reader == 'label' and colour != 0:
        return None
    kind = {0: 'gray', 2: 'rgb', 4: 'rgba', 6: 'rgba'}[colour]
    try:
        arr = magick(path, kind, CHANNELS[colour]).reshape(height, width, -1)
    except (subprocess.CalledProcessError, ValueError):
        return None
    arr = arr[:, :, [0, 3]] if colour == 4 else arr
    arr //= 65535 // (2 ** depth - 1)
    return arr, 'i32' if reader == 'label' else 'u16' if depth == 16 else 'u8'


def pixel_size(data):
    """The µm pixel size [y, x] our reader gives: from the first pHYs before IDAT (libpng
    ignores later ones), when it is 9 bytes in metres; else None."""
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack('>I4s', data[at:at + 8])
        if kind == b'pHYs':
            ppx, ppy, unit = struct.unpack('>IIB', data[at + 8:at + 17])
            ok = length == 9 and unit == 1 and ppx > 0 and ppy > 0
            return [1e6 / ppy, 1e6 / ppx] if ok else None
        if kind in (b'IDAT', b'IEND'):
            break
        at += 12 + length
    return None


class Campaign:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cases = []
        self.generator_mismatches = []
        os.makedirs(OUT, exist_ok=True)

    def add(self, name, data, readers=('image',), truth=None, oracle_refuses=False):
        """Writes `data` and the oracle's answer for each reader. `truth`: the samples we
        wrote (checked against the oracle's, a check of this script)."""
        path = f'{OUT}/{name}.png'
        with open(path, 'wb') as f:
            f.write(data)
        for reader in readers:
            case = {'name': f'{name}:{reader}', 'png': path, 'reader': reader}
            answer = None if oracle_refuses else oracle(path, reader)
            if answer is not None:
                arr, dtype = answer
                raw = f'{OUT}/{name}.{reader}.raw'
                np_type = {'u8': '<u1', 'u16': '<u2', 'i32': '<i4'}[dtype]
                with open(raw, 'wb') as f:
                    f.write(arr.astype(np_type).tobytes())
                case['expect'] = {'shape': list(arr.shape), 'dtype': dtype, 'raw': raw}
                size = pixel_size(data)
                if size is not None:
                    case['expect']['pixelSize'] = size
                if truth is not None and reader == 'image' and not np.array_equal(
                        arr.reshape(-1), truth.reshape(-1)):
                    self.generator_mismatches.append(name)
            self.cases.append(case)


# ---- valid files ------------------------------------------------------------------------------

def random_image(rng, width, height, depth, colour, colours=None):
    shape = (height, width, CHANNELS[colour])
    top = colours if colour == 3 else 2 ** depth
    return np.array([rng.randrange(top) for _ in range(width * height * shape[2])],
                    dtype=np.int64).reshape(shape)


def palette_of(rng, n):
    return bytes(rng.randrange(256) for _ in range(3 * n))


def truth_of(pixels, colour, plte, trns):
    """What readImage2D should give for `pixels` (palette → colours, tRNS on grey/RGB ignored)."""
    if colour != 3:
        return pixels
    table = np.frombuffer(plte, dtype=np.uint8).reshape(-1, 3).astype(np.int64)
    if trns is not None:
        alpha = np.full((len(table), 1), 255, dtype=np.int64)
        alpha[:len(trns), 0] = list(trns)
        table = np.concatenate([table, alpha], axis=1)
    return table[pixels[:, :, 0]]


def ancillary(rng, colour, depth):
    """A few random ancillary chunks: (before PLTE, between PLTE and IDAT, after IDAT)."""
    icc = zlib.compress(b'\0' * 128)
    pool_before = [chunk(b'gAMA', struct.pack('>I', 45455)),
                   chunk(b'sBIT', bytes([min(depth, 8)] * (3 if colour in (2, 3, 6) else 1)
                                        + ([8] if colour in (4, 6) else []))),
                   chunk(b'cHRM', bytes(32)), chunk(b'iCCP', b'profile\0\0' + icc),
                   chunk(b'sRGB', b'\0'), chunk(b'tEXt', b'Comment\0hello'),
                   chunk(b'prIv', b'private ancillary')]
    pool_middle = [chunk(b'pHYs', struct.pack('>IIB', rng.randrange(1, 10 ** 7),
                                              rng.randrange(1, 10 ** 7), 1)),
                   chunk(b'pHYs', struct.pack('>IIB', 2, 3, 0)),
                   chunk(b'bKGD', b'\0' if colour == 3 else b'\0\0' * (3 if colour & 2 else 1)),
                   chunk(b'zTXt', b'Software\0\0' + zlib.compress(b'campaign')),
                   chunk(b'iTXt', b'Title\0\0\0en\0\0caf\xc3\xa9'), chunk(b'tIME', bytes(7))]
    pool_after = [chunk(b'tEXt', b'Author\0me'), chunk(b'tIME', bytes(7))]
    pick = lambda pool: rng.sample(pool, rng.randrange(0, 3))  # noqa: E731
    return pick(pool_before), pick(pool_middle), pick(pool_after)


def own_valid(c):
    """Our writer: every type × depth × Adam7 × size, random then each fixed filter."""
    rng = c.rng
    for colour, depth in TYPES:
        for interlace in (0, 1):
            for width, height in SIZES:
                filters = ['random'] + ([0, 1, 2, 3, 4] if (width, height) in
                                        [(1, 1), (3, 5), (8, 8), (9, 9), (17, 13)] else [])
                for f in filters:
                    n = rng.randrange(1, 2 ** depth + 1) if colour == 3 else None
                    if colour == 3 and rng.random() < 0.2:
                        n = 2 ** depth  # a full palette
                    pixels = random_image(rng, width, height, depth, colour, n)
                    plte = palette_of(rng, n) if colour == 3 else (
                        palette_of(rng, rng.randrange(1, 257)) if colour in (2, 6)
                        and rng.random() < 0.2 else None)
                    trns = None
                    if colour == 3 and rng.random() < 0.5:
                        trns = bytes(rng.randrange(256) for _ in range(rng.randrange(1, n + 1)))
                    elif colour in (0, 2) and rng.random() < 0.3:
                        trns = b'\0\1' * (1 if colour == 0 else 3)
                    stream = compress(scanlines(pixels, depth, interlace, f, rng),
                                      level=rng.randrange(10), wbits=rng.randrange(9, 16),
                                      strategy=rng.choice([0, 1, 2, 3, 4]))
                    pieces = rng.choice(['one', 'one', 'random', 'bytes'] if len(stream) < 400
                                        else ['one', 'random'])
                    before, middle, after = ancillary(rng, colour, depth)
                    data = png(width, height, depth, colour, split(stream, pieces, rng),
                               interlace, plte, trns, before, middle, after)
                    name = f'own_c{colour}_d{depth}_i{interlace}_{width}x{height}_f{f}'
                    readers = ('image', 'label') if colour in (0, 3) else ('image',)
                    c.add(name, data, readers, truth_of(pixels, colour, plte if colour == 3
                                                        else None, trns if colour == 3 else None))


def magick_valid(c):
    """ImageMagick (libpng) writes every type and depth, Adam7 or not, from random samples."""
    rng = c.rng
    kinds = {0: 'gray', 2: 'rgb', 3: 'rgb', 4: 'rgba', 6: 'rgba'}
    for colour, depth in TYPES:
        for interlace in ('none', 'PNG'):
            for width, height in [(1, 1), (3, 5), (9, 9), (17, 13), (1, 9), (13, 1)]:
                n = rng.randrange(2, 2 ** depth + 1) if colour == 3 else None
                pixels = random_image(rng, width, height, depth, colour, n)
                if colour == 3:
                    table = np.array([rng.sample(range(256), 3) for _ in range(n)])
                    raw = table[pixels[:, :, 0]] * 257
                elif colour == 4:
                    raw = pixels[:, :, [0, 0, 0, 1]] * (65535 // (2 ** depth - 1))
                else:
                    raw = pixels * (65535 // (2 ** depth - 1))
                with open(f'{OUT}/in.raw', 'wb') as f:
                    f.write(raw.astype('>u2').tobytes())
                path = f'{OUT}/magick.png'
                subprocess.run([CONVERT, '-size', f'{width}x{height}', '-depth', '16', '-endian',
                                'MSB', f'{kinds[colour]}:{OUT}/in.raw', '-interlace', interlace,
                                '-define', f'png:color-type={colour}', '-define',
                                f'png:bit-depth={depth}', f'png:{path}'], check=True,
                               capture_output=True)
                data = open(path, 'rb').read()
                # ImageMagick writes a few palettes one depth up: still a valid file to read.
                depth_, colour_ = data[24], data[25]
                name = f'magick_c{colour_}_d{depth_}_{interlace}_{width}x{height}_as_c{colour}d{depth}'
                c.add(name, data, ('image', 'label') if colour_ in (0, 3) else ('image',))


def pillow_valid(c):
    """Pillow writes 1/L/I;16/LA/RGB/RGBA/P, optimize, compress_level 0–9, tRNS, texts, dpi."""
    rng = c.rng
    for mode in ['1', 'L', 'I;16', 'LA', 'RGB', 'RGBA', 'P']:
        for k, (width, height) in enumerate([(1, 1), (3, 5), (9, 9), (17, 13), (40, 3)]):
            for level in range(10):
                n = rng.randrange(1, 257)
                top = {'1': 2, 'I;16': 65536, 'P': n}.get(mode, 256)
                shape = (height, width) + ({'LA': (2,), 'RGB': (3,), 'RGBA': (4,)}.get(mode, ()))
                arr = np.array([rng.randrange(top) for _ in range(int(np.prod(shape)))])
                arr = arr.reshape(shape)
                if mode == '1':
                    im = Image.fromarray(arr.astype(bool))
                elif mode == 'I;16':
                    im = Image.frombytes('I;16', (width, height), arr.astype('<u2').tobytes())
                else:
                    im = Image.fromarray(arr.astype(np.uint8), mode)
                opts = {'compress_level': level, 'optimize': level % 3 == 0}
                if mode == 'P':
                    im.putpalette(list(palette_of(rng, n)))
                    if rng.random() < 0.5:
                        opts['transparency'] = bytes(rng.randrange(256)
                                                     for _ in range(rng.randrange(1, n + 1)))
                    if n <= 16 and rng.random() < 0.5:
                        opts['bits'] = 1 if n <= 2 else 2 if n <= 4 else 4
                elif mode in ('L', 'RGB') and rng.random() < 0.3:
                    opts['transparency'] = 0 if mode == 'L' else (0, 0, 0)
                if rng.random() < 0.3:
                    opts['dpi'] = (rng.randrange(1, 3000), rng.randrange(1, 3000))
                if rng.random() < 0.3:
                    opts['icc_profile'] = b'\0' * 200
                if rng.random() < 0.3:
                    from PIL.PngImagePlugin import PngInfo
                    info = PngInfo()
                    info.add_text('Comment', 'plain')
                    info.add_text('Long', 'zipped ' * 40, zip=True)
                    info.add_itxt('Title', 'caf\u00e9')
                    opts['pnginfo'] = info
                buffer = io.BytesIO()
                im.save(buffer, 'PNG', **opts)
                name = f'pillow_{mode.replace(";", "")}_{width}x{height}_z{level}'
                readers = ('image', 'label') if mode in ('1', 'L', 'I;16', 'P') else ('image',)
                c.add(name, buffer.getvalue(), readers)


# ---- hostile files ---------------------------------------------------------------------------

def grey8(width, height):
    """Seeded 8-bit grey samples, H×W×1."""
    rng = random.Random(1)
    return np.array([rng.randrange(256) for _ in range(width * height)]).reshape(height, width, 1)


def hostile(c):
    """Broken structure, streams and indices: each must be refused (typed) or read right."""
    rng = c.rng
    px = grey8(5, 4)
    rows = scanlines(px, 8, 0, 0, rng)
    good = compress(rows)
    add = lambda name, data, refuse=False, readers=('image',): c.add(  # noqa: E731
        f'hostile_{name}', data, readers, oracle_refuses=refuse)
    # Filter types on the first row of every Adam7 pass, empty passes for 1×1…8×8.
    for size in range(1, 9):
        for f in range(5):
            for colour, depth in [(0, 1), (0, 2), (0, 4), (3, 2), (0, 16), (6, 16), (2, 8)]:
                n = 2 ** depth if colour == 3 else None
                p = random_image(rng, size, size + 1, depth, colour, n)
                stream = compress(scanlines(p, depth, 1, f, rng))
                add(f'adam7_{size}x{size + 1}_c{colour}_d{depth}_f{f}',
                    png(size, size + 1, depth, colour, [stream], 1,
                        palette_of(rng, n) if n else None))
    # Row strides whose rounding differs: widths 1–17 at 1/2/4 bits, Sub/Avg/Paeth.
    for depth in (1, 2, 4):
        for width in range(1, 18):
            for f in (1, 3, 4):
                p = random_image(rng, width, 3, depth, 0)
                add(f'stride_d{depth}_w{width}_f{f}',
                    png(width, 3, depth, 0, [compress(scanlines(p, depth, 0, f, rng))]))
    # Undefined filter type 5 and 255 on the first and a later row.
    for bad in (5, 255):
        for row in (0, 2):
            r = bytearray(rows)
            r[row * 6] = bad
            add(f'filter{bad}_row{row}', png(5, 4, 8, 0, [compress(bytes(r))]), True)
    # Streams inflating to exactly, one more, one less than the rows need; cut; garbage after.
    add('stream_exact', png(5, 4, 8, 0, [good]))
    add('stream_one_more', png(5, 4, 8, 0, [compress(rows + b'\0')]), True)
    add('stream_one_less', png(5, 4, 8, 0, [compress(rows[:-1])]), True)
    add('stream_empty', png(5, 4, 8, 0, [compress(b'')]), True)
    add('stream_cut_adler', png(5, 4, 8, 0, [good[:-4]]), True)
    add('stream_cut_half', png(5, 4, 8, 0, [good[:len(good) // 2]]), True)
    add('stream_bad_adler', png(5, 4, 8, 0, [good[:-1] + bytes([good[-1] ^ 1])]), True)
    add('stream_garbage_after', png(5, 4, 8, 0, [good + b'garbage!']))
    add('stream_garbage_idat_after', png(5, 4, 8, 0, [good, b'garbage!']))
    add('stream_second_zlib_after', png(5, 4, 8, 0, [good + compress(b'\0' * 10)]))
    raw_deflate = compress(rows, wbits=-15)
    add('stream_raw_deflate', png(5, 4, 8, 0, [raw_deflate]), True)
    add('stream_gzip', png(5, 4, 8, 0, [compress(rows, wbits=31)]), True)
    fdict = bytes([0x78, 0xbb]) + struct.pack('>I', zlib.adler32(b'dict')) + raw_deflate
    add('stream_fdict', png(5, 4, 8, 0, [fdict]), True)
    add('stream_bad_window', png(5, 4, 8, 0, [bytes([0x88, 0x1c]) + good[2:]]), True)
    add('no_idat', png(5, 4, 8, 0, []), True)
    # Chunk structure.
    head = SIGNATURE + ihdr(5, 4, 8, 0)
    add('iend_missing', head + chunk(b'IDAT', good), True)
    add('iend_bad_crc', head + chunk(b'IDAT', good) + chunk(b'IEND', b'', crc=0), True)
    add('chunks_after_iend', png(5, 4, 8, 0, [good]) + chunk(b'tEXt', b'a\0b') + b'junk')
    add('idat_after_iend', png(5, 4, 8, 0, [good[:10]]) + chunk(b'IDAT', good[10:]), True)
    add('length_2_31', head + struct.pack('>I', 2 ** 31) + b'IDAT' + good, True)
    add('length_2_32_minus_1', head + struct.pack('>I', 2 ** 32 - 1) + b'IDAT' + good, True)
    add('ihdr_twice', SIGNATURE + ihdr(5, 4, 8, 0) + ihdr(5, 4, 8, 0) + chunk(b'IDAT', good)
        + chunk(b'IEND', b''), True)
    add('ihdr_second_other', SIGNATURE + ihdr(5, 4, 8, 0) + chunk(b'IDAT', good)
        + ihdr(3, 2, 8, 0) + chunk(b'IDAT', compress(bytes(8))) + chunk(b'IEND', b''), True)
    add('ihdr_long', SIGNATURE + chunk(b'IHDR', ihdr(5, 4, 8, 0)[8:21] + b'\0')
        + chunk(b'IDAT', good) + chunk(b'IEND', b''), True)
    add('ihdr_not_first', SIGNATURE + chunk(b'tEXt', b'a\0b') + ihdr(5, 4, 8, 0)
        + chunk(b'IDAT', good) + chunk(b'IEND', b''), True)
    add('idat_split_by_text', SIGNATURE + ihdr(5, 4, 8, 0) + chunk(b'IDAT', good[:9])
        + chunk(b'tEXt', b'a\0b') + chunk(b'IDAT', good[9:]) + chunk(b'IEND', b''), True)
    add('unknown_critical', png(5, 4, 8, 0, [good], middle=[chunk(b'CRIT', b'x')]), True)
    add('width_2_31', png(2 ** 31, 1, 8, 0, [good]), True)
    add('width_0', png(0, 4, 8, 0, [good]), True)
    # Near maxPixels (2^31): huge width × tiny height and back, with a tiny stream.
    add('wide_2_30x2', png(2 ** 30, 2, 1, 0, [compress(bytes(1000))]), True)
    add('tall_1x2_31', png(1, 2 ** 31, 1, 0, [compress(bytes(1000))]), True)
    # Valid, long and thin: one row of 2^20 pixels and one column of 2^20, Adam7 or not.
    for interlace in (0, 1):
        for width, height, depth in [(2 ** 20, 1, 8), (1, 2 ** 20, 8), (2 ** 21, 2, 1)]:
            p = np.random.default_rng(width + interlace).integers(0, 2 ** depth,
                                                                  (height, width, 1))
            stream = compress(scanlines_fast(p, depth, interlace))
            add(f'thin_{width}x{height}_d{depth}_i{interlace}',
                png(width, height, depth, 0, [stream], interlace), readers=('image', 'label'))
    # Palette abuse.
    ip = random_image(rng, 5, 4, 8, 3, 4)
    prow = compress(scanlines(ip, 8, 0, 0, rng))
    plte = palette_of(rng, 4)
    add('plte_ok', png(5, 4, 8, 3, [prow], plte=plte, trns=b'\x10\x20'), readers=('image', 'label'))
    add('trns_before_plte', png(5, 4, 8, 3, [prow], before=[chunk(b'tRNS', b'\x10')],
                                plte=plte), True)
    add('plte_twice', png(5, 4, 8, 3, [prow], plte=plte, middle=[chunk(b'PLTE', plte)]), True)
    add('plte_after_idat', png(5, 4, 8, 3, [prow], after=[chunk(b'PLTE', plte)]), True)
    add('plte_missing', png(5, 4, 8, 3, [prow]), True)
    add('plte_empty', png(5, 4, 8, 3, [prow], plte=b''), True)
    add('plte_257', png(5, 4, 8, 3, [prow], plte=palette_of(rng, 257)), True)
    add('plte_not_triples', png(5, 4, 8, 3, [prow], plte=plte + b'\0'), True)
    add('plte_in_grey', png(5, 4, 8, 0, [good], plte=plte))
    add('trns_too_long', png(5, 4, 8, 3, [prow], plte=plte, trns=b'\0' * 5), True)
    add('trns_twice', png(5, 4, 8, 3, [prow], plte=plte, trns=b'\0',
                          middle=[chunk(b'tRNS', b'\1')]), True)
    add('trns_after_idat', png(5, 4, 8, 3, [prow], plte=plte, after=[chunk(b'tRNS', b'\1')]),
        True)
    for depth in (1, 2, 4, 8):
        idx = np.full((4, 5, 1), 2 ** depth - 1)
        stream = compress(scanlines(idx, depth, 0, 0, rng))
        add(f'index_beyond_d{depth}', png(5, 4, depth, 3, [stream],
                                          plte=palette_of(rng, 2 ** depth - 1)), True)
    # Many tiny IDAT chunks: 1 MB of 0-length ones, and 1-byte ones.
    big = grey8(256, 256)
    stream = compress(scanlines(big, 8, 0, 4, rng))
    add('idat_1mb_empty', png(256, 256, 8, 0, [b''] * (2 ** 20 // 12) + [stream]))
    add('idat_1_byte', png(256, 256, 8, 0, split(stream, 'bytes', rng)))
    # 16-bit Paeth everywhere, a large image.
    wide = random_image(rng, 300, 200, 16, 6)
    add('paeth16_rgba', png(300, 200, 16, 6, [compress(scanlines(wide, 16, 1, 4, rng))], 1))


def chunks_of(data):
    """[(type, body)] of a PNG our writer or a valid file made (no checks)."""
    out, at = [], 8
    while at + 12 <= len(data):
        length, kind = struct.unpack('>I4s', data[at:at + 8])
        out.append((kind, data[at + 8:at + 8 + length]))
        at += 12 + length
    return out


def mutate(rng, data):
    """One structure-aware mutation of a valid PNG, every CRC made right again (so that the
    decoder's later checks, not the CRC, meet it)."""
    parts = chunks_of(data)
    i = rng.randrange(len(parts))
    kind, body = parts[i]
    how = rng.randrange(9)
    if how == 0 and body:  # a byte of a chunk body
        b = bytearray(body)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        parts[i] = (kind, bytes(b))
    elif how == 1 and parts[0][0] == b'IHDR' and len(parts[0][1]) == 13:  # an IHDR field
        b = bytearray(parts[0][1])
        field = rng.randrange(5)
        if field == 0:
            struct.pack_into('>I', b, rng.choice([0, 4]), max(0, struct.unpack_from(
                '>I', b, 0)[0] + rng.choice([-1, 1, 2, 7, -3])))
        else:
            b[7 + field] = rng.choice([[1, 2, 4, 8, 16, 3], [0, 2, 3, 4, 6, 1], [0, 1], [0, 1, 2]]
                                      [field - 1])
        parts[0] = (b'IHDR', bytes(b))
    elif how in (2, 3, 4):  # the inflated rows: bytes, filter types, length
        idat = [k for k, (t, _) in enumerate(parts) if t == b'IDAT']
        try:
            rows = bytearray(zlib.decompressobj().decompress(
                b''.join(parts[k][1] for k in idat)))
        except zlib.error:  # an earlier mutation broke the stream
            rows = None
        if not idat or rows is None:
            return SIGNATURE + b''.join(chunk(k, b) for k, b in parts)
        if how == 2 and rows:
            rows[rng.randrange(len(rows))] = rng.randrange(256)
        elif how == 3 and rows:
            rows[rng.randrange(len(rows))] = rng.randrange(6)
        else:
            cut = rng.choice([-3, -1, 1, 3])
            rows = rows[:cut] if cut < 0 else rows + bytes(cut)
        parts = [p for k, p in enumerate(parts) if k not in idat[1:]]
        parts[idat[0]] = (b'IDAT', compress(bytes(rows), level=rng.randrange(10)))
    elif how == 5 and kind not in (b'IEND',):  # delete a chunk
        del parts[i]
    elif how == 6:  # duplicate a chunk
        parts.insert(i, parts[i])
    elif how == 7 and i + 1 < len(parts):  # swap two chunks
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    elif kind in (b'PLTE', b'tRNS'):  # a palette or alphas one entry longer or shorter
        parts[i] = (kind, body[:-3 if kind == b'PLTE' else -1] if rng.random() < 0.5
                    else body + bytes(3 if kind == b'PLTE' else 1))
    return SIGNATURE + b''.join(chunk(k, b) for k, b in parts)


def mutants(c, count):
    """Mutants of valid files of our writer; the oracle (Pillow) says what each should give."""
    seeds = []
    rng = c.rng
    for colour, depth in TYPES:
        for interlace in (0, 1):
            width, height = rng.choice([(3, 5), (9, 9), (17, 13), (1, 1), (8, 3)])
            n = rng.randrange(1, 2 ** depth + 1) if colour == 3 else None
            pixels = random_image(rng, width, height, depth, colour, n)
            plte = palette_of(rng, n) if colour == 3 else None
            trns = bytes(rng.randrange(256) for _ in range(rng.randrange(1, n + 1))) if n else None
            stream = compress(scanlines(pixels, depth, interlace, 'random', rng))
            seeds.append(png(width, height, depth, colour, split(stream, 'random', rng),
                             interlace, plte, trns,
                             middle=[chunk(b'pHYs', struct.pack('>IIB', 1000, 2000, 1))]))
    for k in range(count):
        data = rng.choice(seeds)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            data = mutate(rng, data)
        c.add(f'mutant_{k}', data, ('image', 'label'))


def run(c, only):
    manifest = f'{OUT}/manifest.json'
    with open(manifest, 'w') as f:
        json.dump(c.cases, f)
    out = subprocess.run(['node', '--conditions=@cellshape/source', '--import', 'tsx',
                          'packages/profile/scripts/png-differential-read.ts', manifest],
                         check=True, capture_output=True, text=True).stdout
    results = [json.loads(line) for line in out.splitlines()]
    expect = {case['name']: 'expect' in case for case in c.cases}
    tally, bad = {}, []
    for r in results:
        outcome = r['outcome']
        if outcome == 'refused' and not expect[r['name']]:
            outcome = 'both refuse'
        elif outcome == 'refused':
            outcome = 'we refuse, the oracle reads'
        tally[outcome] = tally.get(outcome, 0) + 1
        if outcome not in ('agree', 'both refuse'):
            bad.append({**r, 'outcome': outcome})
        if r['ms'] > 1000:
            bad.append({**r, 'outcome': 'slow'})
    print(f'{len(results)} cases ({only}):', json.dumps(tally))
    # Refusals of files the oracle reads, grouped by the reason (numbers and offsets dropped).
    reasons = {}
    for r in bad:
        if r['outcome'] == 'we refuse, the oracle reads':
            reason = re.sub(r'\d+', 'N', r['detail'].split(': ', 2)[-1])
            reasons.setdefault(reason, []).append(r['name'])
        else:
            print(f"  {r['outcome']}: {r['name']}: {r.get('detail')} ({r['ms']:.1f} ms)")
    for reason, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        print(f'  we refuse, the oracle reads ({len(names)}, e.g. {names[0]}): {reason}')
    slowest = sorted(results, key=lambda r: -r['ms'])[:3]
    print('  slowest:', ', '.join(f"{r['name']} {r['ms']:.1f} ms" for r in slowest))
    if c.generator_mismatches:
        print('  oracle ≠ the samples written (a generator problem):', c.generator_mismatches)
    return not any(r['outcome'] in ('differ', 'untyped', 'slow') for r in bad)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seed', type=int, default=17)
    parser.add_argument('--only', choices=['valid', 'hostile', 'mutants', 'all'], default='all')
    parser.add_argument('--mutants', type=int, default=3000, help='structure-aware mutants')
    args = parser.parse_args()
    c = Campaign(args.seed)
    if args.only in ('valid', 'all'):
        own_valid(c)
        magick_valid(c)
        pillow_valid(c)
    if args.only in ('hostile', 'all'):
        hostile(c)
    if args.only in ('mutants', 'all'):
        mutants(c, args.mutants)
    sys.exit(0 if run(c, args.only) else 1)


if __name__ == '__main__':
    main()
