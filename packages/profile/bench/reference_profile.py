"""Times the PyTorch reference of @cellshape/profile's 2D models (scripts/profile_reference.py,
the same architectures and parameter names) for `pnpm bench`, on torch with 2 threads, one JSON
line per measurement in bench.py's format (`bench`, `median_ms`, `min_ms`, ...):

* siamese_train_step: default SiameseEncoder (blocks 16-32-64-128, F = 128, dropout 0.1),
  training mode, both views, Barlow Twins (lambda 0.005), backward, Adam (lr 1e-3, wd 1e-6);
* ae2d_forward: default ConvAutoEncoder2D (levels 8-16-32-64, 2 convs each, code 1 channel),
  eval forward.

    /usr/bin/python3 packages/profile/bench/reference_profile.py --only ae2d_forward --B 64 --size 128
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))


def parse_args():
    ap = reference_parser(__doc__, "siamese_train_step,ae2d_forward", budget=40.0, max_runs=10)
    ap.add_argument("--B", type=int, default=64, help="batch size")
    ap.add_argument("--size", type=int, default=128, help="crop edge")
    return ap.parse_args()


def main():
    args = parse_args()
    sizes = {"B": args.B, "size": args.size}
    import torch
    import profile_reference as ref

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    s = args.size
    shape = [s, s, 1]
    only = set(args.only.split(","))
    if "siamese_train_step" in only:
        model = ref.SiameseEncoder(inputShape=shape).train()
        adam = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-6)
        v1, v2 = torch.rand(args.B, 1, s, s), torch.rand(args.B, 1, s, s)

        def step():
            adam.zero_grad()
            loss = ref.barlow_twins_loss(model(v1), model(v2), 0.005)
            loss.backward()
            adam.step()
            return loss.item()
        emit("siamese_train_step", sizes, measure(step, args.budget, args.max_runs), args)
    if "ae2d_forward" in only:
        model = ref.ConvAutoEncoder2D(inputShape=shape).eval()
        x = torch.rand(args.B, 1, s, s)

        def forward():
            with torch.no_grad():
                return model(x)
        emit("ae2d_forward", sizes, measure(forward, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
