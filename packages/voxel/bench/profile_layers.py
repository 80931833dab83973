"""Times each convolution of the voxel benchmarks' models in PyTorch (2 threads), forward and
backward (input and filter gradients), min of runs, to set beside `profile-layers.ts`:

    /usr/bin/python3 packages/voxel/bench/profile_layers.py
"""
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
B = 8

# (name, transposed, C_in, C_out, kernel, stride, padding, output_padding, input edge)
LAYERS = [
    ("simple.conv1", False, 1, 32, 5, 2, 2, 0, 64),
    ("simple.conv2", False, 32, 64, 5, 2, 2, 0, 32),
    ("simple.conv3", False, 64, 128, 3, 2, 0, 0, 16),
    ("simple.deconv3", True, 128, 64, 3, 2, 0, 1, 7),
    ("simple.deconv2", True, 64, 32, 5, 2, 2, 1, 16),
    ("simple.deconv1", True, 32, 1, 5, 2, 2, 1, 32),
    ("resnet.conv1", False, 1, 64, 7, 2, 3, 0, 64),
    ("resnet.layer1", False, 64, 64, 3, 1, 1, 0, 32),
    ("resnet.layer2.0", False, 64, 128, 3, 2, 1, 0, 32),
    ("resnet.layer2", False, 128, 128, 3, 1, 1, 0, 16),
    ("resnet.layer3", False, 256, 256, 3, 1, 1, 0, 8),
    ("resnet.layer4", False, 512, 512, 3, 1, 1, 0, 4),
]


def best(f, runs=3):
    f()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1000)
    return min(t)


for name, tr, ci, co, k, s, p, op, n in LAYERS:
    x = torch.randn(B, ci, n, n, n, requires_grad=True)
    if tr:
        w = torch.randn(ci, co, k, k, k, requires_grad=True)
        f = lambda: F.conv_transpose3d(x, w, stride=s, padding=p, output_padding=op)
    else:
        w = torch.randn(co, ci, k, k, k, requires_grad=True)
        f = lambda: F.conv3d(x, w, stride=s, padding=p)
    with torch.no_grad():
        fwd = best(f)
    y = f()
    dy = torch.randn_like(y)
    dx = best(lambda: torch.autograd.grad(f(), [x], dy)) - fwd
    dw = best(lambda: torch.autograd.grad(f(), [w], dy)) - fwd
    print(f"{name:18s} out {list(y.shape[2:])} fwd {fwd:8.1f} ms  dx {dx:8.1f}  dw {dw:8.1f}", flush=True)
