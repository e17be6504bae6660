"""Training-step speed of a hwy-generated PyTorch module against the same network written
by hand in idiomatic PyTorch (nn.Linear / nn.Conv2d, autograd), in one process, on the
same random batch, with the same optimizer. Prints one JSON line per measurement.

usage: python3 torch_bench.py GENERATED_MODEL_PY NET THREADS STEPS BATCH
  NET: mlp50 (the 50-layer highway MLP) or conv16 (the MNIST conv highway net, width 16)
"""
import importlib.util
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class HandHighwayDense(nn.Module):
    def __init__(self, n, gate_bias):
        super().__init__()
        self.h = nn.Linear(n, n)
        self.t = nn.Linear(n, n)
        nn.init.constant_(self.t.bias, gate_bias)

    def forward(self, x):
        h = F.relu(self.h(x))
        t = torch.sigmoid(self.t(x))
        return h * t + x * (1 - t)


class HandHighwayConv(nn.Module):
    def __init__(self, c, gate_bias):
        super().__init__()
        self.h = nn.Conv2d(c, c, 3, padding=1)
        self.t = nn.Conv2d(c, c, 3, padding=1)
        nn.init.constant_(self.t.bias, gate_bias)

    def forward(self, x):
        h = F.relu(self.h(x))
        t = torch.sigmoid(self.t(x))
        return h * t + x * (1 - t)


class HandMLP(nn.Module):
    """specs/paper/mlp-highway.hwy --set depth=50, as people write it."""

    def __init__(self, depth=50, width=50):
        super().__init__()
        self.first = nn.Linear(784, width)
        self.blocks = nn.Sequential(*[HandHighwayDense(width, -5.0) for _ in range(depth - 1)])
        self.out = nn.Linear(width, 10)

    def forward(self, x):
        x = F.relu(self.first(x.reshape(x.shape[0], -1)))
        return self.out(self.blocks(x))


class HandConv(nn.Module):
    """specs/paper/mnist-conv-highway.hwy (width 16), as people write it."""

    def __init__(self, w=16):
        super().__init__()
        self.conv = nn.Conv2d(1, w, 5)
        self.s1 = nn.Sequential(*[HandHighwayConv(w, -1.0) for _ in range(2)])
        self.s2 = nn.Sequential(*[HandHighwayConv(w, -1.0) for _ in range(3)])
        self.s3 = nn.Sequential(*[HandHighwayConv(w, -1.0) for _ in range(3)])
        self.out = nn.Linear(w * 9, 10)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = F.dropout(x, 0.2, self.training)
        x = self.s1(F.relu(self.conv(x)))
        x = F.dropout(F.max_pool2d(x, 3, 2, ceil_mode=True), 0.3, self.training)
        x = self.s2(x)
        x = F.dropout(F.max_pool2d(x, 3, 2, ceil_mode=True), 0.4, self.training)
        x = self.s3(x)
        x = F.dropout(F.max_pool2d(x, 2, 2, ceil_mode=True), 0.5, self.training)
        return self.out(torch.flatten(x, 1))


def measure(model, log_probs, batch, steps):
    torch.manual_seed(1)
    x = torch.rand(batch, 28, 28, 1)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.nll_loss(log_probs(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * batch / (time.perf_counter() - t)


def main():
    path, net, threads, steps, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    spec = importlib.util.spec_from_file_location("generated", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    gen = mod.Net()
    hand = HandMLP() if net == "mlp50" else HandConv()
    # alternate, twice each, so a background load hits both alike
    res = {"hwy": [], "hand": []}
    for _ in range(2):
        # the data is NHWC, as the trainer hands it over: both models convert it, as the trainer does
        res["hwy"].append(measure(gen, lambda x: gen.log_probs(gen.from_ir_layout(x)), batch, steps))
        res["hand"].append(measure(hand, lambda x: F.log_softmax(hand(x), -1), batch, steps))
    print(json.dumps({"net": net, "threads": threads, "torch": torch.__version__, "hwy": max(res["hwy"]), "hand": max(res["hand"])}))


if __name__ == "__main__":
    main()
