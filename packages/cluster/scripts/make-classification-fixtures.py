"""Writes the expected numbers of the classification metrics and classifiers of @cellshape/cluster.

Run with the reference harness's Python (scikit-learn 1.2.1):

    /usr/bin/python3 packages/cluster/scripts/make-classification-fixtures.py

Writes (all committed; the tests never need Python):
* src/metrics/fixtures/classification-metrics.json: every metric on fixed cases (ties, absent
  classes, zero division, noise labels, a single class; NaN written as null).
* src/classify/fixtures/datasets.json: sklearn's iris and breast-cancer data (features rounded
  as sklearn ships them, targets).
* src/classify/fixtures/folds.json: unshuffled StratifiedKFold, GroupKFold and
  StratifiedGroupKFold test folds of fixed labels and groups.
* src/classify/fixtures/cross-validation.json: fixed 5-fold splits (StratifiedKFold, shuffled,
  random_state 0) and the per-fold accuracy of SVC and RandomForestClassifier on them.
"""
import json
import os
import warnings

import numpy as np
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")

CASES = {
    "multiclass": ([0, 1, 2, 0, 1, 2, 0, 1, 2, 2], [0, 2, 1, 0, 0, 2, 1, 1, 2, 2]),
    "neverPredicted": ([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1]),
    "onlyPredicted": ([0, 0, 1, 1], [0, 2, 1, 1]),
    "majorityOnly": ([0] * 8 + [1] * 2, [0] * 10),
    "noiseLabels": ([-1, 0, 1, 1, 0, -1], [0, 0, 1, -1, 0, -1]),
    "ordinal": ([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], [0, 2, 2, 4, 3, 1, 1, 3, 3, 4]),
    "singleClass": ([1, 1, 1], [1, 1, 1]),
    "sparseLabels": ([3, 7, 7, 3, 9], [3, 7, 3, 3, 9]),
}
# Explicit class lists: a subset, and a superset naming a class absent from both.
LABELED = {
    "multiclassSubset": ("multiclass", [0, 1]),
    "absentListed": ("onlyPredicted", [0, 1, 2, 5]),
}


def num(x):
    x = float(x)
    return None if np.isnan(x) else x


def scores(y, p, labels=None):
    out = {}
    for zd in (0, 1):
        for avg in ("macro", "weighted", "micro", None):
            pr, rc, f1, sup = metrics.precision_recall_fscore_support(
                y, p, labels=labels, average=avg, zero_division=zd)
            key = f"{avg or 'none'}_zd{zd}"
            if avg is None:
                out[key] = {"precision": pr.tolist(), "recall": rc.tolist(), "f1": f1.tolist(),
                            "support": sup.tolist()}
            else:
                out[key] = {"precision": num(pr), "recall": num(rc), "f1": num(f1)}
    return out


def metric_case(y, p, labels=None):
    rec = {"truth": y, "pred": p, "labels": labels}
    cm = metrics.confusion_matrix(y, p, labels=labels)
    rec["confusion"] = {"labels": labels or sorted(set(y) | set(p)), "matrix": cm.tolist()}
    rec["scores"] = scores(y, p, labels)
    if labels is None:
        rec["accuracy"] = metrics.accuracy_score(y, p)
        rec["balancedAccuracy"] = num(metrics.balanced_accuracy_score(y, p))
        rec["balancedAccuracyAdjusted"] = (num(metrics.balanced_accuracy_score(y, p, adjusted=True))
                                           if len(set(y)) > 1 else None)
    rec["kappa"] = {w or "none": num(metrics.cohen_kappa_score(y, p, labels=labels, weights=w))
                    for w in (None, "linear", "quadratic")}
    report = metrics.classification_report(y, p, labels=labels, output_dict=True, zero_division=0)
    rec["report"] = report
    return rec


def metric_fixtures():
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (y, p) in CASES.items():
            out[name] = metric_case(y, p)
        for name, (case, labels) in LABELED.items():
            y, p = CASES[case]
            out[name] = metric_case(y, p, labels)
    return out


def dataset_fixtures():
    out = {}
    for name, loader in (("iris", load_iris), ("breastCancer", load_breast_cancer)):
        d = loader()
        out[name] = {"data": d.data.tolist(), "shape": list(d.data.shape),
                     "target": d.target.tolist(), "classes": d.target_names.tolist()}
    return out


SVM_SETTINGS = {
    "rbfC1": dict(kernel="rbf", C=1.0, gamma="scale"),
    "rbfC5": dict(kernel="rbf", C=5.0, gamma="scale"),
    "rbfC5Balanced": dict(kernel="rbf", C=5.0, gamma="scale", class_weight="balanced"),
    "linearC1": dict(kernel="linear", C=1.0),
    "rbfC5Auto": dict(kernel="rbf", C=5.0, gamma="auto"),
}


def cv_fixtures():
    """Folds and per-fold accuracies; features standardised on each train fold (as ours)."""
    out = {}
    for name, loader in (("iris", load_iris), ("breastCancer", load_breast_cancer)):
        d = loader()
        X, y = d.data, d.target
        folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
        rec = {"testFolds": [te.tolist() for _, te in folds], "svm": {}, "randomForest": {}}
        for standardise in (False, True):
            for key, params in SVM_SETTINGS.items():
                accs, n_sv = [], []
                for tr, te in folds:
                    Xtr, Xte = X[tr], X[te]
                    if standardise:
                        sc = StandardScaler().fit(Xtr)
                        Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
                    m = SVC(**params).fit(Xtr, y[tr])
                    accs.append(float((m.predict(Xte) == y[te]).mean()))
                    n_sv.append(int(m.n_support_.sum()))
                rec["svm"][("std_" if standardise else "raw_") + key] = {
                    "params": params, "standardise": standardise, "foldAccuracy": accs,
                    "nSupport": n_sv}
        for seed in range(5):
            accs = []
            for tr, te in folds:
                m = RandomForestClassifier(n_estimators=100, random_state=seed).fit(X[tr], y[tr])
                accs.append(float((m.predict(X[te]) == y[te]).mean()))
            rec["randomForest"][f"seed{seed}"] = accs
        out[name] = rec
    return out


def fold_fixtures():
    """Unshuffled splitters, which ours reproduce exactly: test folds for fixed labels/groups."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
    rng = np.random.RandomState(3)
    labels = rng.randint(0, 3, size=40).tolist()
    labels_skewed = [0] * 17 + [1] * 9 + [2] * 5
    groups = rng.randint(0, 11, size=40).tolist()
    out = {"labels": labels, "labelsSkewed": labels_skewed, "groups": groups}
    test = lambda splits: [te.tolist() for _, te in splits]
    X = np.zeros((40, 1))
    out["stratified5"] = test(StratifiedKFold(5).split(X, labels))
    out["stratifiedSkewed3"] = test(StratifiedKFold(3).split(np.zeros((31, 1)), labels_skewed))
    out["group4"] = test(GroupKFold(4).split(X, labels, groups))
    out["stratifiedGroup3"] = test(StratifiedGroupKFold(3).split(X, labels, groups))
    return out


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    import sklearn
    meta = {"generator": "packages/cluster/scripts/make-classification-fixtures.py",
            "sklearn": sklearn.__version__}
    write(os.path.join(SRC, "metrics", "fixtures", "classification-metrics.json"),
          {"meta": meta, "cases": metric_fixtures()})
    write(os.path.join(SRC, "classify", "fixtures", "datasets.json"),
          {"meta": meta, **dataset_fixtures()})
    write(os.path.join(SRC, "classify", "fixtures", "folds.json"), {"meta": meta, **fold_fixtures()})
    write(os.path.join(SRC, "classify", "fixtures", "cross-validation.json"),
          {"meta": meta, **cv_fixtures()})
