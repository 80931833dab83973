"""Times Pillow reading the PNGs of read-image.bench.ts for `pnpm bench`, one JSON line per
measurement in bench.py's format: numpy.asarray(Image.open(path)) (decoded pixels, as ours).

    /usr/bin/python3 packages/profile/bench/reference_read_image.py --only png_read --file image.png
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402


def main():
    ap = reference_parser(__doc__, None, budget=20.0, max_runs=20, threads=False)
    ap.add_argument("--file", required=True)
    args = ap.parse_args()
    if args.only != "png_read":
        ap.error("--only must be png_read")
    import numpy
    from PIL import Image

    def read():
        with Image.open(args.file) as image:
            return numpy.asarray(image)

    emit(args.only, {"file": args.file}, measure(read, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
