#!/usr/bin/env python3
"""Float64 gradients for the PyTorch golden cases.

Some golden gradients are sums of thousands of terms that largely cancel (e.g. the bias of
the decoder's first folding layer), so PyTorch's own float32 value is only accurate to about
1e-3 of its scale. This recomputes the train step of each case in float64 (the case's float32
weights and input, PyTorch's float32 neighbour graphs imposed) and writes NAME_f64.npz with
the same `grad.*` keys, so the tests can tell float32 rounding from real errors.

usage: /usr/bin/python3 golden-f64.py GOLDEN_DIR SHARED_DIR [CASES]
"""
import os
import sys

import numpy as np
import torch


def main():
    golden, shared = sys.argv[1], sys.argv[2]
    cases = (sys.argv[3] if len(sys.argv) > 3 else "small,basic,large,f512").split(",")
    sys.path.insert(0, os.path.join(shared, "reference"))
    import dfn

    torch.set_num_threads(1)
    for name in cases:
        state = np.load(os.path.join(golden, name + "_state.npz"))
        data = np.load(os.path.join(golden, name + ".npz"))
        basic = "decoder.folding.folding1.0.weight" in state.files
        model = dfn.CloudAutoEncoder(
            int(data["F"]), k=int(data["k"]),
            decoder_type="foldingnetbasic" if basic else "foldingnet")
        model.load_state_dict({k: torch.from_numpy(state[k]) for k in state.files})
        model = model.double().train()
        graphs = iter([torch.from_numpy(data["train_knn%d" % l]).long() for l in range(1, 5)])
        original = dfn.knn_indices
        dfn.knn_indices = lambda x, k: next(graphs)
        try:
            x = torch.from_numpy(data["input"]).double().requires_grad_(True)
            recon, _ = model(x)
            dfn.chamfer_sum(x, recon).backward()
        finally:
            dfn.knn_indices = original
        params = dict(model.named_parameters())
        out = {"grad.input": x.grad.numpy()}
        for key in data.files:
            if key.startswith("grad.") and key != "grad.input":
                out[key] = params[key[5:]].grad.numpy()
        np.savez(os.path.join(golden, name + "_f64.npz"), **out)
        print("wrote", name + "_f64.npz")


if __name__ == "__main__":
    main()
