"""Timing shared by the Python reference scripts of `pnpm bench` (packages/*/bench/reference_*.py),
so every reference measurement follows one rule: one warm-up call, then timed calls while the
next is expected to fit the budget; median, minimum and mean in milliseconds."""
import statistics
import time


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
