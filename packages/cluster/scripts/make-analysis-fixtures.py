"""Expected numbers of the clustering metrics, the Gaussian mixture and DBSCAN, from scikit-learn.

Run with the reference harness's Python (scikit-learn 1.2.1):

    /usr/bin/python3 packages/cluster/scripts/make-analysis-fixtures.py

Writes small JSON files to packages/cluster/src/fixtures/analysis/ that the tests read; the tests
never need Python. HDBSCAN's expected labels do not come from here (scikit-learn 1.2.1 has no
HDBSCAN): they are copied from the published test suites, see hdbscan.json's `source` fields.
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "fixtures", "analysis")
AVERAGES = ["min", "geometric", "arithmetic", "max"]


def error_or(fn):
    """The value, or {'error': message} when scikit-learn raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = fn()
        return v.tolist() if isinstance(v, np.ndarray) else float(v)
    except ValueError as e:
        return {"error": str(e)}


def label_pair_cases():
    rng = np.random.RandomState(0)
    cases = {
        "random_4x5": (rng.randint(0, 4, 30), rng.randint(0, 5, 30)),
        "noise_labels": (rng.randint(0, 3, 25), rng.randint(-1, 3, 25)),
        "renamed_identical": ([0, 0, 1, 1, 2, 2, 2], [5, 5, 3, 3, -1, -1, -1]),
        "both_one_cluster": ([1, 1, 1, 1], [0, 0, 0, 0]),
        "pred_one_cluster": ([0, 0, 1, 1, 2], [3, 3, 3, 3, 3]),
        "pred_all_singletons": ([0, 0, 1, 1, 2], [0, 1, 2, 3, 4]),
        "both_all_singletons": ([0, 1, 2, 3], [3, 2, 1, 0]),
        "single_member_clusters": ([0, 0, 0, 1, 1, 2, 3, 3], [0, 0, 1, 1, 1, 2, 2, 4]),
        "one_sample": ([3], [7]),
        "large_300_6x8": (rng.randint(0, 6, 300), rng.randint(0, 8, 300)),
        "independent_halves": ([0, 0, 1, 1], [0, 1, 0, 1]),
    }
    out = []
    for name, (t, p) in cases.items():
        t, p = np.asarray(t), np.asarray(p)
        hcv = metrics.homogeneity_completeness_v_measure(t, p)
        hcv_half = metrics.homogeneity_completeness_v_measure(t, p, beta=0.5)
        out.append(
            {
                "name": name,
                "truth": t.tolist(),
                "labels": p.tolist(),
                "mutualInfo": float(metrics.mutual_info_score(t, p)),
                "nmi": {m: float(metrics.normalized_mutual_info_score(t, p, average_method=m)) for m in AVERAGES},
                "ami": {m: float(metrics.adjusted_mutual_info_score(t, p, average_method=m)) for m in AVERAGES},
                "ari": float(metrics.adjusted_rand_score(t, p)),
                "hcv": [float(v) for v in hcv],
                "hcvBeta05": [float(v) for v in hcv_half],
            }
        )
    return out


def matrix_cases():
    rng = np.random.RandomState(1)
    blobs, blob_labels = make_blobs(40, n_features=3, centers=4, random_state=2)
    grid = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [3, 3], [3, 4], [4, 3], [4, 4], [0, 0], [4, 4]], float)
    cases = {
        "blobs_40x3_k4": (blobs, blob_labels),
        "single_member_cluster": (rng.randn(12, 4), np.array([0] * 5 + [1] * 6 + [2])),
        "noise_label_as_cluster": (rng.randn(15, 2), np.array([-1, 0, 1] * 5)),
        "ties_on_a_grid": (grid, np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1])),
        "cosine_zero_row": (np.vstack([np.zeros((1, 3)), rng.randn(9, 3)]), np.array([0, 1] * 5)),
        "identical_points_two_labels": (np.ones((6, 2)), np.array([0, 0, 0, 1, 1, 1])),
        "one_cluster": (rng.randn(5, 2), np.zeros(5, int)),
        "all_singletons": (rng.randn(4, 2), np.arange(4)),
    }
    out = []
    for name, (x, y) in cases.items():
        out.append(
            {
                "name": name,
                "X": x.tolist(),
                "labels": y.tolist(),
                "silhouetteSamples": error_or(lambda: metrics.silhouette_samples(x, y)),
                "silhouetteSamplesCosine": error_or(lambda: metrics.silhouette_samples(x, y, metric="cosine")),
                "silhouette": error_or(lambda: metrics.silhouette_score(x, y)),
                "silhouetteCosine": error_or(lambda: metrics.silhouette_score(x, y, metric="cosine")),
                "daviesBouldin": error_or(lambda: metrics.davies_bouldin_score(x, y)),
                "calinskiHarabasz": error_or(lambda: metrics.calinski_harabasz_score(x, y)),
            }
        )
    return out


def dbscan_cases():
    from sklearn.preprocessing import StandardScaler

    # scikit-learn's DBSCAN demo (plot_dbscan.py), smaller: three blobs, standardised.
    x, _ = make_blobs(300, centers=[[1, 1], [-1, -1], [1, -1]], cluster_std=0.4, random_state=0)
    x = StandardScaler().fit_transform(x)
    rng = np.random.RandomState(3)
    # A border sample (index 0) within eps of the cores of two clusters: it joins the first.
    bridge = np.array([[0.0, 0.0], [-0.5, 0], [-0.6, 0.1], [-0.6, -0.1], [-0.7, 0], [0.5, 0], [0.6, 0.1], [0.6, -0.1], [0.7, 0], [3, 3]])
    cases = [
        ("demo_blobs", x, dict(eps=0.3, min_samples=10)),
        ("demo_blobs_min1", x[:60], dict(eps=0.2, min_samples=1)),
        ("cosine", rng.randn(80, 3), dict(eps=0.05, min_samples=4, metric="cosine")),
        ("shared_border", bridge, dict(eps=0.55, min_samples=4)),
        ("shared_border_reversed", bridge[::-1].copy(), dict(eps=0.55, min_samples=4)),
        ("all_noise", rng.randn(10, 2) * 10, dict(eps=0.1, min_samples=2)),
    ]
    out = []
    for name, x, kw in cases:
        db = DBSCAN(**kw).fit(x)
        opts = {"eps": kw["eps"], "minSamples": kw["min_samples"], "metric": kw.get("metric", "euclidean")}
        out.append({"name": name, "X": x.tolist(), "options": opts, "labels": db.labels_.tolist(), "coreSampleIndices": db.core_sample_indices_.tolist()})
    return out


def fcluster_cases():
    from scipy.cluster.hierarchy import fcluster, linkage

    rng = np.random.RandomState(5)
    x = rng.randn(25, 4)
    grid = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [5, 5], [5, 6], [6, 5], [9, 9]], float) + 1  # no zero row (cosine)
    out = []
    for data_name, data in (("random_25x4", x), ("grid_with_ties", grid)):
        for method in ("average", "ward", "complete", "single"):
            for metric in ("euclidean", "cosine"):
                if method == "ward" and metric == "cosine":
                    continue
                # Tied distances: our trees follow scipy's algorithms, so ties resolve as scipy's do.
                z = linkage(data, method=method, metric=metric)
                heights = sorted(set(z[:, 2].tolist()))
                # Midway between merge heights: a cut exactly at a height would depend on rounding.
                mid = [(a + b) / 2 for a, b in zip(heights, heights[1:])]
                distances = [0.0, mid[len(mid) // 3], mid[len(mid) // 2], heights[-1] + 1]
                out.append(
                    {
                        "name": f"{data_name}/{method}/{metric}",
                        "X": data.tolist(),
                        "linkage": method,
                        "metric": metric,
                        # k ≤ n − 2: scipy's maxclust search never cuts below the second-lowest
                        # merge, so for k ≥ n − 1 it returns at most n − 2 clusters (ours: k).
                        "byCount": {str(k): (fcluster(z, k, "maxclust") - 1).tolist() for k in range(1, min(8, len(data) - 1))},
                        "byDistance": [{"distance": t, "labels": (fcluster(z, t, "distance") - 1).tolist()} for t in distances],
                    }
                )
    return out


def linkage_cases():
    """scipy's linkage matrices and leaf orders, on data with many tied distances."""
    from scipy.cluster.hierarchy import leaves_list, linkage

    rng = np.random.RandomState(11)
    grid = np.array([[x, y] for x in range(4) for y in range(3)], float) + 1
    rounded = np.round(rng.rand(60, 3) * 4) / 2 + 0.5  # values in {0.5, 1, …, 2.5}: ties everywhere
    out = []
    for data_name, data in (("grid_4x3", grid), ("rounded_60x3", rounded)):
        for method in ("average", "ward", "complete", "single"):
            for metric in ("euclidean", "cosine"):
                if method == "ward" and metric == "cosine":
                    continue
                z = linkage(data, method=method, metric=metric)
                out.append(
                    {
                        "name": f"{data_name}/{method}/{metric}",
                        "X": data.tolist(),
                        "linkage": method,
                        "metric": metric,
                        "merges": z.tolist(),
                        "leaves": leaves_list(z).tolist(),
                    }
                )
    return out


def gmm_cases():
    x, _ = make_blobs(120, n_features=4, centers=3, cluster_std=[1.0, 1.5, 0.7], random_state=7)
    rng = np.random.RandomState(11)
    k, d = 3, 4
    means_init = x[[0, 1, 2]] + 0.5
    weights_init = np.array([0.5, 0.3, 0.2])

    def spd(scale):
        a = rng.randn(d, d)
        return a @ a.T / d + scale * np.eye(d)

    precisions_init = {
        "full": np.stack([np.linalg.inv(spd(1.0 + c)) for c in range(k)]),
        "tied": np.linalg.inv(spd(2.0)),
        "diag": 1 / (1 + rng.rand(k, d)),
        "spherical": 1 / (1 + rng.rand(k)),
    }
    out = []
    for cov_type, prec in precisions_init.items():
        for max_iter, tol in ((1, 1e-12), (100, 1e-3)):
            g = GaussianMixture(
                k, covariance_type=cov_type, max_iter=max_iter, tol=tol, reg_covar=1e-6,
                means_init=means_init, weights_init=weights_init, precisions_init=prec,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                g.fit(x)
            out.append(
                {
                    "name": f"{cov_type}/maxIter{max_iter}",
                    "covarianceType": cov_type,
                    "maxIter": max_iter,
                    "tol": tol,
                    "init": {"means": means_init.tolist(), "weights": weights_init.tolist(), "precisions": prec.ravel().tolist()},
                    "weights": g.weights_.tolist(),
                    "means": g.means_.ravel().tolist(),
                    "covariances": g.covariances_.ravel().tolist(),
                    "precisions": g.precisions_.ravel().tolist(),
                    "lowerBound": float(g.lower_bound_),
                    "nIter": int(g.n_iter_),
                    "converged": bool(g.converged_),
                    "logLikelihood": float(g.score(x) * len(x)),
                    "bic": float(g.bic(x)),
                    "aic": float(g.aic(x)),
                    "responsibilities": g.predict_proba(x).ravel().tolist(),
                    "labels": g.predict(x).tolist(),
                }
            )
    return {"X": x.tolist(), "cases": out}


SKLEARN_HDBSCAN_TESTS = "scikit-learn >= 1.3, sklearn/cluster/tests/test_hdbscan.py"
HDBSCAN_PACKAGE_TESTS = "scikit-learn-contrib/hdbscan, hdbscan/tests/test_hdbscan.py"


def hdbscan_cases():
    """Inputs of the published HDBSCAN tests (rebuilt here from their seeds) with the
    expectations those tests assert, copied by hand; scikit-learn 1.2.1 has no HDBSCAN."""
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import shuffle

    x, y = make_blobs(n_samples=200, random_state=10)
    x, y = shuffle(x, y, random_state=7)
    x = StandardScaler().fit_transform(x)
    no_structure = np.random.RandomState(0).rand(150, 2)
    hard, _ = make_blobs(750, centers=[[-0.85, -0.85], [-0.85, 0.85], [3, 3], [3, -3]], cluster_std=[0.2, 0.35, 1.35, 1.35], random_state=0)
    high, _ = make_blobs(n_samples=50, random_state=0, n_features=64)
    high = StandardScaler().fit_transform(high)
    distinct, distinct_y = make_blobs(48, random_state=42, centers=[[0, 0], [10, 0], [0, 10]])
    return {
        "blobs200": {
            "source": f"{SKLEARN_HDBSCAN_TESTS} and {HDBSCAN_PACKAGE_TESTS}: module-level X, y",
            "X": x.tolist(),
            "y": y.tolist(),
            "expect": {
                "defaultClusters": 3,
                "fowlkesMallowsAtLeast": 0.98,
                "noClustersWithMinClusterSize": 199,
                "approximatePredict": "hdbscan package: approximate_predict([[-1.5, -1.0]]) == 2, ([[1.5, -1.0]]) == 1",
            },
        },
        "noStructure150": {
            "source": f"{SKLEARN_HDBSCAN_TESTS}: test_hdbscan_allow_single_cluster_with_epsilon",
            "X": no_structure.tolist(),
            "expect": {"eps0": {"uniqueLabels": 2, "noiseMoreThan": 30}, "eps018": {"uniqueLabels": 2, "noise": 2}},
        },
        "betterThanDbscan750": {
            "source": f"{SKLEARN_HDBSCAN_TESTS}: test_hdbscan_better_than_dbscan",
            "X": hard.tolist(),
            "expect": {"clusters": 4},
        },
        "highDimensional50x64": {
            "source": f"{SKLEARN_HDBSCAN_TESTS} and {HDBSCAN_PACKAGE_TESTS}: test_hdbscan_high_dimensional",
            "X": high.tolist(),
            "expect": {"clusters": 3},
        },
        "distinct48": {
            "source": f"{SKLEARN_HDBSCAN_TESTS}: test_labelling_distinct (global_random_seed 42): condensed clusters n+2, n+3, n+4 are the three blobs",
            "X": distinct.tolist(),
            "y": distinct_y.tolist(),
        },
    }


def write(name, payload):
    payload = {"generator": f"scripts/make-analysis-fixtures.py, scikit-learn {sklearn.__version__}", **payload}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    import sys

    parts = set(sys.argv[1:]) or {"metrics", "gmm", "dbscan", "fcluster", "linkage", "hdbscan"}
    if "metrics" in parts:
        write("metrics.json", {"labelPairs": label_pair_cases(), "matrices": matrix_cases()})
    if "gmm" in parts:
        write("gmm.json", gmm_cases())
    if "hdbscan" in parts:
        # Ten significant digits keep the file small; these cases assert counts, not decimals.
        write("hdbscan.json", json.loads(json.dumps(hdbscan_cases()), parse_float=lambda v: float("%.10g" % float(v))))
    if "dbscan" in parts:
        write("dbscan.json", {"cases": dbscan_cases()})
    if "fcluster" in parts:
        write("fcluster.json", {"cases": fcluster_cases()})
    if "linkage" in parts:
        write("linkage.json", {"cases": linkage_cases()})
