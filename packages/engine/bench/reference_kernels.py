"""Times the reference (PyTorch) versions of the DFN kernels that bench.py has no rows for.

The kNN search of dfn.py (`knn_indices`: Gram matrix, scores, topk) and its `chamfer_sum`
with the backward pass, on torch with 2 threads (as bench.py's side-by-side runs). One JSON
line per measurement in bench.py's format (`bench`, `median_ms`, `min_ms`, ...).

    /usr/bin/python3 reference_kernels.py --reference-dir ../shared/reference --only knn,chamfer_sum
"""
import os
import sys
from pathlib import Path

# The timing rule shared by every reference script (scripts/bench_timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_timing import emit, measure, reference_parser  # noqa: E402


def parse_args():
    ap = reference_parser(__doc__, "knn,chamfer_sum", budget=20.0, max_runs=20)
    ap.add_argument("--B", type=int, default=16, help="batch size")
    ap.add_argument("--N", type=int, default=2048, help="points per cloud")
    ap.add_argument("--M", type=int, default=2025, help="reconstructed points (Chamfer)")
    ap.add_argument("--C", type=int, default=64, help="feature channels (kNN)")
    ap.add_argument("--k", type=int, default=20, help="neighbours (kNN)")
    args = ap.parse_args()
    if args.reference_dir is None:
        ap.error("--reference-dir (the folder holding dfn.py) is required")
    return args


def main():
    args = parse_args()
    sys.path.insert(0, os.path.abspath(args.reference_dir))
    import torch
    import dfn

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(1)
    only = set(args.only.split(","))
    if "knn" in only:
        x = torch.randn(args.B, args.C, args.N, generator=gen)

        def knn():
            with torch.no_grad():
                return dfn.knn_indices(x, args.k)

        params = {"B": args.B, "N": args.N, "C": args.C, "k": args.k, "torch": torch.__version__}
        emit("knn", params, measure(knn, args.budget, args.max_runs), args)
    if "chamfer_sum" in only:
        a = torch.randn(args.B, args.N, 3, generator=gen, requires_grad=True)
        b = torch.randn(args.B, args.M, 3, generator=gen, requires_grad=True)

        def chamfer():
            a.grad = None
            b.grad = None
            loss = dfn.chamfer_sum(a, b)
            loss.backward()
            return float(loss)

        params = {"B": args.B, "N": args.N, "M": args.M, "torch": torch.__version__}
        emit("chamfer_sum", params, measure(chamfer, args.budget, args.max_runs), args)


if __name__ == "__main__":
    main()
