#!/usr/bin/env python3
"""Writes the committed fixture of the FoldingNet encoder (src/model/fixtures/foldingnet-encoder.npz).

A PyTorch re-implementation of cellshape-cloud's `FoldNetEncoder` (vendor/encoders.py and
vendor/graph_functions.py; re-typed from reading them, same module and parameter names), with
hashed weights that the test recomputes (so only inputs and outputs are stored).
The outputs are evaluated in float64 from float32 weights and inputs; the kNN graph is searched
in float32 as the original does, and stored so the test can check its own search against it.
One fault of the original is not copied: for F != 512 it calls a `self.flatten` it never
defines; here the pooled (B, 1, 512) codeword is reshaped to (B, 512) before the embedding.

usage: /usr/bin/python3 packages/cloud/scripts/make-foldingnet-fixture.py
"""
import math
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "model", "fixtures", "foldingnet-encoder.npz")
B, N, K, F = 2, 64, 16, 16
GRAD_KEYS = [
    "encoder.mlp1.0.weight", "encoder.mlp1.4.bias", "encoder.linear1.bias",
    "encoder.conv1.bias", "encoder.linear2.bias", "encoder.mlp2.2.bias",
    "encoder.embedding.weight",
]


def knn(pts, k):
    """(B, C, N) -> (B, N, k) neighbour indices, the point itself included, best first."""
    inner = -2 * torch.matmul(pts.transpose(2, 1), pts)
    sq = torch.sum(pts ** 2, dim=1, keepdim=True)
    score = -sq - inner - sq.transpose(2, 1)
    return score.topk(k=k, dim=-1)[1]


def neighbours(x, idx):
    """(B, C, N) features, (B, N, k) indices -> (B, N, k, C) features of the neighbours."""
    rows = x.transpose(2, 1)
    return torch.stack([rows[b][idx[b]] for b in range(x.size(0))])


def local_cov(pts, idx):
    """(B, 3, N) -> (B, 12, N): xyz, then the outer product of neighbours 0 and 1 (row-major)."""
    nb = neighbours(pts, idx)
    outer = torch.matmul(nb[:, :, 0].unsqueeze(3), nb[:, :, 1].unsqueeze(2))
    return torch.cat((pts, outer.reshape(pts.size(0), pts.size(2), 9).transpose(2, 1)), dim=1)


def local_maxpool(x, idx):
    """(B, C, N) -> (B, N, C): the maximum over each point's k neighbours."""
    return neighbours(x, idx).max(dim=2)[0]


class FoldNetEncoder(nn.Module):
    def __init__(self, num_features, k):
        super().__init__()
        self.k = k
        self.num_features = num_features
        self.mlp1 = nn.Sequential(
            nn.Conv1d(12, 64, 1), nn.ReLU(), nn.Conv1d(64, 64, 1), nn.ReLU(),
            nn.Conv1d(64, 64, 1), nn.ReLU(),
        )
        self.linear1 = nn.Linear(64, 64)
        self.conv1 = nn.Conv1d(64, 128, 1)
        self.linear2 = nn.Linear(128, 128)
        self.conv2 = nn.Conv1d(128, 1024, 1)
        self.mlp2 = nn.Sequential(nn.Conv1d(1024, 512, 1), nn.ReLU(), nn.Conv1d(512, 512, 1))
        if num_features != 512:
            self.embedding = nn.Linear(512, num_features, bias=False)

    def forward(self, pts, idx):
        pts = pts.transpose(2, 1)
        x = self.mlp1(local_cov(pts, idx))
        x = self.linear1(local_maxpool(x, idx)).transpose(2, 1)
        x = torch.relu(self.conv1(x))
        x = self.linear2(local_maxpool(x, idx)).transpose(2, 1)
        x = self.conv2(x)
        x = torch.max(x, 2, keepdim=True)[0]
        x = self.mlp2(x).reshape(pts.size(0), 512)
        return self.embedding(x) if self.num_features != 512 else x


def hashed_state(model):
    """Weights of the test (foldingnet-encoder.test.ts `hashedWeights`): key j, flat index i in
    PyTorch layout, h = murmur3-fmix32((i * 0x9E3779B1 + (j + 1) * 0x85EBCA77) mod 2^32),
    value (2 h / 2^32 - 1) * bound with bound sqrt(6 / fan_in) for weights (He's range, so the
    input matters at depth) and 0.1 for biases, float32. Full rank, unlike a sinusoidal formula
    (whose matrices have rank 2 and make every input look alike)."""
    m = np.uint64(0xFFFFFFFF)
    out = {}
    state = model.state_dict()
    for j, (key, p) in enumerate(state.items()):
        size = p.numel()
        bound = 0.1 if key.endswith(".bias") else math.sqrt(6 / (size // p.shape[0]))
        i = np.arange(size, dtype=np.uint64)
        h = (i * np.uint64(0x9E3779B1) + np.uint64((j + 1) * 0x85EBCA77)) & m
        h ^= h >> np.uint64(16)
        h = (h * np.uint64(0x85EBCA6B)) & m
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(0xC2B2AE35)) & m
        h ^= h >> np.uint64(16)
        v = (h.astype(np.float64) / 2.0 ** 32 * 2 - 1) * bound
        out[key] = torch.from_numpy(v.astype(np.float32).reshape(p.shape))
    return out


def main():
    torch.manual_seed(0)
    points = torch.randn(B, N, 3, dtype=torch.float32)
    encoder = FoldNetEncoder(F, K)
    model = nn.Module()
    model.encoder = encoder
    model.load_state_dict(hashed_state(model))
    idx = knn(points.transpose(2, 1), K)
    model.double()
    features = encoder(points.double(), idx)
    loss = (features ** 2).mean()
    loss.backward()
    arrays = {
        "points": points.numpy(),
        "knn": idx.numpy().astype(np.int32),
        "features": features.detach().numpy().astype(np.float32),
        "loss": np.float32(loss.item()),
    }
    params = dict(model.named_parameters())
    for key in GRAD_KEYS:
        arrays[f"grad.{key}"] = params[key].grad.numpy().astype(np.float32)
    np.savez_compressed(OUT, **arrays)
    print(OUT, os.path.getsize(OUT), "bytes; features", features.detach().numpy().ravel()[:4])


if __name__ == "__main__":
    main()
