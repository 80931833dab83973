"""Times scikit-learn's SVC (libsvm) for the classifier benchmarks of @cellshape/cluster.

`svm_10000x64`: fit + predict of SVC(kernel='rbf', C=5, gamma='scale') on the same synthetic
data as classify.bench.ts (three classes, 10,000 × 64, from the same Park–Miller generator), on
one thread as libsvm is. One JSON line in bench.py's format (`bench`, `median_ms`, `min_ms`, ...).

    /usr/bin/python3 reference_classify.py --reference-dir ../shared/reference --only svm_10000x64
"""
import sys
from pathlib import Path

import numpy as np

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402


def parse_args():
    ap = reference_parser(__doc__, "svm_10000x64", budget=60.0, max_runs=3, threads=False)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--d", type=int, default=64)
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
        emit("svm_10000x64", {"n": args.n, "d": args.d, **result, "threads": 1}, rec, args)


if __name__ == "__main__":
    main()
