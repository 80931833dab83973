"""Times PyTorch's 3-D convolutions at the voxel autoencoder's sizes (the engine's conv bench).

The first two encoder layers of the simple 3-layer voxel model (Conv3d 1→32 and 32→64, 5³,
stride 2, padding 2, on [B, 1, 64³]) and the last two decoder layers mirroring them
(ConvTranspose3d 64→32 and 32→1, 5³, stride 2, padding 2, output padding 1, from [B, 64, 16³]),
each forward only (no_grad) and forward + backward (gradients of every weight and of the
intermediate activation; the input needs none), on torch with 2 threads. One JSON line per
measurement in bench.py's format (`bench`, `median_ms`, `min_ms`, ...).

    /usr/bin/python3 reference_conv.py --reference-dir ../shared/reference --only conv3d_forward
"""
import sys
from pathlib import Path

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402

MEASUREMENTS = ("conv3d_forward", "conv3d_backward", "conv3d_transpose_forward",
                "conv3d_transpose_backward")


def parse_args():
    ap = reference_parser(__doc__, ",".join(MEASUREMENTS), budget=20.0, max_runs=10)
    ap.add_argument("--B", type=int, default=8, help="batch size")
    ap.add_argument("--size", type=int, default=64, help="cube side of the input volumes")
    return ap.parse_args()


def layers(torch):
    """The two encoder layers and the two decoder layers mirroring them."""
    nn = torch.nn
    encoder = nn.Sequential(nn.Conv3d(1, 32, 5, 2, 2), nn.Conv3d(32, 64, 5, 2, 2))
    decoder = nn.Sequential(nn.ConvTranspose3d(64, 32, 5, 2, 2, output_padding=1),
                            nn.ConvTranspose3d(32, 1, 5, 2, 2, output_padding=1))
    return encoder, decoder


def forward_only(model, x, torch):
    def run():
        with torch.no_grad():
            return model(x)
    return run


def forward_backward(model, x):
    def run():
        model.zero_grad(set_to_none=True)
        model(x).sum().backward()
    return run


def main():
    args = parse_args()
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    only = set(args.only.split(","))
    encoder, decoder = layers(torch)
    s = args.size
    x = torch.randn(args.B, 1, s, s, s)
    code = torch.randn(args.B, 64, s // 4, s // 4, s // 4)
    runs = {
        "conv3d_forward": forward_only(encoder, x, torch),
        "conv3d_backward": forward_backward(encoder, x),
        "conv3d_transpose_forward": forward_only(decoder, code, torch),
        "conv3d_transpose_backward": forward_backward(decoder, code),
    }
    params = {"B": args.B, "size": s, "torch": torch.__version__}
    for name in MEASUREMENTS:
        if name in only:
            emit(name, params, measure(runs[name], args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
