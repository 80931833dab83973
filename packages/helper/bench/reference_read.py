"""Times the Python ecosystem's readers on the files of the reader benchmarks for `pnpm bench`
(helper's read.bench.ts, profile's read-image.bench.ts), one JSON line per measurement in
bench.py's format: tifffile.imread for TIFF stacks, numpy.load for .npy,
numpy.asarray(Image.open(path)) for PNGs (Pillow; decoded pixels, as ours).

    /usr/bin/python3 packages/helper/bench/reference_read.py --only tiff_read --file stack.tif
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402


def main():
    ap = reference_parser(__doc__, None, budget=20.0, max_runs=20, threads=False)
    ap.add_argument("--file", required=True)
    args = ap.parse_args()
    if args.only not in ("tiff_read", "npy_read", "png_read"):
        ap.error("--only must be tiff_read, npy_read or png_read")
    import numpy
    if args.only == "tiff_read":
        import tifffile
        read = lambda: tifffile.imread(args.file)  # noqa: E731
    elif args.only == "npy_read":
        read = lambda: numpy.load(args.file)  # noqa: E731
    else:
        from PIL import Image

        def read():
            with Image.open(args.file) as image:
                return numpy.asarray(image)
    emit(args.only, {"file": args.file}, measure(read, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
