"""Writes packages/fuzz/corpus: small valid files made by other tools (numpy, tifffile, torch,
PIL, pandas) and by hand after each format's specification, with what those tools read from
them. The fuzz suite adds them to its targets' seeds (so mutants start from files our writers
never make), and corpus.test.ts checks that our readers read each one as the tool does.

    /usr/bin/python3 packages/fuzz/scripts/foreign_corpus.py

MANIFEST.tsv has one line per (file, target): `file  target  expectation`, where the
expectation is `arrays <count> <elements> <sum>` (the typed arrays our reader returns: how
many, their total length, the float64 sum of their values), `rows <n>` (CSV), or
`refuse <why>` (a valid file using a feature we do not read: it must be refused with our typed
error).
"""
import io
import os
import shutil
import subprocess
import struct
import sys
import tempfile
import zipfile

import numpy as np
import pandas as pd
import tifffile
import torch
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'corpus')
rows = []


def put(family, name, data):
    os.makedirs(os.path.join(OUT, family), exist_ok=True)
    with open(os.path.join(OUT, family, name), 'wb') as f:
        f.write(data)
    return f'{family}/{name}'


def arrays(*arrs):
    arrs = [np.asarray(a) for a in arrs]
    total = sum(float(a.astype(np.float64).sum()) for a in arrs)
    return f'arrays {len(arrs)} {sum(a.size for a in arrs)} {total!r}'


def expect(path, targets, expectation):
    for t in targets:
        rows.append(f'{path}\t{t}\t{expectation}')


def rng_array(shape, dtype, seed):
    r = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.floating):
        return (r.standard_normal(shape) * 100).astype(dtype)
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    return r.integers(lo, hi + 1, size=shape).astype(dtype)


def tiff_bytes(array, **kw):
    buf = io.BytesIO()
    tifffile.imwrite(buf, array, **kw)
    return buf.getvalue()


def tiffs():
    vol = ['tiff', 'volume-sniff']
    cases = [
        ('u8-stack.tif', rng_array((3, 5, 7), np.uint8, 1), {}),
        ('u16-zlib-predictor.tif', rng_array((2, 6, 9), np.uint16, 2), {'compression': 'zlib', 'predictor': True}),
        ('i16-bigendian.tif', rng_array((2, 4, 5), np.int16, 3), {'byteorder': '>'}),
        ('f32-tiled.tif', rng_array((2, 20, 24), np.float32, 4), {'tile': (16, 16)}),
        ('u8-imagej.tif', rng_array((4, 5, 6), np.uint8, 7), {'imagej': True, 'resolution': (2.0, 2.0), 'metadata': {'spacing': 0.5, 'unit': 'um'}}),
        ('f64-rowsperstrip1.tif', rng_array((2, 5, 3), np.float64, 8), {'rowsperstrip': 1}),
        ('u32-contiguous.tif', rng_array((3, 4, 4), np.uint32, 9), {'contiguous': True}),
        ('i8.tif', rng_array((2, 3, 3), np.int8, 10), {}),
        ('u8-ome.tif', rng_array((3, 4, 5), np.uint8, 11), {'ome': True}),
        ('u16-tiled-zlib-bigendian.tif', rng_array((3, 17, 33), np.uint16, 12), {'tile': (16, 16), 'compression': 'zlib', 'byteorder': '>'}),
        ('u8-single-page.tif', rng_array((6, 7), np.uint8, 13), {}),
        # Given a description, tifffile writes two ImageDescription tags (the second its shape).
        ('u16-described.tif', rng_array((3, 4, 5), np.uint16, 17), {'description': 'three slices'}),
    ]
    for name, array, kw in cases:
        # Explicitly grey: tifffile would store a (3, y, x) or (y, x, 3) array as RGB.
        kw = {'photometric': 'minisblack', **kw}
        if kw.get('imagej') or kw.get('ome'):
            kw['metadata'] = {'axes': 'ZYX', **kw.get('metadata', {})}
        path = put('tiff', name, tiff_bytes(array, **kw))
        back = tifffile.imread(path_of(path))
        assert np.array_equal(back, array), name
        expect(path, vol, arrays(array))
    # The floating-point predictor (3), which tifffile writes only with imagecodecs: libtiff's.
    if shutil.which('tiffcp'):
        f32 = rng_array((2, 9, 11), np.float32, 18)
        with tempfile.TemporaryDirectory() as tmp:
            plain, packed = os.path.join(tmp, 'plain.tif'), os.path.join(tmp, 'packed.tif')
            tifffile.imwrite(plain, f32, photometric='minisblack')
            subprocess.run(['tiffcp', '-c', 'zip:3', '-r', '4', plain, packed], check=True)
            with open(packed, 'rb') as f:
                expect(put('tiff', 'f32-zlib-float-predictor.tif', f.read()), vol, arrays(f32))
    # Valid TIFFs using features we do not read: refused with a typed error.
    expect(put('tiff', 'u16-bigtiff.tif', tiff_bytes(rng_array((2, 3, 4), np.uint16, 6), bigtiff=True, photometric='minisblack')), vol, 'refuse BigTIFF')
    # tifffile's default for a (3, y, x) array: an RGB image with separate planes, not 3 slices.
    expect(put('tiff', 'three-slices-as-rgb.tif', tiff_bytes(rng_array((3, 5, 7), np.uint8, 16))), vol, 'refuse RGB')
    rgb = rng_array((5, 6, 3), np.uint8, 14)
    expect(put('tiff', 'rgb-planar.tif', tiff_bytes(np.moveaxis(rgb, -1, 0), photometric='rgb', planarconfig='separate')), vol, 'refuse colour volume')
    expect(put('tiff', 'f16.tif', tiff_bytes(rng_array((2, 3, 3), np.float16, 15))), vol, 'refuse float16')


def path_of(rel):
    return os.path.join(OUT, rel)


def npys():
    def npy(array, version=None):
        buf = io.BytesIO()
        if version is None:
            np.save(buf, array)
        else:
            np.lib.format.write_array(buf, array, version=version)
        return buf.getvalue()

    cases = [
        ('f4-3d.npy', rng_array((3, 4, 5), np.float32, 20), None, ['npy', 'npy-volume', 'volume-sniff']),
        ('f8-bigendian-3d.npy', rng_array((2, 3, 4), np.dtype('>f8'), 21), None, ['npy', 'npy-volume', 'volume-sniff']),
        ('u2-fortran-3d.npy', np.asfortranarray(rng_array((2, 3, 4), np.uint16, 22)), None, ['npy', 'npy-volume', 'volume-sniff']),
        ('i8-v2.npy', rng_array((4, 3), np.int64, 23), (2, 0), ['npy']),
        ('f4-points-v3.npy', rng_array((6, 3), np.float32, 24), (3, 0), ['npy', 'npy-points', 'points-sniff']),
        ('bool.npy', rng_array((2, 2, 2), np.uint8, 25).astype(bool), None, ['npy', 'npy-volume']),
        ('u1-empty.npy', np.zeros((0, 3), np.uint8), None, ['npy']),
        ('i2-scalar.npy', np.array(7, np.int16), None, ['npy']),
        ('f2.npy', rng_array((2, 3), np.float16, 26), None, ['npy']),
    ]
    for name, array, version, targets in cases:
        path = put('npy', name, npy(array, version))
        expect(path, targets, arrays(array))
    expect(put('npy', 'i8-v2.npy', npy(rng_array((4, 3), np.int64, 23), (2, 0))), ['npy-points', 'points-sniff'], 'refuse integer coordinates')
    expect(put('npy', 'complex.npy', npy(np.arange(4, dtype=np.complex64))), ['npy'], 'refuse complex dtype')
    expect(put('npy', 'structured.npy', npy(np.zeros(3, dtype=[('a', '<i4'), ('b', '<f4')]))), ['npy'], 'refuse structured dtype')
    a, b = rng_array((3, 4), np.float32, 27), rng_array((5,), np.int32, 28)
    for name, save in [('plain.npz', np.savez), ('compressed.npz', np.savez_compressed)]:
        buf = io.BytesIO()
        save(buf, weights=a, ids=b)
        expect(put('npz', name, buf.getvalue()), ['npz'], arrays(b, a))
    buf = io.BytesIO()
    np.savez(buf, a, b)  # arr_0, arr_1
    expect(put('npz', 'positional.npz', buf.getvalue()), ['npz'], arrays(a, b))


def torches():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 1), torch.nn.BatchNorm1d(3), torch.nn.Linear(4, 2))
    sd = net.state_dict()
    tensors = [t.numpy() for t in sd.values()]
    for name, kw in [('state-dict.pt', {}), ('state-dict-protocol4.pt', {'pickle_protocol': 4})]:
        buf = io.BytesIO()
        torch.save(sd, buf, **kw)
        expect(put('torch', name, buf.getvalue()), ['torch', 'state-dict'], arrays(*tensors))
    # A training checkpoint: the model, an optimizer's state, numbers.
    opt = torch.optim.Adam(net.parameters())
    net(torch.randn(2, 2, 4)).sum().backward()
    opt.step()
    ckpt = {'epoch': 3, 'model_state_dict': net.state_dict(), 'optimizer_state_dict': opt.state_dict(), 'loss': 0.25}
    buf = io.BytesIO()
    torch.save(ckpt, buf)
    every = [t.numpy() for t in net.state_dict().values()]
    for state in opt.state_dict()['state'].values():
        every += [v.numpy() for v in state.values() if torch.is_tensor(v)]
    expect(put('torch', 'training-checkpoint.pt', buf.getvalue()), ['torch'], arrays(*every))
    # Views: a transposed tensor and two tensors sharing one storage.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    views = {'t': base.t(), 'row': base[1], 'half': torch.arange(5, dtype=torch.float16), 'long': torch.tensor([1, -2, 3])}
    buf = io.BytesIO()
    torch.save(views, buf)
    expect(put('torch', 'views.pt', buf.getvalue()), ['torch'], arrays(*[v.numpy() for v in views.values()]))
    buf = io.BytesIO()
    torch.save(sd, buf, _use_new_zipfile_serialization=False)
    expect(put('torch', 'legacy-format.pt', buf.getvalue()), ['torch', 'state-dict'], 'refuse legacy (pre-1.6) torch.save format')


def meshes():
    v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.5]], np.float32)
    f = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]], np.uint32)
    mesh_targets = lambda t: [t, 'mesh-sniff']
    exp = arrays(v, f)
    ply_header = lambda fmt, extra='': (
        f'ply\nformat {fmt} 1.0\ncomment made by hand\nobj_info test\nelement vertex 4\nproperty float x\n'
        f'property float y\nproperty float z\n{extra}element face 4\nproperty list uchar int vertex_indices\nend_header\n')
    body = ''.join(f'{a} {b} {c}\n' for a, b, c in v) + ''.join(f'3 {a} {b} {c}\n' for a, b, c in f)
    expect(put('mesh', 'ascii.ply', (ply_header('ascii') + body).encode()), mesh_targets('ply-mesh'), exp)
    for fmt, e in [('binary_little_endian', '<'), ('binary_big_endian', '>')]:
        out = ply_header(fmt, 'property uchar red\n').encode()
        for a, b, c in v:
            out += struct.pack(f'{e}fffB', a, b, c, 200)
        for a, b, c in f:
            out += struct.pack(f'{e}Biii', 3, a, b, c)
        expect(put('mesh', f'{fmt}-with-colour.ply', out), mesh_targets('ply-mesh'), exp)
    quad = 'ply\nformat ascii 1.0\nelement vertex 4\nproperty double x\nproperty double y\nproperty double z\nelement face 1\nproperty list uint8 uint32 vertex_index\nend_header\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3\n'
    expect(put('mesh', 'quad.ply', quad.encode()), mesh_targets('ply-mesh'), arrays(np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], np.float32), np.array([[0, 1, 2], [0, 2, 3]])))
    obj = '# made by hand\no tet\n' + ''.join(f'v {a} {b} {c}\n' for a, b, c in v) + 'vn 0 0 1\nvt 0.5 0.5\ng side\nusemtl none\ns off\n'
    obj += ''.join(f'f {a + 1}/1/1 {b + 1}//1 {c + 1}\n' for a, b, c in f[:2]) + ''.join(f'f {a - 4} {b - 4} {c - 4}\r\n' for a, b, c in f[2:])
    expect(put('mesh', 'tet.obj', obj.encode()), mesh_targets('obj'), exp)
    off = 'OFF\n# comment\n4 4 6\n' + ''.join(f'{a} {b} {c}\n' for a, b, c in v) + ''.join(f'3 {a} {b} {c} 255 0 0\n' for a, b, c in f)
    expect(put('mesh', 'tet.off', off.encode()), mesh_targets('off'), exp)
    tri = v[f]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    stl = 'solid tet\n' + ''.join(
        f' facet normal {n[0]:e} {n[1]:e} {n[2]:e}\n  outer loop\n' + ''.join(f'   vertex {p[0]:e} {p[1]:e} {p[2]:e}\n' for p in t) + '  endloop\n endfacet\n'
        for n, t in zip(normals, tri)) + 'endsolid tet\n'
    # STL stores each triangle's corners: readers may merge equal corners or keep all 12.
    expect(put('mesh', 'tet-ascii.stl', stl.encode()), mesh_targets('stl'), 'stl 4')
    binary = b'solid but binary'.ljust(80, b' ') + struct.pack('<I', 4) + b''.join(
        struct.pack('<3f', *n) + t.astype('<f4').tobytes() + b'\0\0' for n, t in zip(normals, tri))
    expect(put('mesh', 'tet-binary-solid-header.stl', binary), mesh_targets('stl'), 'stl 4')


def points():
    p = np.array([[0.5, 1, 2], [3, 4, 5.25], [-1, 0, 1e-3]], np.float32)
    pts = lambda t: [t, 'points-sniff']
    ply = 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\nproperty float ny\nproperty float nz\nend_header\n'
    ply += ''.join(f'{a} {b} {c} 0 0 1\n' for a, b, c in p)
    expect(put('points', 'normals.ply', ply.encode()), pts('ply-points'), arrays(p, np.tile([0, 0, 1], (3, 1))))
    df = pd.DataFrame(p, columns=['x', 'y', 'z'])
    expect(put('points', 'pandas-index.csv', df.to_csv().encode()), pts('csv-points'), arrays(p))
    expect(put('points', 'pandas-crlf.csv', df.to_csv(index=False, lineterminator='\r\n').encode()), pts('csv-points'), arrays(p))


def tables():
    df = pd.DataFrame({'id': [1, 2, 3], 'name': ['a, "quoted"', 'line\nbreak', ''], 'value': [1.5, np.nan, -2]})
    expect(put('csv', 'pandas-quoted.csv', df.to_csv(index=False).encode()), ['metadata-csv'], 'rows 3')
    expect(put('csv', 'pandas-bom.csv', df.to_csv(index=False).encode('utf-8-sig')), ['metadata-csv'], 'rows 3')
    cp = pd.DataFrame({'ImageNumber': [1, 1, 2], 'ObjectNumber': [1, 2, 1], 'Location_Center_X': [10.5, 20, 30], 'Location_Center_Y': [5, 6.25, 7]})
    expect(put('csv', 'cellprofiler.csv', cp.to_csv(index=False).encode()), ['centroid-table'], 'rows 3')
    params = pd.DataFrame({'Parameter': ['pixel_scale', 'pixel_unit', 'frame_interval'], 'Value': [0.65, 'microns', 10]})
    expect(put('csv', 'usiigaci-parameters.csv', params.to_csv(index=False).encode()), ['usiigaci-parameters'], 'pixel 0.65 µm')
    params['Value'] = [1.3, 'µm', 10]
    expect(put('csv', 'usiigaci-parameters-cp1252.csv', params.to_csv(index=False, encoding='cp1252').encode('cp1252')), ['usiigaci-parameters'], 'pixel 1.3 µm')


def images():
    def png(img, **kw):
        buf = io.BytesIO()
        img.save(buf, format='PNG', **kw)
        return buf.getvalue()

    two = ['image2d-png']
    grey = rng_array((5, 7), np.uint8, 40)
    expect(put('image', 'grey.png', png(Image.fromarray(grey))), two + ['label-image2d'], arrays(grey))
    rgb = rng_array((4, 6, 3), np.uint8, 41)
    expect(put('image', 'rgb.png', png(Image.fromarray(rgb))), two, arrays(rgb))
    rgba = rng_array((3, 3, 4), np.uint8, 42)
    expect(put('image', 'rgba.png', png(Image.fromarray(rgba))), two, arrays(rgba))
    g16 = rng_array((4, 5), np.uint16, 43)
    expect(put('image', 'grey16.png', png(Image.fromarray(g16))), two + ['label-image2d'], arrays(g16))
    pal = Image.fromarray(rgb).convert('P', palette=Image.ADAPTIVE, colors=8)
    expanded = np.asarray(pal.convert('RGB'))
    expect(put('image', 'palette.png', png(pal)), two, arrays(expanded))
    bw = Image.fromarray(grey > 128)
    expect(put('image', 'one-bit.png', png(bw)), two, arrays(np.asarray(bw).astype(np.uint8)))  # samples 0 and 1
    expect(put('image', 'with-dpi.png', png(Image.fromarray(grey), dpi=(300, 300))), two, arrays(grey))
    t2 = ['image2d-tiff']
    expect(put('image', 'rgb.tif', tiff_bytes(rgb, photometric='rgb')), t2, arrays(rgb))
    expect(put('image', 'rgb-described.tif', tiff_bytes(rgb, photometric='rgb', description='well B2')), t2, arrays(rgb))
    expect(put('image', 'u16-zlib.tif', tiff_bytes(g16, compression='zlib', resolution=(4.0, 4.0))), t2 + ['label-image2d'], arrays(g16))
    f = rng_array((6, 4), np.float32, 44)
    expect(put('image', 'f32-tiled.tif', tiff_bytes(np.pad(f, ((0, 10), (0, 12))), tile=(16, 16))), t2, arrays(np.pad(f, ((0, 10), (0, 12)))))


def main():
    tiffs()
    npys()
    torches()
    meshes()
    points()
    tables()
    images()
    with open(os.path.join(OUT, 'MANIFEST.tsv'), 'w') as out:
        out.write('# written by packages/fuzz/scripts/foreign_corpus.py: file, target, expectation\n')
        out.write('\n'.join(rows) + '\n')
    print(f'{len(rows)} lines, {sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)} bytes', file=sys.stderr)


main()
