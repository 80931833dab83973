#!/usr/bin/env python3
"""Float64 gradients for the PyTorch golden cases.

Some golden gradients are sums of thousands of terms that largely cancel, and the train-step
reconstruction of an untrained decoder is a blob about 1e-5 wide at distance ~1 from the input,
so which reconstructed point is nearest to an input point is decided by float32 rounding (relative
distance gaps of 1e-7: PyTorch's float32 and float64 runs pick differently for 10-15 % of the input
points, which moves e.g. the gradient of decoder.folding1.0.bias by 1 % of its scale). So this
recomputes the train step of each case in float64 (the case's float32 weights and input, PyTorch's
float32 neighbour graphs AND float32 Chamfer assignments imposed) and writes NAME_f64.npz:

* `chamfer.a_to_b` (B, N) int32: per input point, the reconstructed point nearest to it;
  `chamfer.b_to_a` (B, M) int32: per reconstructed point, the nearest input point
  (both from PyTorch's float32 train forward, as `chamfer_sum` picks them);
* `grad.*`: float64 gradients of `chamfer_sum` with those assignments;
* `grad32.*`: PyTorch's float32 gradients with the same assignments (its own rounding error).

usage: /usr/bin/python3 golden-f64.py GOLDEN_DIR SHARED_DIR [CASES]
"""
import os
import sys

import numpy as np
import torch


def train_step(dfn, model, data, x, assign):
    """Train forward with PyTorch's graphs, Chamfer sum with `assign` (or the float32 argmins
    when None), backward. Returns the assignments used."""
    graphs = iter([torch.from_numpy(data["train_knn%d" % l]).long() for l in range(1, 5)])
    original = dfn.knn_indices
    dfn.knn_indices = lambda h, k: next(graphs)
    try:
        recon, _ = model(x)
        if assign is None:
            d = dfn.pairwise_sqdist(x, recon)
            assign = (d.min(dim=2).indices, d.min(dim=1).indices)
        a_to_b, b_to_a = assign
        nearest_b = torch.gather(recon, 1, a_to_b.unsqueeze(-1).expand(-1, -1, 3))
        nearest_a = torch.gather(x, 1, b_to_a.unsqueeze(-1).expand(-1, -1, 3))
        (((x - nearest_b) ** 2).sum() + ((recon - nearest_a) ** 2).sum()).backward()
    finally:
        dfn.knn_indices = original
    return assign


def grads(model, x, keys):
    params = dict(model.named_parameters())
    out = {"input": x.grad.double().numpy()}
    for key in keys:
        if key.startswith("grad.") and key != "grad.input":
            out[key[5:]] = params[key[5:]].grad.double().numpy()
    return out


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

        def model_in(dtype):
            model = dfn.CloudAutoEncoder(
                int(data["F"]), k=int(data["k"]),
                decoder_type="foldingnetbasic" if basic else "foldingnet")
            model.load_state_dict({k: torch.from_numpy(state[k]) for k in state.files})
            return model.to(dtype).train()

        x32 = torch.from_numpy(data["input"]).float().requires_grad_(True)
        m32 = model_in(torch.float32)
        assign = train_step(dfn, m32, data, x32, None)
        x64 = torch.from_numpy(data["input"]).double().requires_grad_(True)
        m64 = model_in(torch.float64)
        train_step(dfn, m64, data, x64, assign)
        out = {
            "chamfer.a_to_b": assign[0].int().numpy(),
            "chamfer.b_to_a": assign[1].int().numpy(),
        }
        for key, value in grads(m64, x64, data.files).items():
            out["grad." + key] = value
        for key, value in grads(m32, x32, data.files).items():
            out["grad32." + key] = value.astype(np.float32)
        np.savez(os.path.join(golden, name + "_f64.npz"), **out)
        print("wrote", name + "_f64.npz")


if __name__ == "__main__":
    main()
