#!/usr/bin/python3
"""Generates the TorchScript MLPs that `./meshwork bench batching` drives.

torch-mlp-large is 256-1024-1024-10, torch-mlp-wide 1024-4096-4096-10 (a model whose inference
dominates a request's cost on CPU). Run with Debian's python3-torch (apt-get install python3-torch):
    /usr/bin/python3 perf/models/generate.py
The output is committed, so running the benchmark never needs Python. The files hold code, not
weights: the weights are computed from their positions (a sine, no random generator) on the
first call and kept, so each fixture is a few kilobytes where 1.3 (21) million float weights would
be 5 (84) MB. The ONNX twins are written by OnnxMlpWriter (Java); each pair has the same shapes,
not the same weights. expected.json holds the answer for one row, from the eager module.
"""
import json
import math
import os
from typing import List

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {"torch-mlp-large": [256, 1024, 1024, 10], "torch-mlp-wide": [1024, 4096, 4096, 10]}


class LazyMlp(torch.nn.Module):
    """Three linear layers with ReLU between them; weights made on the first forward."""

    def __init__(self, widths: List[int]):
        super().__init__()
        self.widths = widths
        self.w1 = torch.empty(0)
        self.w2 = torch.empty(0)
        self.w3 = torch.empty(0)

    def weights(self, rows: int, cols: int, salt: float) -> torch.Tensor:
        n = rows * cols
        return (torch.sin(torch.arange(n, dtype=torch.float32) * 0.7 + salt) / math.sqrt(rows)).reshape(rows, cols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.w1.numel() == 0:
            w = self.widths
            self.w1 = self.weights(w[0], w[1], 0.1)
            self.w2 = self.weights(w[1], w[2], 0.2)
            self.w3 = self.weights(w[2], w[3], 0.3)
        h = torch.relu(torch.matmul(x, self.w1))
        h = torch.relu(torch.matmul(h, self.w2))
        return torch.matmul(h, self.w3)


def write(name: str, widths: List[int]):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    torch.jit.script(LazyMlp(widths).eval()).save(os.path.join(folder, "model.pt"))
    signature = {
        "inputs": [{"name": "input__0", "datatype": "FP32", "shape": [-1, widths[0]]}],
        "outputs": [{"name": "output__0", "datatype": "FP32", "shape": [-1, widths[-1]]}],
    }
    with open(os.path.join(folder, "signature.json"), "w") as f:
        json.dump(signature, f, indent=1)
        f.write("\n")
    x = torch.tensor([[(i % 17) / 17.0 for i in range(widths[0])]], dtype=torch.float32)
    with torch.no_grad():
        y = LazyMlp(widths).eval()(x)
    expected = {
        "model": name,
        "description": "input__0 FP32 [batch,%d] -> output__0 FP32 [batch,%d]" % (widths[0], widths[-1]),
        "cases": [{
            "inputs": [{"name": "input__0", "datatype": "FP32", "shape": list(x.shape), "data": x.reshape(-1).tolist()}],
            "outputs": [{"name": "output__0", "datatype": "FP32", "shape": list(y.shape), "data": y.reshape(-1).tolist()}],
        }],
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def main():
    for name, widths in MODELS.items():
        write(name, widths)


if __name__ == "__main__":
    main()
