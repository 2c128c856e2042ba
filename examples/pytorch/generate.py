#!/usr/bin/python3
"""Generates the example TorchScript model, its signature and its expected outputs.

Run with Debian's python3-torch (apt-get install python3-torch):
    /usr/bin/python3 examples/pytorch/generate.py
The outputs are committed, so building and testing Meshwork never needs Python. Expected outputs
come from the eager (non-TorchScript) module, independently of DJL and of Meshwork.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class Mlp(torch.nn.Module):
    """4 -> 6 -> 3 with ReLU and softmax, seeded weights."""

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 6)
        self.out = torch.nn.Linear(6, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.out(torch.relu(self.hidden(x))), dim=1)


def main():
    torch.manual_seed(20261122)
    model = Mlp().eval()
    folder = os.path.join(HERE, "torch-mlp")
    os.makedirs(folder, exist_ok=True)
    torch.jit.script(model).save(os.path.join(folder, "model.pt"))
    signature = {
        "inputs": [{"name": "input__0", "datatype": "FP32", "shape": [-1, 4]}],
        "outputs": [{"name": "output__0", "datatype": "FP32", "shape": [-1, 3]}],
    }
    with open(os.path.join(folder, "signature.json"), "w") as f:
        json.dump(signature, f, indent=1)
        f.write("\n")
    x = torch.tensor([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=torch.float32)
    with torch.no_grad():
        y = model(x)
    expected = {
        "model": "torch-mlp",
        "description": "input__0 FP32 [batch,4] -> output__0 FP32 [batch,3] softmax probabilities",
        "cases": [{
            "inputs": [{"name": "input__0", "datatype": "FP32", "shape": list(x.shape), "data": x.reshape(-1).tolist()}],
            "outputs": [{"name": "output__0", "datatype": "FP32", "shape": list(y.shape), "data": y.reshape(-1).tolist()}],
        }],
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    with open(os.path.join(folder, "torch-mlp.model.json"), "w") as f:
        f.write('{"name": "torch-mlp", "modelFormat": {"name": "pytorch"}, "storageUri": "."}\n')


if __name__ == "__main__":
    main()
