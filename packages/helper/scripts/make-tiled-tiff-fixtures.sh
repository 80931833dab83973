#!/bin/sh
# Writes the tiled TIFF fixtures of src/volume/tiff-tiles.test.ts: tifffile writes each stack
# uncompressed (values v(z, y, x) = (7z + 5y + 3x) mod 251 · scale, see the test), libtiff's
# tiffcp re-tiles and compresses it (LZW, PackBits, Deflate; predictor 2 where given).
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
PY
tiffcp -c lzw:2 -t -w 16 -l 16 "$tmp/uint16.tif" "$out/tiled-lzw-predictor-uint16-2x21x37.tif"
tiffcp -c packbits -t -w 16 -l 16 "$tmp/uint8.tif" "$out/tiled-packbits-uint8-2x21x37.tif"
tiffcp -c zip -t -w 16 -l 16 "$tmp/int32.tif" "$out/tiled-deflate-int32-2x21x37.tif"
tiffcp -c lzw -t -w 16 -l 16 "$tmp/uint8-white.tif" "$out/tiled-lzw-miniswhite-uint8-2x21x37.tif"
rm -r "$tmp"
