"""Writes the PNG fixtures of src/image/png-pixels.test.ts with ImageMagick (libpng).

Run from packages/profile with /usr/bin/python3 (numpy, Pillow) and ImageMagick's `convert`
(apt-get install imagemagick):
    /usr/bin/python3 scripts/make-png-fixtures.py
Every image is 13×11 (odd sizes leave Adam7 passes partly empty) with samples
    s[y, x, c] = ((y * 13 + x) * channels + c) * K mod 2**depth,   K = 4099 for 16 bits, else 7,
so the test checks every sample without Python; the palette image's colour of index
k = (y * 13 + x) * 7 mod 16 is (16 k, 255 - 16 k, 5 k) (palette4.png stores index k). Each file's IHDR is checked to hold
the colour type, depth and interlacing its name says, and its pixels read back by Pillow (or,
for the 16-bit colour images Pillow reduces to 8 bits, by ImageMagick) equal the formula.
"""
import subprocess

import numpy as np
from PIL import Image

OUT = 'src/image/fixtures/'
W, H = 13, 11
CONVERT = '/usr/bin/convert'


def samples(channels, depth):
    k = 4099 if depth == 16 else 7
    n = np.arange(H * W * channels, dtype=np.int64).reshape(H, W, channels)
    return (n * k) % (2 ** depth)


def ihdr(path):
    data = open(path, 'rb').read()
    assert data[12:16] == b'IHDR'
    return data[24], data[25], data[28]  # depth, colour type, interlace


def write(name, raw_kind, values, depth, colour_type, interlace=True, scale=1):
    """Feeds `values` (scaled to the raw depth) to ImageMagick and checks the written PNG."""
    raw_depth = 16 if depth == 16 else 8
    raw = (values * scale).astype('>u2' if raw_depth == 16 else np.uint8)
    open('/tmp/png-fixture.raw', 'wb').write(raw.tobytes())
    path = OUT + name
    subprocess.run([CONVERT, '-size', f'{W}x{H}', '-depth', str(raw_depth), '-endian', 'MSB',
                    f'{raw_kind}:/tmp/png-fixture.raw', '-interlace', 'PNG' if interlace else 'none',
                    '-define', f'png:color-type={colour_type}', '-define', f'png:bit-depth={depth}',
                    '-define', 'png:exclude-chunks=date,time', f'png:{path}'], check=True)
    assert ihdr(path) == (depth, colour_type, 1 if interlace else 0), (name, ihdr(path))
    return path


def check_pillow(path, expected):
    got = np.array(Image.open(path)).astype(np.int64)
    assert np.array_equal(got.reshape(expected.shape), expected), path


def check_magick(path, kind, expected):
    out = subprocess.run([CONVERT, path, '-depth', '16', '-endian', 'MSB', f'{kind}:-'],
                         check=True, capture_output=True).stdout
    got = np.frombuffer(out, dtype='>u2').astype(np.int64).reshape(expected.shape)
    assert np.array_equal(got, expected), path


for depth in [1, 2, 4, 8, 16]:
    v = samples(1, depth)[:, :, 0]
    scale = 255 // (2 ** depth - 1) if depth < 8 else 1  # Pillow scales 2/4-bit grey to 8 bits
    path = write(f'grey{depth}_adam7.png', 'gray', v, depth, 0, scale=scale)
    check_pillow(path, v * scale if depth > 1 else v.astype(bool))
rgb = samples(3, 8)
check_pillow(write('rgb8_adam7.png', 'rgb', rgb, 8, 2), rgb)
rgba = samples(4, 16)
check_magick(write('rgba16_adam7.png', 'rgba', rgba, 16, 6), 'rgba', rgba)
rgb16 = samples(3, 16)
check_magick(write('rgb16.png', 'rgb', rgb16, 16, 2, interlace=False), 'rgb', rgb16)
ga = samples(2, 8)
grey_alpha = np.stack([ga[:, :, 0]] * 3 + [ga[:, :, 1]], axis=2)
check_pillow(write('greyalpha8_adam7.png', 'rgba', grey_alpha, 8, 4), ga)
index = (np.arange(H * W).reshape(H, W) * 7) % 16
colours = np.stack([16 * index, 255 - 16 * index, 5 * index], axis=2)
# ImageMagick writes palettes of 8 bits only; Pillow writes 4-bit palettes (not interlaced).
path = write('palette8_adam7.png', 'rgb', colours, 8, 3)
assert np.array_equal(np.array(Image.open(path).convert('RGB')), colours), path
palette = Image.fromarray(index.astype(np.uint8), 'P')
palette.putpalette([v for k in range(16) for v in (16 * k, 255 - 16 * k, 5 * k)])
palette.save(OUT + 'palette4.png', bits=4)
assert ihdr(OUT + 'palette4.png') == (4, 3, 0)
assert np.array_equal(np.array(Image.open(OUT + 'palette4.png')), index)
assert np.array_equal(np.array(Image.open(OUT + 'palette4.png').convert('RGB')), colours)
print('written and checked: Adam7 grey 1/2/4/8/16-bit, RGB 8, RGBA 16, grey + alpha 8, palette 8;',
      'not interlaced: RGB 16, palette 4 (indices = k)')
