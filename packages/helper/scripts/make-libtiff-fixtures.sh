#!/bin/sh
# Writes the libtiff TIFF fixtures of src/volume/tiff-tiles.test.ts and
# src/volume/tiff-float-predictor.test.ts: tifffile writes each stack uncompressed, libtiff's
# tiffcp re-tiles and compresses it (LZW, PackBits, Deflate; predictor 2 or 3 where given).
# Tiled: v(z, y, x) = (7z + 5y + 3x) mod 251 · scale. Floating-point predictor (3, which tifffile
# writes only with imagecodecs): v · 0.37 − 40, little-endian only (libtiff's own reader does not
# read back the big-endian files tiffcp -B writes with this predictor).
# Needs /usr/bin/python3 with numpy + tifffile, and tiffcp (Debian libtiff-tools).
set -eu
out="$(dirname "$0")/../src/volume/fixtures"
tmp=$(mktemp -d)
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np, tifffile
tmp = sys.argv[1]
z, y, x = np.meshgrid(np.arange(2), np.arange(21), np.arange(37), indexing='ij')
v = (7 * z + 5 * y + 3 * x) % 251
tifffile.imwrite(f'{tmp}/uint8.tif', v.astype(np.uint8), photometric='minisblack')
tifffile.imwrite(f'{tmp}/uint16.tif', (v * 257).astype(np.uint16), photometric='minisblack')
tifffile.imwrite(f'{tmp}/int32.tif', (v * 100000 - 12500000).astype(np.int32), photometric='minisblack')
tifffile.imwrite(f'{tmp}/uint8-white.tif', v.astype(np.uint8), photometric='miniswhite')
f = v * 0.37 - 40
tifffile.imwrite(f'{tmp}/float32.tif', f.astype(np.float32), photometric='minisblack')
tifffile.imwrite(f'{tmp}/float64.tif', f, photometric='minisblack')
# One RGB page: sample c of pixel (y, x) is v(c, y, x) · 0.37 − 40 (c = 0, 1, 2).
z, y, x = np.meshgrid(np.arange(3), np.arange(21), np.arange(37), indexing='ij')
rgb = ((7 * z + 5 * y + 3 * x) % 251) * 0.37 - 40
tifffile.imwrite(f'{tmp}/rgb.tif', np.moveaxis(rgb, 0, -1).astype(np.float32), photometric='rgb')
PY
tiffcp -c lzw:2 -t -w 16 -l 16 "$tmp/uint16.tif" "$out/tiled-lzw-predictor-uint16-2x21x37.tif"
tiffcp -c packbits -t -w 16 -l 16 "$tmp/uint8.tif" "$out/tiled-packbits-uint8-2x21x37.tif"
tiffcp -c zip -t -w 16 -l 16 "$tmp/int32.tif" "$out/tiled-deflate-int32-2x21x37.tif"
tiffcp -c lzw -t -w 16 -l 16 "$tmp/uint8-white.tif" "$out/tiled-lzw-miniswhite-uint8-2x21x37.tif"
tiffcp -c zip:3 -r 8 "$tmp/float32.tif" "$out/predictor3-deflate-float32-2x21x37.tif"
tiffcp -c lzw:3 "$tmp/float64.tif" "$out/predictor3-lzw-float64-2x21x37.tif"
tiffcp -c zip:3 -t -w 16 -l 16 "$tmp/float32.tif" "$out/tiled-predictor3-deflate-float32-2x21x37.tif"
tiffcp -c zip:3 "$tmp/rgb.tif" "$out/predictor3-deflate-float32-rgb-21x37.tif"
rm -r "$tmp"
