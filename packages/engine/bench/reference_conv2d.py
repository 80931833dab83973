"""Times PyTorch's 2-D convolutions and max pooling at the Siamese encoder's sizes (the engine's
conv2d bench).

The four 3×3 "same" convolutions of the Siamese encoder on 128×128 crops (Conv2d 1→32 at 128²,
32→64 at 64², 64→128 at 32², 128→256 at 16², batch 64), each on its own input: forward only
(no_grad), and forward + backward (gradients of weight, bias and — past the first layer — the
input, for the cotangent dy); and MaxPool2d(2) forward + backward after each layer. NCHW, as a
PyTorch model holds them; torch with 2 threads. One JSON line per measurement in bench.py's
format (`bench`, `median_ms`, `min_ms`, ...).

    /usr/bin/python3 reference_conv2d.py --only conv2d_forward
"""
import sys
from pathlib import Path

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402

MEASUREMENTS = ("conv2d_forward", "conv2d_backward", "maxpool2d")
LAYERS = ((128, 1, 32), (64, 32, 64), (32, 64, 128), (16, 128, 256))


def parse_args():
    ap = reference_parser(__doc__, ",".join(MEASUREMENTS), budget=30.0, max_runs=5)
    ap.add_argument("--B", type=int, default=64, help="batch size")
    return ap.parse_args()


def main():
    args = parse_args()
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    only = set(args.only.split(","))
    nn = torch.nn
    layers = [(nn.Conv2d(ci, co, 3, padding=1), torch.randn(args.B, ci, s, s),
               torch.randn(args.B, co, s, s)) for s, ci, co in LAYERS]
    pools = [torch.randn(args.B, co, s, s) for s, _, co in LAYERS]
    pool = nn.MaxPool2d(2)

    def forward():
        with torch.no_grad():
            for conv, x, _ in layers:
                conv(x)

    def backward():
        for i, (conv, x, dy) in enumerate(layers):
            conv.zero_grad(set_to_none=True)
            x.requires_grad_(i > 0)
            x.grad = None
            (conv(x) * dy).sum().backward()

    def maxpool():
        for x in pools:
            x.requires_grad_(True)
            x.grad = None
            pool(x).sum().backward()

    runs = {"conv2d_forward": forward, "conv2d_backward": backward, "maxpool2d": maxpool}
    params = {"B": args.B, "torch": torch.__version__}
    for name in MEASUREMENTS:
        if name in only:
            emit(name, params, measure(runs[name], args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
