"""Writes src/measures/fixtures/mask-measures.json: binary masks (random unions of ellipses and
rectangles, a line, a single pixel, a ring, a diagonal) and scikit-image's regionprops of each
(area, perimeter, axis_major_length, axis_minor_length, eccentricity, solidity, extent), the
expected values of mask-measures.test.ts.

    /usr/bin/python3 packages/profile/scripts/make-mask-measures-fixture.py
"""
import json
import os
import numpy as np
import skimage
from skimage.draw import ellipse, rectangle
from skimage.measure import regionprops

rng = np.random.default_rng(7)
S = 28


def blob():
    m = np.zeros((S, S), np.uint8)
    for _ in range(rng.integers(1, 4)):
        if rng.random() < 0.7:
            rr, cc = ellipse(rng.uniform(8, 20), rng.uniform(8, 20), rng.uniform(2, 9), rng.uniform(2, 9),
                             shape=m.shape, rotation=rng.uniform(0, np.pi))
        else:
            r0, c0 = rng.integers(3, 15, 2)
            rr, cc = rectangle((r0, c0), extent=tuple(rng.integers(2, 10, 2)), shape=m.shape)
        m[rr, cc] = 1
    return m


masks = [blob() for _ in range(40)]
line = np.zeros((S, S), np.uint8); line[10, 4:20] = 1
pixel = np.zeros((S, S), np.uint8); pixel[5, 6] = 1
ring = np.zeros((S, S), np.uint8); rr, cc = ellipse(14, 14, 10, 8, shape=ring.shape); ring[rr, cc] = 1
rr, cc = ellipse(14, 14, 5, 4, shape=ring.shape); ring[rr, cc] = 0
diagonal = np.eye(S, dtype=np.uint8)[::-1].copy()
edge = np.zeros((S, S), np.uint8); edge[0:6, 20:28] = 1  # touching the border
masks += [line, pixel, ring, diagonal, edge]

cases = []
for m in masks:
    p = regionprops(m)[0]
    cases.append({
        'rows': [''.join(str(int(v)) for v in row) for row in m],
        'area': float(p.area), 'perimeter': float(p.perimeter),
        'axis_major': float(p.axis_major_length), 'axis_minor': float(p.axis_minor_length),
        'eccentricity': float(p.eccentricity), 'solidity': float(p.solidity), 'extent': float(p.extent),
    })
out = os.path.join(os.path.dirname(__file__), '..', 'src', 'measures', 'fixtures')
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, 'mask-measures.json'), 'w') as f:
    json.dump({'skimage': skimage.__version__, 'cases': cases}, f, indent=0)
print(len(cases), 'cases')
