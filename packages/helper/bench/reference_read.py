"""Times the Python ecosystem's readers on the files of read.bench.ts for `pnpm bench`, one JSON
line per measurement in bench.py's format: tifffile.imread for TIFF stacks, numpy.load for .npy.

    /usr/bin/python3 packages/helper/bench/reference_read.py --only tiff_read --file stack.tif
"""
import argparse
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import measure  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reference-dir", default=None, help="unused (the reference is ours)")
    ap.add_argument("--only", required=True, choices=["tiff_read", "npy_read"])
    ap.add_argument("--file", required=True)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--max-runs", type=int, default=20)
    args = ap.parse_args()
    if args.only == "tiff_read":
        import tifffile
        read = lambda: tifffile.imread(args.file)  # noqa: E731
    else:
        import numpy
        read = lambda: numpy.load(args.file)  # noqa: E731
    rec = measure(read, args.budget, args.max_runs)
    out = {"bench": args.only, "file": args.file}
    out.update(rec)
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
