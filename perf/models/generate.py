#!/usr/bin/python3
"""Generates the TorchScript MLP (256-1024-1024-10) that `./meshwork bench batching` drives.

Run with Debian's python3-torch (apt-get install python3-torch):
    /usr/bin/python3 perf/models/generate.py
The output is committed, so running the benchmark never needs Python. The file holds code, not
weights: the weights are computed from their positions (a sine, no random generator) on the
first call and kept, so the fixture is a few kilobytes where 1.3 million float weights would be
5 MB. The ONNX twin is written by OnnxMlpWriter (Java); the two have the same shapes, not the
same weights. expected.json holds the answer for one row, from the eager module.
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTHS = [256, 1024, 1024, 10]


class LazyMlp(torch.nn.Module):
    """Three linear layers with ReLU between them; weights made on the first forward."""

    def __init__(self):
        super().__init__()
        self.w1 = torch.empty(0)
        self.w2 = torch.empty(0)
        self.w3 = torch.empty(0)

    def weights(self, rows: int, cols: int, salt: float) -> torch.Tensor:
        n = rows * cols
        return (torch.sin(torch.arange(n, dtype=torch.float32) * 0.7 + salt) / math.sqrt(rows)).reshape(rows, cols)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.w1.numel() == 0:
            self.w1 = self.weights(256, 1024, 0.1)
            self.w2 = self.weights(1024, 1024, 0.2)
            self.w3 = self.weights(1024, 10, 0.3)
        h = torch.relu(torch.matmul(x, self.w1))
        h = torch.relu(torch.matmul(h, self.w2))
        return torch.matmul(h, self.w3)


def main():
    folder = os.path.join(HERE, "torch-mlp-large")
    os.makedirs(folder, exist_ok=True)
    torch.jit.script(LazyMlp().eval()).save(os.path.join(folder, "model.pt"))
    signature = {
        "inputs": [{"name": "input__0", "datatype": "FP32", "shape": [-1, WIDTHS[0]]}],
        "outputs": [{"name": "output__0", "datatype": "FP32", "shape": [-1, WIDTHS[-1]]}],
    }
    with open(os.path.join(folder, "signature.json"), "w") as f:
        json.dump(signature, f, indent=1)
        f.write("\n")
    x = torch.tensor([[(i % 17) / 17.0 for i in range(WIDTHS[0])]], dtype=torch.float32)
    with torch.no_grad():
        y = LazyMlp().eval()(x)
    expected = {
        "model": "torch-mlp-large",
        "description": "input__0 FP32 [batch,256] -> output__0 FP32 [batch,10]",
        "cases": [{
            "inputs": [{"name": "input__0", "datatype": "FP32", "shape": list(x.shape), "data": x.reshape(-1).tolist()}],
            "outputs": [{"name": "output__0", "datatype": "FP32", "shape": list(y.shape), "data": y.reshape(-1).tolist()}],
        }],
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
