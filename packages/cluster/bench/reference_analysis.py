"""Times scikit-learn's versions of the analysis bench cases (analysis.bench.ts).

10,000 samples x 64 features from make_blobs (8 centres, std 1, random_state 0), float64, on the
machine's cores (BLAS/OpenMP threads as installed). One JSON line per measurement in bench.py's
format (`bench`, `median_ms`, `min_ms`, ...). `hdbscan` prints nothing when neither
`sklearn.cluster.HDBSCAN` (scikit-learn >= 1.3) nor the `hdbscan` package imports.

    /usr/bin/python3 reference_analysis.py --only silhouette,gmm,hdbscan,dbscan
"""
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402


def parse_args():
    ap = reference_parser(__doc__, "silhouette,gmm,hdbscan,dbscan", budget=20.0, max_runs=5,
                          threads=False)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=64)
    return ap.parse_args()


def hdbscan_class():
    try:
        from sklearn.cluster import HDBSCAN

        return HDBSCAN, f"sklearn {sklearn.__version__}"
    except ImportError:
        pass
    try:
        import hdbscan

        return hdbscan.HDBSCAN, "hdbscan package"
    except ImportError:
        return None, None


def main():
    args = parse_args()
    x, y = make_blobs(args.n, n_features=args.d, centers=8, random_state=0)
    only = set(args.only.split(","))
    runs = {
        "silhouette": lambda: silhouette_score(x, y),
        "gmm": lambda: GaussianMixture(8, random_state=0).fit(x),
        "dbscan": lambda: DBSCAN(eps=10, min_samples=5).fit(x),
    }
    cls, which = hdbscan_class()
    if cls is not None:
        runs["hdbscan"] = lambda: cls(min_cluster_size=5).fit(x)
    for name, fn in runs.items():
        if name not in only:
            continue
        params = {"n": args.n, "d": args.d, "sklearn": sklearn.__version__}
        if name == "hdbscan":
            params["implementation"] = which
        emit(name, params, measure(fn, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
