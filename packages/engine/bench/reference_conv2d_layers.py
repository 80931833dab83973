"""Per-layer timings of PyTorch's 2-D convolutions at the shapes of profile's bench cases, beside
time-conv2d-layers.ts (the same layers in the engine): forward, input gradient and filter
gradient each on its own (autograd asked for one input at a time), minimum of --runs calls after
one warm-up, torch on 2 threads, NCHW as a PyTorch model holds them.

    /usr/bin/python3 packages/engine/bench/reference_conv2d_layers.py [--runs 5] [--only siamese|ae2d]
"""
import argparse
import time

import torch

B = 64
SIAMESE = [("siamese.%d" % i, s, ci, co, ("fwd", "dw") if i == 0 else ("fwd", "dx", "dw"))
           for i, (s, ci, co) in enumerate(((128, 1, 16), (64, 16, 32), (32, 32, 64), (16, 64, 128)))]
AE2D = [(name, s, ci, co, ("fwd",)) for name, s, ci, co in (
    ("ae.enc0.0", 128, 1, 8), ("ae.enc0.1", 128, 8, 8), ("ae.enc1.0", 64, 8, 16),
    ("ae.enc1.1", 64, 16, 16), ("ae.enc2.0", 32, 16, 32), ("ae.enc2.1", 32, 32, 32),
    ("ae.enc3.0", 16, 32, 64), ("ae.enc3.1", 16, 64, 64), ("ae.expand", 8, 1, 64),
    ("ae.up3", 8, 64, 64), ("ae.dec3", 16, 64, 64), ("ae.up2", 16, 64, 32),
    ("ae.dec2", 32, 32, 32), ("ae.up1", 32, 32, 16), ("ae.dec1", 64, 16, 16),
    ("ae.up0", 64, 16, 8), ("ae.dec0", 128, 8, 8))]


def best(f, runs):
    f()
    out = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - t)
    return out * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    torch.set_num_threads(2)
    layers = SIAMESE if args.only == "siamese" else AE2D if args.only == "ae2d" else SIAMESE + AE2D
    totals = {}
    for name, s, ci, co, parts in layers:
        up = name.startswith("ae.up")
        conv = (torch.nn.ConvTranspose2d(ci, co, 2, stride=2) if up
                else torch.nn.Conv2d(ci, co, 3, padding=1))
        x = torch.randn(B, ci, s, s, requires_grad=True)
        y = conv(x)
        dy = torch.randn_like(y)
        row = []
        for part in parts:
            if part == "fwd":
                def f():
                    with torch.no_grad():
                        conv(x)
            else:
                target = x if part == "dx" else conv.weight

                def f(target=target):
                    torch.autograd.grad(conv(x), [target], dy)
            ms = best(f, args.runs)
            if part != "fwd":  # the backward alone: what the engine's part times
                ms -= best(lambda: conv(x), args.runs)
            row.append("%s %7.1f" % (part, ms))
            key = name.split(".")[0]
            totals[key] = totals.get(key, 0) + ms
        print("%-12s %-14s %s" % (name, "%d² %d→%d" % (s, ci, co), "  ".join(row)), flush=True)
    print("totals (ms):", {k: round(v, 1) for k, v in totals.items()})


if __name__ == "__main__":
    main()
