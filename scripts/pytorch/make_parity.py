#!/usr/bin/python3
"""Generate PyTorch parity case files for pkg/recurrent.

Each case is written as <kind>_<casename>.npz (np.savez, uncompressed) holding
the weights of torch.nn.RNN / nn.LSTM / nn.GRU (batch_first=True), an input,
initial states, PyTorch's outputs, a cotangent g and PyTorch's gradients of
sum(out * g). The format is described in pkg/recurrent/testdata/pytorch/README.md.

Usage (from the repository root; needs Debian's python3-torch):
    /usr/bin/python3 scripts/pytorch/make_parity.py [--out pkg/recurrent/testdata/pytorch]
"""

import argparse
import os

import numpy as np
import torch

KINDS = ("rnn_tanh", "rnn_relu", "lstm", "gru")

# (casename, L, B, T, D, H)
CASES = (
    ("l1_b2_t5_d3_h4", 1, 2, 5, 3, 4),
    ("l2_b3_t7_d5_h6", 2, 3, 7, 5, 6),
    ("l1_b2_t40_d4_h8", 1, 2, 40, 4, 8),
)

BASE_SEED = 20240601


def make_module(kind, D, H, L):
    if kind == "rnn_tanh":
        return torch.nn.RNN(D, H, num_layers=L, nonlinearity="tanh", batch_first=True)
    if kind == "rnn_relu":
        return torch.nn.RNN(D, H, num_layers=L, nonlinearity="relu", batch_first=True)
    if kind == "lstm":
        return torch.nn.LSTM(D, H, num_layers=L, batch_first=True)
    if kind == "gru":
        return torch.nn.GRU(D, H, num_layers=L, batch_first=True)
    raise ValueError(kind)


def make_case(kind, L, B, T, D, H, seed):
    torch.manual_seed(seed)
    # Default PyTorch init: every parameter ~ U(-1/sqrt(H), 1/sqrt(H)), drawn in float32.
    mod = make_module(kind, D, H, L)
    x = 0.5 * torch.randn(B, T, D)
    h0 = 0.5 * torch.randn(L, B, H)
    c0 = 0.5 * torch.randn(L, B, H) if kind == "lstm" else None
    g = torch.randn(B, T, H)

    # Round every input to float32 first (these are the values saved), then compute
    # in float64 (model.double()) so that the saved outputs/gradients are the exact
    # result for the saved float32 inputs, rounded once to float32 at the end:
    # this minimises PyTorch-side rounding error in the references.
    mod = mod.double()
    xd = x.double().requires_grad_(True)
    h0d = h0.double().requires_grad_(True)
    gd = g.double()
    if kind == "lstm":
        c0d = c0.double().requires_grad_(True)
        out, (hn, cn) = mod(xd, (h0d, c0d))
    else:
        out, hn = mod(xd, h0d)
        cn = None
    loss = (out * gd).sum()
    loss.backward()

    f32 = lambda t: t.detach().to(torch.float32).numpy()
    arrays = {"kind": np.array(kind)}
    for name, p in mod.named_parameters():
        arrays[name] = f32(p)
    arrays["x"] = f32(x)
    arrays["h0"] = f32(h0)
    if kind == "lstm":
        arrays["c0"] = f32(c0)
    arrays["out"] = f32(out)
    arrays["hn"] = f32(hn)
    if kind == "lstm":
        arrays["cn"] = f32(cn)
    arrays["g"] = f32(g)
    for name, p in mod.named_parameters():
        arrays["grad_" + name] = f32(p.grad)
    arrays["grad_x"] = f32(xd.grad)
    arrays["grad_h0"] = f32(h0d.grad)
    if kind == "lstm":
        arrays["grad_c0"] = f32(c0d.grad)
    return arrays


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="pkg/recurrent/testdata/pytorch", help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    n = 0
    for ki, kind in enumerate(KINDS):
        for ci, (casename, L, B, T, D, H) in enumerate(CASES):
            seed = BASE_SEED + 100 * ki + ci
            arrays = make_case(kind, L, B, T, D, H, seed)
            path = os.path.join(args.out, f"{kind}_{casename}.npz")
            np.savez(path, **arrays)
            n += 1
            print(f"wrote {path} ({os.path.getsize(path)} bytes, seed {seed})")
    print(f"{n} files, torch {torch.__version__}")


if __name__ == "__main__":
    main()
