"""What the Python reference scripts of `pnpm bench` (packages/*/bench/reference_*.py) share, so
every reference measurement follows one rule and prints one format: the options the harness
passes, one warm-up call then timed calls while the next is expected to fit the budget (median,
minimum and mean in milliseconds), and one JSON line per measurement in bench.py's format."""
import argparse
import json
import resource
import statistics
import time


def reference_parser(doc, only, budget, max_runs, threads=True):
    """The options of every reference script; a script adds its sizes (`--B`, `--n`, ...)."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--reference-dir", default=None,
                    help="the harness's reference folder (read only by scripts that import from it)")
    ap.add_argument("--only", default=only, help="comma-separated measurements")
    if threads:
        ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--budget", type=float, default=budget, help="seconds per measurement")
    ap.add_argument("--max-runs", type=int, default=max_runs)
    return ap


def emit(name, params, rec, args):
    """Prints one measurement: its name, sizes, timings, the budget and the peak RSS so far."""
    out = {"bench": name, **params, **rec}
    if hasattr(args, "threads"):
        out["threads"] = args.threads
    out["budget_s"] = args.budget
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    print(json.dumps(out), flush=True)


def measure(fn, budget, max_runs):
    """One warm-up call, then timed calls while the next is expected to fit the budget."""
    start = time.perf_counter()
    fn()
    warm = time.perf_counter() - start
    times = []
    last = warm
    while len(times) < max_runs and time.perf_counter() - start + last <= budget:
        t0 = time.perf_counter()
        fn()
        last = time.perf_counter() - t0
        times.append(last)
    rec = {"warmup_ms": round(warm * 1e3, 3), "runs": len(times)}
    if not times:
        times = [warm]
        rec["warmup_only"] = True
    rec.update({
        "median_ms": round(statistics.median(times) * 1e3, 3),
        "min_ms": round(min(times) * 1e3, 3),
        "mean_ms": round(statistics.fmean(times) * 1e3, 3),
    })
    return rec
