#!/usr/bin/env python3
"""Writes the small committed golden fixtures of @cellshape/cloud (src/golden/fixtures/).

Each fixture is a small model whose weights follow a formula that the TypeScript tests
recompute (src/test-utils/formula.ts), so only inputs and outputs are stored. The reference
outputs come from the PyTorch oracle (/work/shared/reference/dfn.py) evaluated in float64
(float32 weights and inputs, exact arithmetic otherwise). The kNN graphs are stored (the tests
impose them to compare numerics) with, per layer, the number of query points whose k-th and
(k+1)-th neighbours are closer than FRAGILE relative (where a float32 search may differ).

usage: /usr/bin/python3 packages/cloud/scripts/make-fixtures.py [SHARED_DIR]
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "golden", "fixtures")
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "shared")
sys.path.insert(0, os.path.join(SHARED, "reference"))
import dfn  # noqa: E402

FRAGILE = 1e-5        # relative score gap below which a neighbour set counts as fragile
GRAD_KEYS = [
    "encoder.conv1.0.weight", "encoder.bn1.weight", "encoder.bn1.bias",
    "encoder.bn5.weight", "encoder.bn5.bias", "encoder.embedding.weight",
    "decoder.folding1.0.bias", "decoder.folding1.4.weight", "decoder.folding2.4.bias",
    "decoder.folding.folding1.0.bias", "decoder.folding.folding1.4.weight",
    "decoder.folding.folding2.4.bias",
]
CASES = {
    # name: decoder, F, source points (None: the 45 x 45 plane)
    "conv16": dict(decoder="foldingnet", F=16, M=None, seed=11),
    "basic16": dict(decoder="foldingnetbasic", F=16, M=100, seed=12),
    "basic512": dict(decoder="foldingnetbasic", F=512, M=100, seed=13),
    "basic640": dict(decoder="foldingnetbasic", F=640, M=100, seed=14),
}
B, N, K = 2, 64, 8
MAX_GRAD_SIZE = 20000   # keeps each fixture well under 1 MB


def formula_state(keys, shapes):
    """The formula of src/test-utils/formula.ts (keys without the convX.1 aliases, in order)."""
    out = {}
    for j, key in enumerate(keys):
        shape = shapes[key]
        if key.endswith("num_batches_tracked"):
            out[key] = torch.tensor(3, dtype=torch.int64)
            continue
        size = int(np.prod(shape))
        s = np.sin(0.37 * np.arange(size, dtype=np.float64) + j)
        fan_in = size / shape[0]
        if key.endswith("running_mean"):
            v = 0.1 * s
        elif key.endswith("running_var"):
            v = 1 + 0.25 * s
        elif key.startswith("encoder.bn") and key.endswith(".weight"):
            v = 1 + 0.2 * s
        elif key.endswith(".bias"):
            v = 0.1 * s
        else:
            v = math.sqrt(3 / fan_in) * s
        out[key] = torch.from_numpy(v.astype(np.float32).reshape(shape))
    return out


class WideBasicDecoder(dfn.FoldingNetBasicDecoder):
    """foldingnetbasic for F > 512 with the de-embedding kept (the TypeScript model's choice)."""

    def __init__(self, num_features, source_points):
        saved = dfn._check_features
        dfn._check_features = lambda f: None
        try:
            super().__init__(num_features, shape="sphere", source_points=source_points)
        finally:
            dfn._check_features = saved
        self.deembedding = nn.Linear(num_features, dfn.WIDTH, bias=False)

    def forward(self, x):
        x = self.deembedding(x)
        code = x.unsqueeze(1)
        grid = self.grid.unsqueeze(0).expand(x.shape[0], -1, -1)
        return self.folding(code, grid)


def build(cfg, source):
    f = cfg["F"]
    if f > dfn.WIDTH:
        model = dfn.CloudAutoEncoder(512, k=K, decoder_type="foldingnetbasic", shape="sphere",
                                     source_points=source)
        model.encoder = dfn.DGCNNEncoder(f, k=K)
        model.decoder = WideBasicDecoder(f, source)
        model.num_features = f
    elif source is None:
        model = dfn.CloudAutoEncoder(f, k=K, decoder_type=cfg["decoder"])
    else:
        model = dfn.CloudAutoEncoder(f, k=K, decoder_type=cfg["decoder"], shape="sphere",
                                     source_points=source)
    sd = model.state_dict()
    keys = [k for k in sd if not (k.startswith("encoder.conv") and ".1." in k)]
    if "decoder.deembedding.weight" in keys and cfg["decoder"] == "foldingnetbasic":
        keys.remove("decoder.deembedding.weight")     # TypeScript order: before the foldings
        first = next(i for i, k in enumerate(keys) if k.startswith("decoder."))
        keys.insert(first, "decoder.deembedding.weight")
    state = formula_state(keys, {k: tuple(v.shape) for k, v in sd.items()})
    model.load_state_dict(state, strict=False)         # the aliases share the bnX modules
    return model.double()


def float32_grads(model, x32, graphs):
    """PyTorch's own float32 gradients with the same graphs: how well float32 can do."""
    it = iter(graphs)
    original = dfn.knn_indices
    dfn.knn_indices = lambda h, k: next(it)
    try:
        model.train()
        x = torch.from_numpy(x32).requires_grad_(True)
        recon, _ = model(x)
        dfn.chamfer_sum(x, recon).backward()
    finally:
        dfn.knn_indices = original
    out = {k: p.grad.numpy().copy() for k, p in model.named_parameters()}
    out["input"] = x.grad.numpy().copy()
    return out


def ellipsoids(rng):
    d = rng.standard_normal((B, N, 3))
    d /= np.linalg.norm(d, axis=2, keepdims=True)
    axes = 0.5 + 0.7 * rng.random((B, 1, 3))
    return (d * axes + 0.1 * rng.standard_normal((B, 1, 3))
            + 0.02 * rng.standard_normal((B, N, 3))).astype(np.float32)


def traced(model, x, train):
    """Forward with kNN graphs recorded and their tie margins checked in float64."""
    graphs, margins = [], []
    original = dfn.knn_indices

    def knn(h, k):
        sq = (h * h).sum(dim=1)
        score = (2.0 * torch.matmul(h.transpose(1, 2), h) - sq.unsqueeze(1)) - sq.unsqueeze(2)
        top = score.topk(k + 1, dim=-1).values
        scale = sq + sq.mean()
        margins.append(int(((top[..., k - 1] - top[..., k]) / scale < FRAGILE).sum()))
        idx = score.topk(k, dim=-1).indices
        graphs.append(idx)
        return idx

    dfn.knn_indices = knn
    try:
        model.train(train)
        trace = {}
        feats = model.encoder(x, trace=trace)
        recon = model.decoder(feats)
    finally:
        dfn.knn_indices = original
    return feats, recon, trace, graphs, margins


def make(name, cfg):
    rng = np.random.RandomState(cfg["seed"])
    source = None
    if cfg["M"] is not None:
        s = rng.standard_normal((cfg["M"], 3))
        source = (0.3 * s / np.linalg.norm(s, axis=1, keepdims=True)).astype(np.float32)
    x32 = ellipsoids(rng)
    model = build(cfg, source)
    x = torch.from_numpy(x32).double()
    with torch.no_grad():
        ef, er, et, eg, em = traced(model, x, False)
    xg = x.clone().requires_grad_(True)
    tf_, tr, tt, tg, tm = traced(model, xg, True)
    loss = dfn.chamfer_sum(xg, tr)
    loss.backward()
    params = dict(model.named_parameters())
    f32 = lambda t: t.detach().numpy().astype(np.float32)  # noqa: E731
    out = {
        "input": x32,
        "eval_features": f32(ef), "eval_recon": f32(er), "eval_pooled": f32(et["pooled"]),
        "eval_chamfer_sum": f32(dfn.chamfer_sum(x, er)),
        "eval_chamfer_ext": f32(dfn.chamfer_extended(x, er)),
        "eval_chamfer_ext_sq": f32(dfn.chamfer_extended(x, er, squared=True)),
        "train_features": f32(tf_), "train_recon": f32(tr), "train_pooled": f32(tt["pooled"]),
        "train_chamfer_sum": f32(loss),
        "train_chamfer_ext": f32(dfn.chamfer_extended(x, tr.detach())),
        "train_chamfer_ext_sq": f32(dfn.chamfer_extended(x, tr.detach(), squared=True)),
        "grad.input": f32(xg.grad),
        "eval_fragile": np.array(em, np.int32), "train_fragile": np.array(tm, np.int32),
    }
    for li in range(4):
        out["eval_knn%d" % (li + 1)] = eg[li].numpy().astype(np.int32)
        out["train_knn%d" % (li + 1)] = tg[li].numpy().astype(np.int32)
    grads32 = float32_grads(build(cfg, source).float(), x32, tg)
    for key in GRAD_KEYS:
        if key in params and params[key].numel() <= MAX_GRAD_SIZE:
            out["grad." + key] = f32(params[key].grad)
            out["grad32." + key] = grads32[key]
    out["grad32.input"] = grads32["input"]
    for key in list(out):
        if key.startswith("grad32."):
            exact = out["grad." + key[7:]].astype(np.float64)
            err = np.abs(out[key] - exact).max() / np.abs(exact).max()
            print("%s %s float32 PyTorch vs float64: %.2e" % (name, key[7:], err), file=sys.stderr)
    for i in range(1, 6):
        bn = getattr(model.encoder, "bn%d" % i)
        out["bn_after_train.encoder.bn%d.running_mean" % i] = f32(bn.running_mean)
        out["bn_after_train.encoder.bn%d.running_var" % i] = f32(bn.running_var)
    if source is not None:
        out["source"] = source
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **out)
    return {
        "decoderType": cfg["decoder"], "numFeatures": cfg["F"], "k": K,
        "shape": "plane" if source is None else "sphere",
        "numSourcePoints": 2025 if source is None else cfg["M"],
        "fragile": {"eval": em, "train": tm},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    manifest = {name: make(name, cfg) for name, cfg in CASES.items()}
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
