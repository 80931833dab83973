"""Times the PyTorch reference of the voxel autoencoder (scripts/voxel_reference.py, the
architecture of cellshape-voxel with its faults fixed) for `pnpm bench`, on torch with 2
threads, one JSON line per measurement in bench.py's format (`bench`, `median_ms`, `min_ms`, ...):

* voxel_forward: simple 3-layer model, eval forward (features + reconstruction);
* voxel_train_step: the same model, training-mode forward, BCE, backward, Adam (lr 1e-4,
  weight decay 1e-6);
* resnet18_forward: ResNet-18 encoder (shortcut B, no max-pool) + 3-layer decoder, eval forward.

    /usr/bin/python3 packages/voxel/bench/reference_voxel.py --only voxel_forward --B 8 --n 64
"""
import argparse
import json
import os
import resource
import sys
from pathlib import Path

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import measure  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reference-dir", default=None, help="unused (the reference is ours)")
    ap.add_argument("--only", default="voxel_forward,voxel_train_step,resnet18_forward")
    ap.add_argument("--B", type=int, default=8, help="batch size")
    ap.add_argument("--n", type=int, default=64, help="cube edge")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--budget", type=float, default=40.0, help="seconds per measurement")
    ap.add_argument("--max-runs", type=int, default=10)
    return ap.parse_args()


def emit(name, args, rec):
    out = {"bench": name, "B": args.B, "n": args.n}
    out.update(rec)
    out.update({"threads": args.threads, "budget_s": args.budget,
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)})
    print(json.dumps(out), flush=True)


def main():
    args = parse_args()
    import torch
    import torch.nn.functional as F
    import voxel_reference as ref

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    n = args.n
    shape = [n, n, n, 1]
    x = (torch.rand(args.B, 1, n, n, n) > 0.5).float()
    only = set(args.only.split(","))
    if "voxel_forward" in only or "voxel_train_step" in only:
        model = ref.VoxelAutoEncoder(inputShape=shape)
        if "voxel_forward" in only:
            model.eval()

            def forward():
                with torch.no_grad():
                    return model(x)
            emit("voxel_forward", args, measure(forward, args.budget, args.max_runs))
        if "voxel_train_step" in only:
            model.train()
            adam = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-6)

            def step():
                adam.zero_grad()
                recon, _ = model(x)
                loss = F.binary_cross_entropy(recon, x)
                loss.backward()
                adam.step()
                return loss.item()
            emit("voxel_train_step", args, measure(step, args.budget, args.max_runs))
    if "resnet18_forward" in only:
        model = ref.VoxelAutoEncoder(inputShape=shape, encoderType="resnet", resnetDepth=18).eval()

        def forward18():
            with torch.no_grad():
                return model(x)
        emit("resnet18_forward", args, measure(forward18, args.budget, args.max_runs))


if __name__ == "__main__":
    main()
