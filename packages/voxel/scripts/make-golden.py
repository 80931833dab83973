#!/usr/bin/env python3
"""Writes the committed golden fixtures of @cellshape/voxel (src/model/golden/fixtures/) and the
expected ResNet parameter counts (src/model/golden/fixtures/resnet-parameters.json).

Each case is a small VoxelAutoEncoder of voxel_reference.py whose weights follow a formula that
the TypeScript tests recompute (src/model/golden/formula.ts), so a fixture holds only the input
(uint8 masks, channels last) and the outputs of the PyTorch oracle evaluated in float64 (float32
weights and inputs, exact arithmetic otherwise):

* eval mode: features, the reconstruction at SAMPLES evenly spaced voxels and its mean;
* train mode (batch statistics): features, sampled reconstruction, the BCE loss, and per
  parameter the gradient of that loss at SAMPLES evenly spaced entries (PyTorch layout) with
  the largest |gradient| (the scale of the tolerance) and PyTorch's own float32 error relative
  to it, and the running statistics after the step.

usage: /usr/bin/python3 packages/voxel/scripts/make-golden.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import voxel_reference as ref  # noqa: E402

OUT = os.path.join(HERE, "..", "src", "model", "golden", "fixtures")
SAMPLES = 64
B = 2
SIMPLE = dict(numFeatures=5, bias=True)
RESNET = dict(encoderType="resnet", numFeatures=5, numLayers=3, filters=[4, 6, 8],
              widenFactor=1 / 16)
CASES = {
    "simple3": dict(SIMPLE, inputShape=[16, 16, 16, 1], numLayers=3, filters=[4, 6, 8]),
    "simple4": dict(SIMPLE, inputShape=[24, 24, 24, 1], numLayers=4, filters=[3, 4, 6, 8]),
    "simple5": dict(SIMPLE, inputShape=[33, 33, 33, 1], numLayers=5, filters=[2, 3, 4, 6, 8],
                    leaky=False),
    "resnet10A": dict(RESNET, inputShape=[24, 24, 24, 1], resnetDepth=10, shortcutType="A"),
    "resnet10B": dict(RESNET, inputShape=[24, 24, 24, 1], resnetDepth=10, shortcutType="B"),
    "resnet18A": dict(RESNET, inputShape=[24, 24, 24, 1], resnetDepth=18, shortcutType="A"),
    "resnet18B": dict(RESNET, inputShape=[32, 32, 32, 1], resnetDepth=18, shortcutType="B",
                      noMaxPool=False, numLayers=4, filters=[3, 4, 6, 8]),
    "resnet50A": dict(RESNET, inputShape=[24, 24, 24, 1], resnetDepth=50, shortcutType="A"),
    "resnet50B": dict(RESNET, inputShape=[24, 24, 24, 1], resnetDepth=50, shortcutType="B"),
}


def is_norm_weight(key, keys):
    return key.endswith(".weight") and key[: -len("weight")] + "running_mean" in keys


MASK = np.uint64(0xFFFFFFFF)


def hash_uniform(size, j):
    """u(i, j) in [-1, 1) for i < size: an integer hash of (i, j) (32-bit multiply-xorshift,
    src/model/golden/formula.ts). Hashed rather than sin(a i + j) weights: the deep ResNets'
    training-mode batch norms turn periodic weights into near-constant channels, whose float32
    rounding then dominates."""
    i = np.arange(size, dtype=np.uint64)
    h = (i * np.uint64(0x9E3779B1) + np.uint64(j + 1) * np.uint64(0x85EBCA77)) & MASK
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x2C1B3C6D)) & MASK
    h ^= h >> np.uint64(12)
    h = (h * np.uint64(0x297A2D39)) & MASK
    h ^= h >> np.uint64(15)
    return h.astype(np.float64) / 2 ** 32 * 2 - 1


def formula_state(state):
    """Key j (position in state_dict order), PyTorch flat index i, s = hash_uniform(i, j):
    running_mean 0.1 s, running_var 1 + 0.25 s, batch-norm weight 1 + 0.2 s, biases 0.1 s,
    other weights sqrt(3 / fan_in) s, num_batches_tracked 3 (src/model/golden/formula.ts)."""
    keys = list(state.keys())
    out = {}
    for j, key in enumerate(keys):
        shape = tuple(state[key].shape)
        if key.endswith("num_batches_tracked"):
            out[key] = torch.tensor(3, dtype=torch.int64)
            continue
        size = int(np.prod(shape))
        s = hash_uniform(size, j)
        if key.endswith("running_mean"):
            v = 0.1 * s
        elif key.endswith("running_var"):
            v = 1 + 0.25 * s
        elif is_norm_weight(key, keys):
            v = 1 + 0.2 * s
        elif key.endswith(".bias"):
            v = 0.1 * s
        else:
            v = math.sqrt(3 / (size / shape[0])) * s
        out[key] = torch.from_numpy(v.astype(np.float32).astype(np.float64).reshape(shape))
    return out


def masks(n, seed):
    """Two solid ellipsoids with seeded centres and radii, a few voxels flipped: uint8 [B, n, n, n]."""
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.arange(n)] * 3, indexing="ij"), -1).astype(np.float64)
    out = []
    for _ in range(B):
        centre = n / 2 + rng.uniform(-n / 8, n / 8, 3)
        radii = rng.uniform(n / 6, n / 3, 3)
        inside = (((grid - centre) / radii) ** 2).sum(-1) <= 1
        flip = rng.uniform(size=inside.shape) < 0.02
        out.append((inside ^ flip).astype(np.uint8))
    return np.stack(out)


def sample_indices(size):
    return np.unique(np.floor(np.arange(SAMPLES) * size / SAMPLES).astype(np.int64))


def sampled(x):
    flat = x.detach().reshape(-1).numpy()
    return flat[sample_indices(flat.size)].astype(np.float32)


def float32_gradient_errors(options, mask):
    """Per parameter, PyTorch's own float32 gradient error max |g32 - g64| (the cloud goldens'
    rule allows GRAD_RTOL + 2 x this, relative to the scale)."""
    grads = {}
    for dtype in (torch.float64, torch.float32):
        model = ref.VoxelAutoEncoder(**options).to(dtype)
        state = formula_state(model.state_dict())
        model.load_state_dict({k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()})
        x = torch.from_numpy(mask.astype(np.float64)).unsqueeze(1).to(dtype)
        model.train()
        recon, _ = model(x)
        F.binary_cross_entropy(recon, x).backward()
        grads[dtype] = {k: p.grad.double() for k, p in model.named_parameters()}
    return {k: (grads[torch.float32][k] - g).abs().max().item() for k, g in grads[torch.float64].items()}


def run_case(name, options, seed):
    torch.manual_seed(seed)
    model = ref.VoxelAutoEncoder(**options).double()
    model.load_state_dict(formula_state(model.state_dict()))
    n = options["inputShape"][0]
    mask = masks(n, seed)
    x = torch.from_numpy(mask.astype(np.float64)).unsqueeze(1)
    arrays = {"input": mask[..., None]}
    model.eval()
    with torch.no_grad():
        recon, features = model(x)
    arrays.update(eval_features=features.float().numpy(), eval_recon=sampled(recon),
                  eval_recon_mean=np.float32(recon.mean().item()))
    model.train()
    recon, features = model(x)
    assert recon.min().item() > 1e-6 and recon.max().item() < 1 - 1e-6, "saturated sigmoid"
    loss = F.binary_cross_entropy(recon, x)
    loss.backward()
    arrays.update(train_features=features.detach().float().numpy(), train_recon=sampled(recon),
                  train_loss=np.float32(loss.item()))
    own32 = float32_gradient_errors(options, mask)
    for key, p in model.named_parameters():
        scale = p.grad.abs().max().item()
        arrays[f"grad.{key}"] = sampled(p.grad)
        arrays[f"gradscale.{key}"] = np.float32(scale)
        arrays[f"gradown32.{key}"] = np.float32(own32[key] / scale if scale > 0 else 0)
    for key, v in model.state_dict().items():
        if key.endswith("running_mean") or key.endswith("running_var"):
            arrays[f"after.{key}"] = sampled(v)
    np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **arrays)
    return sum(a.nbytes for a in arrays.values())


def parameter_counts():
    """Encoder parameters (ResNet, numFeatures 50) of every depth and block type at widen factor
    1/8, with shortcut B and, for 10 and 50, A; the TypeScript test builds the same encoders."""
    counts = {}
    for depth in ref.RESNET_STAGES:
        for block in ("basic", "bottleneck"):
            for shortcut in ("A", "B") if depth in (10, 50) else ("B",):
                encoder = ref.ResNet(depth, block, shortcut, 0.125, True, 50, True)
                counts[f"{depth}-{block}-{shortcut}"] = sum(p.numel() for p in encoder.parameters())
    return counts


def torch_state_dict():
    """simple3 in float32 with PyTorch's own initialisation and one training-mode forward (so the
    running statistics and num_batches_tracked moved), saved as torch.save(state_dict())."""
    torch.manual_seed(7)
    model = ref.VoxelAutoEncoder(**CASES["simple3"])
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(masks(16, 7).astype(np.float32)).unsqueeze(1))
    torch.save(model.state_dict(), os.path.join(OUT, "simple3_state.pt"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch_state_dict()
    total = 0
    for i, (name, options) in enumerate(CASES.items()):
        total += run_case(name, options, 100 + i)
        print(f"{name}: done")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"samples": SAMPLES, "batch": B, "cases": CASES}, f, indent=2)
    with open(os.path.join(OUT, "resnet-parameters.json"), "w") as f:
        json.dump({"widenFactor": 0.125, "numFeatures": 50, "counts": parameter_counts()}, f, indent=2)
    print(f"fixtures: {total / 1e6:.2f} MB of arrays")


if __name__ == "__main__":
    main()
