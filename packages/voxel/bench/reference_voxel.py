"""Times the PyTorch reference of the voxel autoencoder (scripts/voxel_reference.py, the
architecture of cellshape-voxel with its faults fixed) for `pnpm bench`, on torch with 2
threads, one JSON line per measurement in bench.py's format (`bench`, `median_ms`, `min_ms`, ...):

* voxel_forward: simple 3-layer model, eval forward (features + reconstruction);
* voxel_train_step: the same model, training-mode forward, BCE, backward, Adam (lr 1e-4,
  weight decay 1e-6);
* resnet18_forward: ResNet-18 encoder (shortcut B, no max-pool) + 3-layer decoder, eval forward.

    /usr/bin/python3 packages/voxel/bench/reference_voxel.py --only voxel_forward --B 8 --n 64
"""
import os
import sys
from pathlib import Path

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))


def parse_args():
    ap = reference_parser(__doc__, "voxel_forward,voxel_train_step,resnet18_forward", budget=40.0,
                          max_runs=10)
    ap.add_argument("--B", type=int, default=8, help="batch size")
    ap.add_argument("--n", type=int, default=64, help="cube edge")
    return ap.parse_args()


def main():
    args = parse_args()
    sizes = {"B": args.B, "n": args.n}
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
            emit("voxel_forward", sizes, measure(forward, args.budget, args.max_runs), args)
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
            emit("voxel_train_step", sizes, measure(step, args.budget, args.max_runs), args)
    if "resnet18_forward" in only:
        model = ref.VoxelAutoEncoder(inputShape=shape, encoderType="resnet", resnetDepth=18).eval()

        def forward18():
            with torch.no_grad():
                return model(x)
        emit("resnet18_forward", sizes, measure(forward18, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
