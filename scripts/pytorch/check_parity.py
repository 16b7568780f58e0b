#!/usr/bin/python3
"""Check the PyTorch parity files with an independent NumPy implementation.

For every <kind>_<case>.npz in the directory it
  1. checks names, dtypes and shapes against the format in README.md;
  2. recomputes out, hn (and cn) in float64 from the saved float32 weights and
     inputs, with the cell equations from the PyTorch docs;
  3. checks every saved gradient (grad_<weight>, grad_x, grad_h0, grad_c0)
     against central finite differences of sum(out * g) of that NumPy forward.
Uses NumPy only (no torch). Exit status 1 on any mismatch.

Usage: python3 scripts/pytorch/check_parity.py [dir]
"""

import glob
import os
import sys

import numpy as np

G = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def forward(kind, p, x, h0, c0):
    """p: dict of float64 weights. x [B,T,D], h0/c0 [L,B,H]. Returns out, hn, cn."""
    L, B, H = h0.shape
    T = x.shape[1]
    inp = x
    hns, cns = [], []
    for k in range(L):
        Wih, Whh = p[f"weight_ih_l{k}"], p[f"weight_hh_l{k}"]
        bih, bhh = p[f"bias_ih_l{k}"], p[f"bias_hh_l{k}"]
        h = h0[k]
        c = c0[k] if kind == "lstm" else None
        outs = []
        for t in range(T):
            xt = inp[:, t, :]
            gi = xt @ Wih.T + bih  # [B, G*H]
            gh = h @ Whh.T + bhh
            if kind == "rnn_tanh":
                h = np.tanh(gi + gh)
            elif kind == "rnn_relu":
                h = np.maximum(gi + gh, 0.0)
            elif kind == "lstm":
                a = gi + gh
                i = sigmoid(a[:, 0:H])
                f = sigmoid(a[:, H:2 * H])
                gg = np.tanh(a[:, 2 * H:3 * H])
                o = sigmoid(a[:, 3 * H:4 * H])
                c = f * c + i * gg
                h = o * np.tanh(c)
            elif kind == "gru":
                r = sigmoid(gi[:, 0:H] + gh[:, 0:H])
                z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
                n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
                h = (1.0 - z) * n + z * h
            else:
                raise ValueError(kind)
            outs.append(h)
        hns.append(h)
        if kind == "lstm":
            cns.append(c)
        inp = np.stack(outs, axis=1)
    cn = np.stack(cns) if kind == "lstm" else None
    return inp, np.stack(hns), cn


def check_file(path):
    z = np.load(path)
    errs = []
    kind = str(z["kind"])
    if z["kind"].shape != () or z["kind"].dtype.kind != "U":
        errs.append("kind is not a 0-d unicode array")
    Gk = G[kind]
    x, h0, g = z["x"], z["h0"], z["g"]
    B, T, D = x.shape
    L, _, H = h0.shape
    expect = {"x": (B, T, D), "h0": (L, B, H), "out": (B, T, H), "hn": (L, B, H), "g": (B, T, H),
              "grad_x": (B, T, D), "grad_h0": (L, B, H)}
    if kind == "lstm":
        expect.update({"c0": (L, B, H), "cn": (L, B, H), "grad_c0": (L, B, H)})
    wnames = []
    for k in range(L):
        Dk = D if k == 0 else H
        for n, s in ((f"weight_ih_l{k}", (Gk * H, Dk)), (f"weight_hh_l{k}", (Gk * H, H)),
                     (f"bias_ih_l{k}", (Gk * H,)), (f"bias_hh_l{k}", (Gk * H,))):
            expect[n] = s
            expect["grad_" + n] = s
            wnames.append(n)
    names = set(z.files)
    extra = names - set(expect) - {"kind"}
    missing = set(expect) - names
    if extra or missing:
        errs.append(f"extra {sorted(extra)} missing {sorted(missing)}")
    for n, s in expect.items():
        if n in names:
            if z[n].shape != s:
                errs.append(f"{n} shape {z[n].shape} != {s}")
            if z[n].dtype != np.float32:
                errs.append(f"{n} dtype {z[n].dtype}")
    if errs:
        return kind, (B, T, D, H, L), errs, {}

    p = {n: z[n].astype(np.float64) for n in wnames}
    x64, h064 = x.astype(np.float64), h0.astype(np.float64)
    c064 = z["c0"].astype(np.float64) if kind == "lstm" else None
    g64 = g.astype(np.float64)
    out, hn, cn = forward(kind, p, x64, h064, c064)
    stats = {}

    def cmp(name, got, want, tol):
        err = np.max(np.abs(got - want) / (1.0 + np.abs(want)))
        stats[name] = err
        if not err <= tol:
            errs.append(f"{name}: max rel err {err:.3g} > {tol}")

    cmp("out", out, z["out"], 1e-6)
    cmp("hn", hn, z["hn"], 1e-6)
    if kind == "lstm":
        cmp("cn", cn, z["cn"], 1e-6)
    # hn must equal the last step of out for the top layer.
    cmp("hn_top==out[:,-1]", z["hn"][-1], z["out"][:, -1, :], 0)

    # Finite-difference gradients of sum(out*g).
    def loss(pp, xx, hh, cc):
        return float(np.sum(forward(kind, pp, xx, hh, cc)[0] * g64))

    eps = 1e-6
    targets = [(n, p[n]) for n in wnames] + [("x", x64), ("h0", h064)]
    if kind == "lstm":
        targets.append(("c0", c064))
    max_fd = 0.0
    for n, arr in targets:
        fd = np.zeros_like(arr)
        flat, fdf = arr.reshape(-1), fd.reshape(-1)
        for j in range(flat.size):
            v = flat[j]
            flat[j] = v + eps
            lp = loss(p, x64, h064, c064)
            flat[j] = v - eps
            lm = loss(p, x64, h064, c064)
            flat[j] = v
            fdf[j] = (lp - lm) / (2 * eps)
        want = z["grad_" + n]
        err = np.max(np.abs(fd - want) / (1.0 + np.abs(want)))
        max_fd = max(max_fd, err)
        if not err <= 1e-5:
            errs.append(f"grad_{n}: max rel err vs finite differences {err:.3g}")
    stats["grads_fd"] = max_fd
    return kind, (B, T, D, H, L), errs, stats


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "pkg/recurrent/testdata/pytorch"
    files = sorted(glob.glob(os.path.join(d, "*.npz")))
    if not files:
        print(f"no .npz files in {d}")
        return 1
    bad = 0
    for f in files:
        kind, (B, T, D, H, L), errs, stats = check_file(f)
        s = " ".join(f"{k}={v:.1e}" for k, v in stats.items())
        status = "OK  " if not errs else "FAIL"
        print(f"{status} {os.path.basename(f):32s} L={L} B={B} T={T} D={D} H={H}  {s}")
        for e in errs:
            print("     ", e)
        bad += bool(errs)
    print(f"{len(files) - bad}/{len(files)} files OK")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
