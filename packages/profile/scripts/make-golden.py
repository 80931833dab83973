#!/usr/bin/env python3
"""Writes the committed PyTorch goldens of @cellshape/profile's 2D models
(src/models/golden/<case>.npz and manifest.json).

Each case is a small model of profile_reference.py, seeded (torch.manual_seed), evaluated in
float64 with its float32 weights and float32 inputs. A fixture holds:

* `state.<key>`: the state dict (float32, PyTorch layout; num_batches_tracked int64), which the
  TypeScript test loads;
* `input` (NHWC float32), for the Siamese case also `input2` (the second view);
* eval mode: `eval.features`, and `eval.reconstruction` (NHWC) / `eval.logits`;
* train mode (dropout 0, batch statistics): `train.loss` (Barlow Twins of the two views / MSE /
  cross-entropy of `labels`), `grad.<name>` per parameter (PyTorch layout) and the running
  statistics `after.<key>` after the forward pass(es).

And `barlow.npz`: z1, z2, the loss at lambda 0.05 and its gradients in float64; `pca.npz`:
scikit-learn's PCA of two fixed sets (see pca()).

usage: /usr/bin/python3 packages/profile/scripts/make-golden.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import profile_reference as ref  # noqa: E402

OUT = os.path.join(HERE, "..", "src", "models", "golden")
B = 4
LAMBDA = 0.05
CASES = {
    "siamese": ("SiameseEncoder", dict(inputShape=[16, 16, 1], filters=[4, 8], numFeatures=8,
                                       dropout=0, seed=0)),
    "autoencoder": ("ConvAutoEncoder2D", dict(inputShape=[16, 16, 1], filters=[3, 4],
                                              convsPerLevel=2, codeChannels=2)),
    "classifier": ("CnnClassifier", dict(numClasses=3, inputShape=[16, 16, 2], filters=[4, 6],
                                         hidden=6, numFeatures=5, dropout=0)),
}


def build(kind, options):
    o = dict(options)
    if "activation" in o:
        o["activation_"] = o.pop("activation")
    return getattr(ref, kind)(**o)


def images(shape, seed):
    """Smooth blobs plus noise, NHWC float32."""
    rng = np.random.default_rng(seed)
    h, w, c = shape
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = np.zeros((B, h, w, c), np.float32)
    for b in range(B):
        for ch in range(c):
            cy, cx = rng.uniform(0.3, 0.7, 2) * [h, w]
            r = rng.uniform(0.15, 0.35) * h
            out[b, :, :, ch] = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    return (out + 0.1 * rng.standard_normal(out.shape)).astype(np.float32)


def nchw(x):
    return torch.from_numpy(x.astype(np.float64)).permute(0, 3, 1, 2)


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).numpy().astype(np.float32)


def run_case(name, kind, options):
    torch.manual_seed(0)
    model = build(kind, options)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model = model.double()
    arrays = {f"state.{k}": (v.numpy() if not v.is_floating_point() else v.numpy().astype(np.float32))
              for k, v in state.items()}
    x = images(options["inputShape"], 1)
    arrays["input"] = x
    model.eval()
    with torch.no_grad():
        if kind == "SiameseEncoder":
            arrays["eval.features"] = model(nchw(x)).numpy().astype(np.float32)
        elif kind == "ConvAutoEncoder2D":
            z, r = model(nchw(x))
            arrays["eval.features"] = z.numpy().astype(np.float32)
            arrays["eval.reconstruction"] = nhwc(r)
        else:
            arrays["eval.features"] = model.encode(nchw(x)).numpy().astype(np.float32)
            arrays["eval.logits"] = model(nchw(x)).numpy().astype(np.float32)
    model.train()
    if kind == "SiameseEncoder":
        x2 = np.ascontiguousarray(x[:, :, ::-1, :] * 0.9 + 0.05).astype(np.float32)
        arrays["input2"] = x2
        loss = ref.barlow_twins_loss(model(nchw(x)), model(nchw(x2)), LAMBDA)
    elif kind == "ConvAutoEncoder2D":
        _, r = model(nchw(x))
        loss = F.mse_loss(r, nchw(x))
    else:
        labels = np.array([0, 2, 1, 2], np.int64)
        arrays["labels"] = labels
        loss = F.cross_entropy(model(nchw(x)), torch.from_numpy(labels))
    loss.backward()
    arrays["train.loss"] = np.array(loss.item(), np.float64)
    for k, p in model.named_parameters():
        arrays[f"grad.{k}"] = p.grad.numpy().astype(np.float32)
    for k, v in model.state_dict().items():
        if "running" in k:
            arrays[f"after.{k}"] = v.numpy().astype(np.float32)
    np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **arrays)


def barlow():
    rng = np.random.default_rng(7)
    z1 = rng.standard_normal((6, 5)).astype(np.float32)
    z2 = (z1 + 0.5 * rng.standard_normal((6, 5))).astype(np.float32)
    a = torch.from_numpy(z1.astype(np.float64)).requires_grad_()
    b = torch.from_numpy(z2.astype(np.float64)).requires_grad_()
    loss = ref.barlow_twins_loss(a, b, LAMBDA)
    loss.backward()
    np.savez_compressed(os.path.join(OUT, "barlow.npz"), z1=z1, z2=z2,
                        loss=np.array(loss.item()), grad1=a.grad.numpy(), grad2=b.grad.numpy())


def pca():
    """scikit-learn's PCA on two fixed sets: wide (12 samples of 5x5, the Gram route) and tall
    (30 samples of 4 values, the scatter route): components, explained variance (ratio) and
    the transform of the fitted samples."""
    from sklearn.decomposition import PCA
    rng = np.random.default_rng(11)
    arrays = {}
    for name, (n, shape, k) in {"wide": (12, (5, 5, 1), 4), "tall": (30, (4,), 3)}.items():
        basis = rng.standard_normal((3, int(np.prod(shape))))
        x = (rng.standard_normal((n, 3)) * [3, 2, 1]) @ basis + 0.1 * rng.standard_normal((n, int(np.prod(shape))))
        x = x.astype(np.float32)
        model = PCA(n_components=k).fit(x.astype(np.float64))
        arrays[f"{name}.x"] = x.reshape((n,) + shape)
        arrays[f"{name}.components"] = model.components_
        arrays[f"{name}.explained_variance"] = model.explained_variance_
        arrays[f"{name}.explained_variance_ratio"] = model.explained_variance_ratio_
        arrays[f"{name}.transform"] = model.transform(x.astype(np.float64))
    np.savez_compressed(os.path.join(OUT, "pca.npz"), **arrays)


def main():
    os.makedirs(OUT, exist_ok=True)
    pca()
    for name, (kind, options) in CASES.items():
        run_case(name, kind, options)
    barlow()
    manifest = {"batch": B, "lambda": LAMBDA,
                "cases": {name: {"kind": kind, "options": options} for name, (kind, options) in CASES.items()}}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
