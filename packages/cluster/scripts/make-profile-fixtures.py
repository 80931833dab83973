#!/usr/bin/env python3
"""Expected values of the profile functions (aggregateProfiles, normaliseProfiles, selectFeatures).

pycytominer is not installed in the reference harness, so this script re-implements, with numpy,
scipy and scikit-learn, the documented formulas of the pycytominer functions each TypeScript
function mirrors (read from cytomining/pycytominer, main branch of 2026: `feature_select` after PR
#719, which split the old freq_cut/unique_cut `variance_threshold` into `frequency_threshold` and
made `variance_threshold` a minimum-variance rule; the other formulas are those of release 1.2):

* aggregate: `pycytominer.aggregate(strata=[plate, well], operation='median'|'mean')` —
  a pandas groupby median / mean per group; `compute_object_count` gives the counts.
* standardise: `pycytominer.normalize(method='standardize')` = sklearn `StandardScaler` fit on the
  reference rows (population std, ddof 0; a zero std scales by 1) and applied to all rows.
* robust: `pycytominer.operations.transform.RobustMAD(epsilon=1e-18)` =
  (x − median) / (scipy `median_abs_deviation(scale=1/1.4826)` + epsilon), i.e. MAD × 1.4826.
* spherize: `pycytominer.operations.transform.Spherize(method='ZCA-cor', center=True,
  epsilon=1e-6)`: standardise (ddof 0), X = U S Vᵀ, W = V diag(√(n−1) / (S + ε)) Vᵀ, output X·W.
* feature selection, `pycytominer.feature_select` with its defaults:
  variance_threshold (population variance < min_variance 1e-6), frequency_threshold (2nd / 1st
  most common value count < freq_cut 0.05, or unique values / rows < unique_cut 0.01),
  correlation_threshold (pairs with Pearson r > 0.9 over pairwise complete rows; of each pair the
  column with the larger sum of |r| over all columns is dropped), drop_na_columns (share of
  missing values > na_cutoff 0.05); operations applied in order, each on the columns left.

Normalisation "by plate" fits on the reference rows of each plate and transforms that plate's
rows, as pycytominer users do by calling normalize once per plate.

Run: /usr/bin/python3 packages/cluster/scripts/make-profile-fixtures.py
Writes: packages/cluster/src/profiles/fixtures/profiles.json
"""
import json
import os

import numpy as np
from scipy.stats import median_abs_deviation
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'profiles', 'fixtures', 'profiles.json')


def standardise(ref, x):
    s = StandardScaler().fit(ref)
    return s.transform(x)


def robust(ref, x, eps=1e-18):
    med = np.median(ref, axis=0)
    mad = median_abs_deviation(ref, axis=0, scale=1 / 1.4826)
    return (x - med) / (mad + eps)


def spherize(ref, x, eps=1e-6):
    s = StandardScaler().fit(ref)
    z = s.transform(ref)
    n, d = z.shape
    assert np.linalg.matrix_rank(z) == d
    _, sigma, vt = np.linalg.svd(z, full_matrices=True)
    w = (vt / (sigma + eps)[:, None]).T * np.sqrt(n - 1)
    w = w @ vt
    return s.transform(x) @ w


NORMALISERS = {'standardise': standardise, 'robust': robust, 'spherize': spherize}


def by_plate(fn, x, plate, reference):
    out = np.empty_like(x)
    for p in np.unique(plate):
        rows = plate == p
        ref = rows & reference
        out[rows] = fn(x[ref], x[rows])
    return out


def profile_case():
    rng = np.random.default_rng(20261206)
    plates, wells, cells, d = 2, 4, 3, 4
    rows = []
    for p in range(plates):
        for w in range(wells):
            for c in range(cells):
                rows.append((f'P{p + 1}', f'W{w}', w < 2))
    plate = np.array([r[0] for r in rows])
    well = np.array([r[1] for r in rows])
    control = np.array([r[2] for r in rows])
    mix = rng.normal(size=(d, d))
    x = rng.normal(size=(len(rows), d)) @ mix + np.where(plate == 'P2', 3.0, 0.0)[:, None]
    x = np.round(x, 6)
    keys = []
    for p, w in zip(plate, well):
        if (p, w) not in keys:
            keys.append((p, w))
    agg = {}
    for op, f in (('median', np.median), ('mean', np.mean)):
        agg[op] = [f(x[(plate == p) & (well == w)], axis=0).tolist() for p, w in keys]
    counts = [int(((plate == p) & (well == w)).sum()) for p, w in keys]
    norm = {}
    for name, fn in NORMALISERS.items():
        norm[name] = {
            'all': by_plate(fn, x, plate, np.ones(len(rows), bool)).tolist(),
            'controls': by_plate(fn, x, plate, control).tolist(),
            'unbatched': fn(x, x).tolist(),
        }
    return {
        'x': x.tolist(),
        'plate': plate.tolist(),
        'well': well.tolist(),
        'control': control.tolist(),
        'keys': [list(k) for k in keys],
        'counts': counts,
        'aggregate': agg,
        'normalise': norm,
    }


def frequency_excluded(col, freq_cut=0.05, unique_cut=0.01):
    v = col[~np.isnan(col)]
    values, counts = np.unique(v, return_counts=True)
    counts = np.sort(counts)[::-1]
    if len(counts) < 2 or counts[1] / counts[0] < freq_cut:
        return True
    return len(values) / len(col) < unique_cut


def pearson(a, b):
    ok = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[ok], b[ok]
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])


def correlation_excluded(x, cols, threshold=0.9):
    k = len(cols)
    r = np.array([[pearson(x[:, cols[i]], x[:, cols[j]]) for j in range(k)] for i in range(k)])
    total = np.nansum(np.abs(r), axis=0)
    order = list(np.argsort(total, kind='stable'))
    out = set()
    for i in range(k):
        for j in range(i):
            if r[i, j] > threshold:
                out.add(cols[i] if order.index(i) > order.index(j) else cols[j])
    return out


def select_case():
    rng = np.random.default_rng(7)
    n = 30
    c0 = rng.normal(size=n)
    c1 = 2 * c0 + 0.1 * rng.normal(size=n)  # r ≈ 0.999 with c0
    c2 = 5 + 1e-4 * rng.normal(size=n)  # variance ≈ 1e-8
    c3 = np.ones(n)
    c3[0] = 0  # 1 / 29 < 0.05: one value dominates
    c4 = rng.normal(size=n)
    c4[[3, 9, 17]] = np.nan  # 10 % missing
    c5 = rng.normal(size=n)
    c6 = -c5 + 0.05 * rng.normal(size=n)  # r ≈ −1: kept, the rule is r > threshold
    c7 = c0 + c5 + 0.05 * rng.normal(size=n)
    x = np.round(np.stack([c0, c1, c2, c3, c4, c5, c6, c7], axis=1), 8)
    ops = ['variance_threshold', 'frequency_threshold', 'correlation_threshold', 'drop_na_columns']
    cols = list(range(x.shape[1]))
    reasons = {}
    for op in ops:
        if op == 'variance_threshold':
            ex = {c for c in cols if np.nanvar(x[:, c]) < 1e-6}
        elif op == 'frequency_threshold':
            ex = {c for c in cols if frequency_excluded(x[:, c])}
        elif op == 'correlation_threshold':
            ex = correlation_excluded(x, cols)
        else:
            ex = {c for c in cols if np.isnan(x[:, c]).mean() > 0.05}
        for c in sorted(ex):
            reasons[c] = op
        cols = [c for c in cols if c not in ex]
    corr_only = sorted(correlation_excluded(x, list(range(x.shape[1]))))
    return {
        'x': [[None if np.isnan(v) else v for v in row] for row in x.tolist()],
        'operations': ops,
        'kept': cols,
        'dropped': {str(c): r for c, r in sorted(reasons.items())},
        'correlationOnlyDropped': corr_only,
    }


def main():
    fixture = {
        'source': 'packages/cluster/scripts/make-profile-fixtures.py (numpy/scipy/sklearn re-implementation of the pycytominer formulas of 2026)',
        'profiles': profile_case(),
        'select': select_case(),
    }
    with open(OUT, 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')
    print('wrote', OUT)


if __name__ == '__main__':
    main()
