"""Golden numbers for @cellshape/profile's preprocessing (src/preprocess/fixtures/reference.json).

Run with the reference harness's Python (scikit-image 0.19, scipy 1.10):

    /usr/bin/python3 packages/profile/scripts/preprocess_reference.py

Each case stores its input image (small, seeded) and the reference output, so the TypeScript
tests never need Python. References:
* gaussian_filter / median_filter: scipy.ndimage (mode and footprint as named in the case);
* rolling_ball: skimage.restoration.rolling_ball (the erosion by the ball);
* rolling_ball_opening: the grey-scale opening by the same ball with ball centres allowed up to
  one radius outside the image (what ImageJ's rollBall computes at full resolution), written here
  with numpy from its definition;
* tv_chambolle: skimage.restoration.denoise_tv_chambolle on float64 input;
* rollingBallImagej / rankImagej: ImageJ 1.x itself (BackgroundSubtracter.rollingBallBackground,
  "rolling ball", create background; RankFilters MEDIAN and bright OUTLIERS) on a FloatProcessor,
  run through `java` with the jar of Debian's `libij-java` (/usr/share/java/ij.jar; `apt-get
  install libij-java`). Without java or the jar these cases are left out, loudly, and the previous
  fixture's are kept.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import scipy
import scipy.ndimage as ndi
import skimage
from skimage.morphology import disk
from skimage.restoration import denoise_tv_chambolle, rolling_ball
from skimage.restoration.rolling_ball import ball_kernel

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'preprocess', 'fixtures', 'reference.json')


def test_image(h, w, seed):
    """A tilted background, two bright blobs, a dark pit and noise; values about 0..120."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = 20 + 0.8 * x + 0.5 * y
    img += 60 * np.exp(-((y - h * 0.3) ** 2 + (x - w * 0.4) ** 2) / 6.0)
    img += 40 * np.exp(-((y - h * 0.7) ** 2 + (x - w * 0.75) ** 2) / 3.0)
    img[h // 2, w // 5] -= 15
    img += rng.normal(0, 2, size=(h, w))
    return img


def opening_by_ball(img, radius):
    """Erosion at every ball centre within one reach of the image, then the upper hull."""
    k = ball_kernel(radius, 2)
    reach = k.shape[0] // 2
    h, w = img.shape
    padded = np.full((h + 4 * reach, w + 4 * reach), np.inf)
    padded[2 * reach:2 * reach + h, 2 * reach:2 * reach + w] = img
    offsets = [(dy - reach, dx - reach, k[dy, dx]) for dy in range(k.shape[0]) for dx in range(k.shape[1])
               if np.isfinite(k[dy, dx])]
    eh, ew = h + 2 * reach, w + 2 * reach  # centres at -reach .. h+reach-1
    eroded = np.full((eh, ew), np.inf)
    for dy, dx, z in offsets:
        win = padded[reach + dy:reach + dy + eh, reach + dx:reach + dx + ew]
        eroded = np.minimum(eroded, win - z)
    out = np.full((h, w), -np.inf)
    for dy, dx, z in offsets:
        # pixel (y, x) is reached from centre (y - dy, x - dx), index (y - dy + reach)
        win = eroded[reach - dy:reach - dy + h, reach - dx:reach - dx + w]
        cand = np.where(np.isfinite(win), win + z, -np.inf)
        out = np.maximum(out, cand)
    return out


IJ_JAR = '/usr/share/java/ij.jar'

# A one-file Java program: reads float32 little-endian pixels, runs one ImageJ filter on a
# FloatProcessor, writes the result. Arguments: in width height op radius extra out, where op is
# "rollingball" (extra: presmooth; the background is written), "median" or "outliers" (extra:
# threshold; bright outliers).
IMAGEJ_PROGRAM = r"""
import ij.plugin.filter.BackgroundSubtracter;
import ij.plugin.filter.RankFilters;
import ij.process.FloatProcessor;
import java.nio.*;
import java.nio.file.*;

public class ImageJGolden {
    public static void main(String[] args) throws Exception {
        int width = Integer.parseInt(args[1]), height = Integer.parseInt(args[2]);
        String op = args[3];
        double radius = Double.parseDouble(args[4]);
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(Paths.get(args[0]))).order(ByteOrder.LITTLE_ENDIAN);
        float[] pixels = new float[width * height];
        in.asFloatBuffer().get(pixels);
        FloatProcessor fp = new FloatProcessor(width, height, pixels);
        if (op.equals("rollingball"))
            // createBackground, lightBackground, useParaboloid, doPresmooth, correctCorners
            new BackgroundSubtracter().rollingBallBackground(fp, radius, true, false, false,
                Boolean.parseBoolean(args[5]), true);
        else if (op.equals("median"))
            new RankFilters().rank(fp, radius, RankFilters.MEDIAN);
        else
            new RankFilters().rank(fp, radius, RankFilters.OUTLIERS, RankFilters.BRIGHT_OUTLIERS,
                Float.parseFloat(args[5]));
        ByteBuffer out = ByteBuffer.allocate(4 * width * height).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put((float[]) fp.getPixels());
        Files.write(Paths.get(args[6]), out.array());
        System.exit(0); // RankFilters leaves worker threads that would keep the JVM alive
    }
}
"""


def run_imagej(img, op, radius, extra):
    """ImageJ's result of `op` on a float32 image, or None without java and ij.jar."""
    if shutil.which('java') is None or not os.path.exists(IJ_JAR):
        return None
    h, w = img.shape
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'ImageJGolden.java')
        with open(src, 'w') as f:
            f.write(IMAGEJ_PROGRAM)
        inp, out = os.path.join(tmp, 'in.f32'), os.path.join(tmp, 'out.f32')
        img.astype('<f4').tofile(inp)
        subprocess.run(['java', '-Djava.awt.headless=true', '-cp', IJ_JAR, src, inp, str(w), str(h), op,
                        str(radius), str(extra), out], check=True, timeout=300)
        return np.fromfile(out, dtype='<f4').reshape(h, w).astype(np.float64)


def imagej_version():
    if not os.path.exists(IJ_JAR):
        return None
    return os.path.basename(os.path.realpath(IJ_JAR)).removeprefix('ij-').removesuffix('.jar')


def cells_image(h, w):
    """A smooth background (plane plus a wide bump) and three 80-unit Gaussian cells, float32 values."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    bg = 30 + 0.05 * x + 0.03 * y + 10 * np.exp(-((x - w / 2) ** 2 + (y - h / 2) ** 2) / (2 * 60 ** 2))
    cells = sum(80 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 4 ** 2))
                for cy, cx in [(0.4 * h, 0.4 * w), (0.7 * h, 0.8 * w), (0.2 * h, 0.75 * w)])
    return (bg + cells).astype(np.float32).astype(np.float64)


INPUTS = {}


def case(name, input_, output, **params):
    """A case refers to its input by key (inputs are shared, stored once, exactly); outputs keep
    10 significant digits, far below every test tolerance."""
    key = f'{input_.shape[0]}x{input_.shape[1]}-' + hashlib.sha1(input_.tobytes()).hexdigest()[:10]
    INPUTS[key] = input_.ravel().tolist()
    output = [float(f'{v:.10g}') for v in np.asarray(output, dtype=np.float64).ravel()]
    return {'name': name, 'shape': list(input_.shape), 'input': key, 'output': output, **params}


def main():
    a = test_image(24, 28, 1)
    b = test_image(17, 23, 2)
    cases = {
        'gaussian': [
            case('sigma 1.5 reflect', a, ndi.gaussian_filter(a, 1.5, mode='reflect'), sigma=1.5, mode='reflect'),
            case('sigma 2 nearest', b, ndi.gaussian_filter(b, 2.0, mode='nearest'), sigma=2.0, mode='nearest'),
            case('sigma 0.7 reflect', b, ndi.gaussian_filter(b, 0.7, mode='reflect'), sigma=0.7, mode='reflect'),
        ],
        'median': [
            case('disk 2', a, ndi.median_filter(a, footprint=disk(2), mode='reflect'), radius=2, footprint='disk'),
            case('disk 3', b, ndi.median_filter(b, footprint=disk(3), mode='reflect'), radius=3, footprint='disk'),
            case('square 1', b, ndi.median_filter(b, size=3, mode='reflect'), radius=1, footprint='square'),
        ],
        'rollingBall': [
            case('skimage r5', a, rolling_ball(a, radius=5), radius=5, method='skimage'),
            case('skimage r9', b, rolling_ball(b, radius=9), radius=9, method='skimage'),
            case('opening r5', a, opening_by_ball(a, 5), radius=5, method='exact'),
            case('opening r9', b, opening_by_ball(b, 9), radius=9, method='exact'),
        ],
        'tvChambolle': [
            case('weight 0.1', a / 120, denoise_tv_chambolle(a / 120, weight=0.1), weight=0.1, eps=2e-4, maxIterations=200),
            case('weight 0.3', b / 120, denoise_tv_chambolle(b / 120, weight=0.3), weight=0.3, eps=2e-4, maxIterations=200),
            case('weight 5, 30 iterations', a, denoise_tv_chambolle(a, weight=5.0, eps=1e-6, max_num_iter=30),
                 weight=5.0, eps=1e-6, maxIterations=30),
        ],
    }
    imagej = {'rollingBallImagej': [], 'rankImagej': []}
    c = cells_image(64, 72)
    for name, img, radius, presmooth in [('imagej r5 noisy', a, 5, True), ('imagej r5 no presmooth', a, 5, False),
                                         ('imagej r20 cells', c, 20, True), ('imagej r50 cells', c, 50, True),
                                         ('imagej r120 cells', c, 120, True)]:
        img32 = img.astype(np.float32).astype(np.float64)
        bg = run_imagej(img32, 'rollingball', radius, 'true' if presmooth else 'false')
        if bg is not None:
            imagej['rollingBallImagej'].append(
                case(name, img32, bg, radius=radius, presmooth=presmooth, method='imagej'))
    speckled = np.round(a).astype(np.float32).astype(np.float64)
    speckled[3, 4] += 90
    speckled[10, 20] += 40
    speckled[17, 9] += 200
    for name, op, img, radius, threshold in [('median r2', 'median', speckled, 2, 0),
                                             ('median r1.5', 'median', b, 1.5, 0),
                                             ('median r4', 'median', speckled, 4, 0),
                                             ('outliers r2 t20', 'outliers', speckled, 2, 20),
                                             ('outliers r10 t50', 'outliers', speckled, 10, 50)]:
        img32 = img.astype(np.float32).astype(np.float64)
        out = run_imagej(img32, op, radius, threshold)
        if out is not None:
            imagej['rankImagej'].append(case(name, img32, out, op=op, radius=radius, threshold=threshold))
    for key, value in imagej.items():
        if value:
            cases[key] = value
            continue
        print(f'WARNING: no java or no {IJ_JAR}: {key} kept from the old fixture', file=sys.stderr)
        try:
            with open(OUT) as f:
                old = json.load(f)
            cases[key] = old[key]
            INPUTS.update({c['input']: old['inputs'][c['input']] for c in old[key]})
        except (OSError, KeyError):
            pass
    doc = {
        'generator': 'packages/profile/scripts/preprocess_reference.py',
        'versions': {'scikit-image': skimage.__version__, 'scipy': scipy.__version__, 'numpy': np.__version__,
                     'imagej': imagej_version()},
        'inputs': INPUTS,
        **cases,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f)
        f.write('\n')
    print(f'wrote {OUT}', file=sys.stderr)


if __name__ == '__main__':
    main()
