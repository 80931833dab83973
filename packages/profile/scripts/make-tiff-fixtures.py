"""Writes the small multi-sample TIFF fixtures of src/image/read-image.test.ts with tifffile.

Run with /usr/bin/python3 (tifffile, numpy) from packages/profile:
    /usr/bin/python3 scripts/make-tiff-fixtures.py
Each image's values are v[y, x, c] = (y * width + x) * channels + c (+ offset), so the test can
check every sample without Python.
"""
import numpy as np
import tifffile

OUT = 'src/image/fixtures/'


def ramp(h, w, c, dtype, offset=0):
    return (np.arange(h * w * c).reshape(h, w, c) + offset).astype(dtype)


# RGB, 8-bit, interleaved (chunky), Deflate, 2 rows per strip.
tifffile.imwrite(OUT + 'rgb_u8_chunky_deflate.tif', ramp(5, 4, 3, np.uint8),
                 photometric='rgb', compression='zlib', rowsperstrip=2)
# 3 samples, 16-bit, planar, uncompressed, with the horizontal predictor off; pixel size 0.5 µm.
tifffile.imwrite(OUT + 'minisblack_u16_planar.tif', ramp(5, 4, 3, np.uint16, 1000).transpose(2, 0, 1),
                 photometric='minisblack', planarconfig='separate', rowsperstrip=3,
                 resolution=(2.0, 2.0, 'CENTIMETER'), metadata=None)
# RGB 8-bit with horizontal predictor and Deflate, big-endian.
tifffile.imwrite(OUT + 'rgb_u8_predictor_be.tif', ramp(5, 4, 3, np.uint8, 7), byteorder='>',
                 photometric='rgb', compression='zlib', predictor=True)
# RGB 8-bit LZW (Pillow/libtiff: tifffile needs imagecodecs for LZW).
from PIL import Image  # noqa: E402
Image.fromarray(ramp(5, 4, 3, np.uint8)).save(OUT + 'rgb_u8_lzw.tif', compression='tiff_lzw')
for name in ['rgb_u8_chunky_deflate', 'minisblack_u16_planar', 'rgb_u8_predictor_be']:
    with tifffile.TiffFile(OUT + name + '.tif') as tif:
        page = tif.pages[0]
        print(name, tif.asarray().shape, page.planarconfig, page.compression, page.predictor,
              page.tags.get('ResolutionUnit'))

# OME-TIFFs (issue 17 third review). v[c, t, y, x] = ((c * 3 + t) * 3 + y) * 5 + x, channels
# slowest: tifffile writes DimensionOrder XYZTC (the pages channel after channel).
tifffile.imwrite(OUT + 'ome_ctyx_u8.tif', np.arange(90, dtype=np.uint8).reshape(2, 3, 3, 5),
                 ome=True, metadata={'axes': 'CTYX'})
# Two time points of RGB: OME states SizeC 3 (the samples) on pages of 3 samples.
tifffile.imwrite(OUT + 'ome_rgb_t2_u8.tif', ramp(4, 3, 3, np.uint8).reshape(2, 2, 3, 3),
                 ome=True, photometric='rgb', metadata={'axes': 'TYXS'})
# Two RGB series (stage positions) of one page each: tifffile reads the first only.
with tifffile.TiffWriter(OUT + 'ome_rgb_2series_u8.tif', ome=True) as tif:
    tif.write(ramp(2, 3, 3, np.uint8), photometric='rgb')
    tif.write(ramp(2, 3, 3, np.uint8, 100), photometric='rgb')
# A reduced-resolution page (thumbnail, 1 pixel per cm) before the full page (2 × 10⁴ per cm).
with tifffile.TiffWriter(OUT + 'thumbnail_first_u8.tif') as tif:
    tif.write(ramp(1, 2, 3, np.uint8), photometric='rgb', subfiletype=1,
              resolution=(1.0, 1.0), resolutionunit='CENTIMETER')
    tif.write(ramp(3, 4, 1, np.uint8)[..., 0], photometric='minisblack',
              resolution=(2e4, 2e4), resolutionunit='CENTIMETER')
# Given a description, tifffile writes two ImageDescriptions: the user's, then its shape.
tifffile.imwrite(OUT + 'described_rgb_u8.tif', ramp(2, 3, 3, np.uint8), photometric='rgb',
                 description='Plate 3, well B2', resolution=(2e4, 2e4), resolutionunit='CENTIMETER')
with tifffile.TiffWriter(OUT + 'described_2series_u8.tif') as tif:
    tif.write(ramp(2, 3, 3, np.uint8), photometric='rgb', description='well B2')
    tif.write(ramp(2, 3, 3, np.uint8, 100), photometric='rgb', description='well B3')
for name in ['ome_ctyx_u8', 'ome_rgb_t2_u8', 'ome_rgb_2series_u8', 'thumbnail_first_u8',
             'described_rgb_u8', 'described_2series_u8']:
    with tifffile.TiffFile(OUT + name + '.tif') as tif:
        print(name, [(s.axes, s.shape) for s in tif.series])
