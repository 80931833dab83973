"""Writes the PyTorch reference fixtures of engine/src/nn (torch 1.13, CPU, float32).

usage: /usr/bin/python3 packages/engine/scripts/make-conv-fixture.py

conv-model.pt        torch.save(model.state_dict()) of a small seeded Conv3d / BatchNorm3d /
                     LeakyReLU / Linear / ConvTranspose3d (output_padding) / sigmoid model after
                     three train-mode forwards (so the running statistics and
                     num_batches_tracked = 3 are not the initial ones)
conv-model-state.npz the same state dict saved with NumPy (int64 num_batches_tracked)
conv-model-io.npz    input [2, 1, 8, 8, 8]; eval_output; then one more train-mode forward:
                     train_output, train_running_mean, train_running_var
conv-layers.npz      single layers (Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d) with
                     several strides, paddings and output paddings: <case>.weight, .bias (absent
                     without bias), .input, .output, all in PyTorch's layouts (channels first)
"""
import collections
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'src', 'nn', 'fixtures')


class ConvModel(nn.Module):
    """[B, 1, 8, 8, 8] → conv (4 channels, stride 2) → BN → leaky → flatten → 8 → 256 →
    [B, 4, 4, 4, 4] → transposed conv (stride 2, output_padding 1) → sigmoid: [B, 1, 8, 8, 8]."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv3d(1, 4, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm3d(4),
            nn.LeakyReLU(0.2),
        )
        self.embedding = nn.Linear(256, 8)
        self.deembedding = nn.Linear(8, 256)
        self.decoder = nn.ConvTranspose3d(4, 1, kernel_size=3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        h = self.encoder(x).flatten(1)
        h = self.deembedding(self.embedding(h)).reshape(-1, 4, 4, 4, 4)
        return torch.sigmoid(self.decoder(h))


def model_fixture():
    torch.manual_seed(12)
    model = ConvModel()
    x = torch.randn(2, 1, 8, 8, 8)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(2, 1, 8, 8, 8) * 1.5 + 0.3)
    state = model.state_dict()
    torch.save(state, os.path.join(OUT, 'conv-model.pt'))
    np.savez(os.path.join(OUT, 'conv-model-state.npz'), **{k: v.numpy() for k, v in state.items()})
    with torch.no_grad():
        model.eval()
        eval_output = model(x)
        model.train()
        train_output = model(x)
    bn = model.encoder[1]
    np.savez(
        os.path.join(OUT, 'conv-model-io.npz'),
        input=x.numpy(),
        eval_output=eval_output.numpy(),
        train_output=train_output.numpy(),
        train_running_mean=bn.running_mean.numpy(),
        train_running_var=bn.running_var.numpy(),
    )


# name: (layer, input shape)
LAYER_CASES = collections.OrderedDict([
    ('conv2d_basic', (lambda: nn.Conv2d(3, 5, 3), (2, 3, 7, 6))),
    ('conv2d_stride_pad', (lambda: nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 2)), (1, 2, 9, 8))),
    ('conv2d_nobias', (lambda: nn.Conv2d(2, 3, 4, stride=3, padding=2, bias=False), (2, 2, 10, 11))),
    ('conv3d_basic', (lambda: nn.Conv3d(2, 3, 3), (1, 2, 5, 6, 4))),
    ('conv3d_stride_pad', (lambda: nn.Conv3d(3, 2, (3, 1, 2), stride=(2, 1, 3), padding=(1, 0, 1)), (2, 3, 7, 4, 8))),
    ('convt2d_basic', (lambda: nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 5))),
    ('convt2d_stride_pad_op', (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), (1, 2, 4, 3))),
    # output_padding greater than padding: the last rows lie beyond the full transposed conv
    ('convt2d_op_gt_pad', (lambda: nn.ConvTranspose2d(2, 2, (2, 3), stride=(3, 2), padding=(0, 1), output_padding=(2, 1), bias=False), (2, 2, 3, 4))),
    ('convt3d_basic', (lambda: nn.ConvTranspose3d(2, 3, 2, stride=2), (1, 2, 3, 2, 3))),
    ('convt3d_stride_pad_op', (lambda: nn.ConvTranspose3d(3, 2, (3, 3, 2), stride=(2, 3, 2), padding=(1, 1, 0), output_padding=(1, 2, 1)), (2, 3, 3, 2, 4))),
])


def layer_fixture():
    torch.manual_seed(5)
    arrays = {}
    for name, (make, shape) in LAYER_CASES.items():
        layer = make()
        x = torch.randn(*shape)
        with torch.no_grad():
            y = layer(x)
        arrays[f'{name}.weight'] = layer.weight.detach().numpy()
        if layer.bias is not None:
            arrays[f'{name}.bias'] = layer.bias.detach().numpy()
        arrays[f'{name}.input'] = x.numpy()
        arrays[f'{name}.output'] = y.numpy()
    np.savez(os.path.join(OUT, 'conv-layers.npz'), **arrays)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    model_fixture()
    layer_fixture()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))
