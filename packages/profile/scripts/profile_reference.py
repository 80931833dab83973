"""The 2D image models of @cellshape/profile in PyTorch, with the same module and parameter
names, so state dicts move both ways (packages/profile/src/models/): SiameseEncoder,
ConvAutoEncoder2D, CnnClassifier, and the Barlow Twins loss. Used by make-golden.py (goldens)
and bench/reference_profile.py (timings). Inputs are NCHW here, NHWC in TypeScript."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def activation(name, negative_slope):
    return nn.ReLU() if name == "relu" else nn.LeakyReLU(negative_slope)


class Block(nn.Module):
    """3x3 'same' conv -> activation -> batch norm (optional) -> 2x2 max-pool -> dropout."""

    def __init__(self, cin, cout, batch_norm, dropout, act):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        if batch_norm:
            self.norm = nn.BatchNorm2d(cout)
        self.act = act
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = self.act(self.conv(x))
        if hasattr(self, "norm"):
            x = self.norm(x)
        return self.drop(F.max_pool2d(x, 2))


def blocks(cin, filters, batch_norm, dropout, act):
    return nn.ModuleList(
        Block(cin if i == 0 else filters[i - 1], f, batch_norm, dropout, act)
        for i, f in enumerate(filters))


class SiameseEncoder(nn.Module):
    def __init__(self, inputShape=(128, 128, 1), filters=(16, 32, 64, 128), numFeatures=128,
                 batchNorm=True, dropout=0.1, activation_="relu", negativeSlope=0.01, **_):
        super().__init__()
        act = activation(activation_, negativeSlope)
        self.blocks = blocks(inputShape[2], filters, batchNorm, dropout, act)
        self.fc = nn.Linear(filters[-1], numFeatures)
        self.bn = nn.BatchNorm1d(numFeatures)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.bn(self.fc(x.mean((2, 3))))


class Up(nn.Module):
    def __init__(self, cin, cout, n):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
        self.convs = nn.ModuleList(nn.Conv2d(cout, cout, 3, padding=1) for _ in range(n))

    def forward(self, x):
        x = F.relu(self.up(x))
        for c in self.convs:
            x = F.relu(c(x))
        return x


class ConvAutoEncoder2D(nn.Module):
    def __init__(self, inputShape=(128, 128, 1), filters=(8, 16, 32, 64), convsPerLevel=2,
                 codeChannels=1, outputActivation="none", **_):
        super().__init__()
        c = inputShape[2]
        n = convsPerLevel
        self.encoder = nn.ModuleList(
            nn.ModuleList(nn.Conv2d(f if j > 0 else (c if i == 0 else filters[i - 1]), f, 3, padding=1)
                          for j in range(n))
            for i, f in enumerate(filters))
        deep = filters[-1]
        self.code = nn.Conv2d(deep, codeChannels, 1)
        self.expand = nn.Conv2d(codeChannels, deep, 3, padding=1)
        L = len(filters)
        self.decoder = nn.ModuleList(
            Up(deep if i == L - 1 else filters[i + 1], filters[i], n) for i in reversed(range(L)))
        self.head = nn.Conv2d(filters[0], c, 1)
        self.sigmoid = outputActivation == "sigmoid"
        self.code_hw = (inputShape[0] >> L, inputShape[1] >> L)
        self.code_channels = codeChannels

    def encode(self, x):
        for level in self.encoder:
            for c in level:
                x = F.relu(c(x))
            x = F.max_pool2d(x, 2)
        return self.code(x).flatten(1)

    def decode(self, z):
        x = z.reshape(z.shape[0], self.code_channels, *self.code_hw)
        x = F.relu(self.expand(x))
        for up in self.decoder:
            x = up(x)
        y = self.head(x)
        return torch.sigmoid(y) if self.sigmoid else y

    def forward(self, x):
        z = self.encode(x)
        return z, self.decode(z)


class CnnClassifier(nn.Module):
    def __init__(self, numClasses=2, inputShape=(128, 128, 1), filters=(16, 32, 64, 128), hidden=64,
                 numFeatures=16, batchNorm=True, dropout=0.2, activation_="leakyRelu",
                 negativeSlope=0.01, **_):
        super().__init__()
        self.act = activation(activation_, negativeSlope)
        self.blocks = blocks(inputShape[2], filters, batchNorm, dropout, self.act)
        self.hidden = nn.Linear(filters[-1], hidden)
        self.embedding = nn.Linear(hidden, numFeatures)
        self.head = nn.Linear(numFeatures, numClasses)

    def encode(self, x):
        for b in self.blocks:
            x = b(x)
        return self.act(self.embedding(self.act(self.hidden(x.mean((2, 3))))))

    def forward(self, x):
        return self.head(self.encode(x))


def barlow_twins_loss(z1, z2, lambd=0.005, eps=1e-5):
    """Zbontar et al. 2021: BatchNorm1d(affine=False) in training on each view, C = z1n^T z2n / B,
    sum (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2."""
    b = z1.shape[0]
    z1n = F.batch_norm(z1, None, None, training=True, eps=eps)
    z2n = F.batch_norm(z2, None, None, training=True, eps=eps)
    c = z1n.T @ z2n / b
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on + lambd * off
