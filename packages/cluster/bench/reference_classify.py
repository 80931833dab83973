"""Times scikit-learn's SVC (libsvm) for the classifier benchmarks of @cellshape/cluster.

`svm_10000x64`: fit + predict of SVC(kernel='rbf', C=5, gamma='scale') on the same synthetic
data as classify.bench.ts (three classes, 10,000 × 64, from the same Park–Miller generator), on
one thread as libsvm is. One JSON line in bench.py's format (`bench`, `median_ms`, `min_ms`, ...).

    /usr/bin/python3 reference_classify.py --reference-dir ../shared/reference --only svm_10000x64
"""
import argparse
import json
import resource
import sys
from pathlib import Path

import numpy as np

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import measure  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reference-dir", help="unused (the harness passes it)")
    ap.add_argument("--only", default="svm_10000x64")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per measurement")
    ap.add_argument("--max-runs", type=int, default=3)
    return ap.parse_args()


def synthetic(n, d):
    """Uniform [-1, 1) features, class i % 3 shifted by 0.8 along feature (i % 3): see classify.bench.ts."""
    x = np.empty(n * d)
    s = 1
    for t in range(n * d):
        s = (s * 16807) % 2147483647
        x[t] = s / 2147483647 * 2 - 1
    x = x.reshape(n, d)
    y = np.arange(n) % 3
    x[np.arange(n), y] += 0.8
    return x, y


def main():
    args = parse_args()
    from sklearn.svm import SVC

    if "svm_10000x64" in args.only.split(","):
        X, y = synthetic(args.n, args.d)
        result = {}

        def fit_predict():
            model = SVC(kernel="rbf", C=5.0, gamma="scale").fit(X, y)
            result["accuracy"] = float((model.predict(X) == y).mean())
            result["n_support"] = int(model.n_support_.sum())

        rec = measure(fit_predict, args.budget, args.max_runs)
        out = {"bench": "svm_10000x64", "n": args.n, "d": args.d, **result, **rec, "threads": 1,
               "budget_s": args.budget,
               "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
