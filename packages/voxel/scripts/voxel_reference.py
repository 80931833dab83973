"""PyTorch reference of @cellshape/voxel's VoxelAutoEncoder: the architecture of cellshape-voxel
(Sentinal4D/cellshape-voxel) and of Kensho Hara's 3D ResNet, rewritten with the original's
module and parameter names and its faults fixed (see packages/voxel/README.md, "How it differs
from cellshape-voxel"):

* the simple encoder has a batch norm after every layer but the last (the original's 3-layer
  encoder used a `bn2` it never built, the 5-layer one a `bn3`);
* the decoder reshapes the `debedding` output for every depth and uses the batch norms it builds
  (the original called `relu2_2`, `bn3_2`, `bn5_2`, which do not exist);
* sizes follow the convolutions' own output sizes, and output paddings are chosen so that the
  decoder output equals the input for every cube the network takes;
* the ResNet takes the standard block per depth (basic below 50), builds no unused
  `embedding`, and shortcut A keeps its gradient (the original concatenated `out.data`).

Used by make-golden.py (fixtures) and bench/reference_voxel.py (speed reference).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

RESNET_STAGES = {
    10: (1, 1, 1, 1),
    18: (2, 2, 2, 2),
    34: (3, 4, 6, 3),
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
    200: (3, 24, 36, 3),
}
RESNET_WIDTHS = (64, 128, 256, 512)


def encoder_sizes(n, num_layers):
    """Cube edge per level: ceil(n/2) per 5^3 stride-2 layer, floor((m-1)/2) for the last 3^3 one."""
    sizes = [n]
    for _ in range(num_layers - 1):
        sizes.append((sizes[-1] - 1) // 2 + 1)
    sizes.append((sizes[-1] - 1) // 2)
    return sizes


def activation(leaky, neg_slope):
    return nn.LeakyReLU(neg_slope) if leaky else nn.ReLU()


class ConvolutionalEncoder(nn.Module):
    def __init__(self, num_layers, n, filters, num_features, bias, batch_norm, leaky, neg_slope):
        super().__init__()
        self.num_layers = num_layers
        self.act = activation(leaky, neg_slope)
        for i in range(num_layers):
            last = i == num_layers - 1
            in_channels = 1 if i == 0 else filters[i - 1]
            setattr(self, f"conv{i + 1}", nn.Conv3d(in_channels, filters[i], 3 if last else 5,
                                                    stride=2, padding=0 if last else 2, bias=bias))
            if not last and batch_norm:
                setattr(self, f"bn{i + 1}", nn.BatchNorm3d(filters[i]))
        size = encoder_sizes(n, num_layers)[-1]
        self.embedding = nn.Linear(size ** 3 * filters[num_layers - 1], num_features, bias=bias)

    def forward(self, x):
        for i in range(1, self.num_layers + 1):
            x = self.act(getattr(self, f"conv{i}")(x))
            if hasattr(self, f"bn{i}"):
                x = getattr(self, f"bn{i}")(x)
        return self.embedding(x.flatten(1))


class ConvolutionalDecoder(nn.Module):
    def __init__(self, num_layers, n, filters, num_features, bias, batch_norm, leaky, neg_slope):
        super().__init__()
        self.num_layers = num_layers
        self.sizes = encoder_sizes(n, num_layers)
        self.channels = [1] + list(filters[:num_layers])
        self.act = activation(leaky, neg_slope)
        self.debedding = nn.Linear(num_features, self.channels[-1] * self.sizes[-1] ** 3, bias=bias)
        for level in range(num_layers, 0, -1):
            first = level == num_layers
            kernel, padding = (3, 0) if first else (5, 2)
            full = (self.sizes[level] - 1) * 2 - 2 * padding + kernel
            setattr(self, f"deconv{level}", nn.ConvTranspose3d(
                self.channels[level], self.channels[level - 1], kernel, stride=2, padding=padding,
                output_padding=self.sizes[level - 1] - full, bias=bias))
            if level > 1 and batch_norm:
                setattr(self, f"bn{level}", nn.BatchNorm3d(self.channels[level - 1]))

    def forward(self, features):
        s = self.sizes[-1]
        x = self.act(self.debedding(features).view(features.shape[0], self.channels[-1], s, s, s))
        for level in range(self.num_layers, 1, -1):
            x = self.act(getattr(self, f"deconv{level}")(x))
            if hasattr(self, f"bn{level}"):
                x = getattr(self, f"bn{level}")(x)
        return torch.sigmoid(self.deconv1(x))


def conv3d(cin, cout, kernel, stride=1):
    return nn.Conv3d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)


class ResidualBlock(nn.Module):
    """Hara's BasicBlock (expansion 1) or Bottleneck (expansion 4) with an optional shortcut."""

    def __init__(self, kind, cin, planes, stride, shortcut):
        super().__init__()
        self.expansion = 1 if kind == "basic" else 4
        cout = planes * self.expansion
        if kind == "basic":
            specs = [(cin, planes, 3, stride), (planes, planes, 3, 1)]
        else:
            specs = [(cin, planes, 1, 1), (planes, planes, 3, stride), (planes, cout, 1, 1)]
        self.count = len(specs)
        for i, (a, b, k, s) in enumerate(specs):
            setattr(self, f"conv{i + 1}", conv3d(a, b, k, s))
            setattr(self, f"bn{i + 1}", nn.BatchNorm3d(b))
        self.stride, self.cout = stride, cout
        self.resize = stride != 1 or cin != cout
        self.shortcut = shortcut
        if self.resize and shortcut == "B":
            self.downsample = nn.Sequential(conv3d(cin, cout, 1, stride), nn.BatchNorm3d(cout))

    def forward(self, x):
        h = x
        for i in range(1, self.count + 1):
            h = getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(h))
            if i < self.count:
                h = F.relu(h)
        if not self.resize:
            identity = x
        elif self.shortcut == "B":
            identity = self.downsample(x)
        else:
            picked = x[:, :, ::self.stride, ::self.stride, ::self.stride]
            identity = F.pad(picked, (0, 0, 0, 0, 0, 0, 0, self.cout - picked.shape[1]))
        return F.relu(h + identity)


class ResNet(nn.Module):
    def __init__(self, depth, block, shortcut, widen_factor, no_max_pool, num_features, bias):
        super().__init__()
        widths = [int(math.floor(w * widen_factor)) for w in RESNET_WIDTHS]
        self.no_max_pool = no_max_pool
        self.conv1 = nn.Conv3d(1, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm3d(widths[0])
        channels = widths[0]
        for stage, count in enumerate(RESNET_STAGES[depth]):
            blocks = []
            for j in range(count):
                stride = 2 if j == 0 and stage > 0 else 1
                blocks.append(ResidualBlock(block, channels, widths[stage], stride, shortcut))
                channels = blocks[-1].cout
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(channels, num_features, bias=bias)
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if not self.no_max_pool:
            x = F.max_pool3d(x, 3, stride=2, padding=1)
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return self.fc(x.mean(dim=(2, 3, 4)))


DEFAULTS = dict(encoderType="simple", inputShape=[64, 64, 64, 1], numFeatures=50, numLayers=3,
                filters=[32, 64, 128, 256, 512], bias=True, batchNorm=True, leaky=True,
                negSlope=0.01, resnetDepth=10, resnetBlock=None, shortcutType="B",
                widenFactor=1.0, noMaxPool=True)


class VoxelAutoEncoder(nn.Module):
    """Options as the TypeScript VoxelAutoEncoder's (camelCase); forward -> (reconstruction, features)."""

    def __init__(self, **options):
        super().__init__()
        o = {**DEFAULTS, **options}
        n = o["inputShape"][0]
        common = (o["numLayers"], n, o["filters"], o["numFeatures"], o["bias"], o["batchNorm"],
                  o["leaky"], o["negSlope"])
        if o["encoderType"] == "simple":
            self.encoder = ConvolutionalEncoder(*common)
        else:
            block = o["resnetBlock"] or ("basic" if o["resnetDepth"] < 50 else "bottleneck")
            self.encoder = ResNet(o["resnetDepth"], block, o["shortcutType"], o["widenFactor"],
                                  o["noMaxPool"], o["numFeatures"], o["bias"])
        self.decoder = ConvolutionalDecoder(*common)

    def forward(self, x):
        features = self.encoder(x)
        return self.decoder(features), features
