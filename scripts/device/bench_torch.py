#!/usr/bin/env python3
"""PyTorch reference timings for the prepared GPU run (scripts/device/run.sh).

The same cases as `rnnbench sweep` (package cost): x [B, T, D] -> model -> features [B, T, H]
-> Linear(H, 1) readout on every step -> MSE loss against y [B, T, 1].
  mode=fwd     the loss, under torch.no_grad()
  mode=fwdbwd  the loss and its gradient with respect to every parameter (no optimizer step)
Models: nn.RNN(tanh), nn.LSTM, nn.GRU (cuDNN on a GPU) and one layer of causal self-attention,
softmax(Q K^T / sqrt(d) + M) V with Q, K, V = x W + b and an output projection, through
torch.nn.functional.scaled_dot_product_attention(is_causal=True) where torch has it (>= 2.0),
else written out (impl column). Float32 throughout; TF32 is switched off so that both sides
compute full float32 products.

Rows stream to the CSV as they are measured (flushed), so a run killed by its timeout keeps
what it measured. Cases predicted (from the previous length, time x ratio^order) to run longer
than --max-run seconds, or not to fit in what is left of --budget, are skipped and listed.

Usage:
    python3 scripts/device/bench_torch.py --device cuda --csv OUT.csv
    /usr/bin/python3 scripts/device/bench_torch.py --device cpu --T 8,16 --batches 1,4 --csv OUT.csv
"""

import argparse
import csv
import math
import os
import statistics
import sys
import time

import torch

COLUMNS = ["framework", "model", "T", "B", "D", "H", "mode", "median_ms", "min_ms", "max_ms", "repeats",
           "impl", "device", "device_name", "torch_version", "cuda_version", "cudnn_version"]


class Recurrent(torch.nn.Module):
    def __init__(self, kind, D, H):
        super().__init__()
        if kind == "rnn":
            self.rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True)
        elif kind == "lstm":
            self.rnn = torch.nn.LSTM(D, H, batch_first=True)
        elif kind == "gru":
            self.rnn = torch.nn.GRU(D, H, batch_first=True)
        else:
            raise ValueError(f"unknown recurrent kind {kind!r}, want rnn, lstm or gru")
        self.readout = torch.nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.rnn(x)  # [B, T, H]
        return self.readout(out)  # [B, T, 1]


class Attention(torch.nn.Module):
    def __init__(self, D, H, heads):
        super().__init__()
        if H % heads:
            raise ValueError(f"H={H} must be a multiple of heads={heads}")
        self.heads = heads
        self.q, self.k, self.v = (torch.nn.Linear(D, H) for _ in range(3))
        self.out = torch.nn.Linear(H, H)
        self.readout = torch.nn.Linear(H, 1)
        self.sdpa = hasattr(torch.nn.functional, "scaled_dot_product_attention")
        self.impl = "sdpa" if self.sdpa else "manual"

    def forward(self, x):
        B, T, _ = x.shape
        split = lambda z: z.view(B, T, self.heads, -1).transpose(1, 2)  # [B, heads, T, H/heads]
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        if self.sdpa:
            a = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])  # [B, heads, T, T]
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            a = torch.softmax(s.masked_fill(mask, float("-inf")), dim=-1) @ v
        a = a.transpose(1, 2).reshape(B, T, -1)  # [B, T, H]
        return self.readout(self.out(a))


def make(model, D, H):
    if model in ("rnn", "lstm", "gru"):
        m = Recurrent(model, D, H)
        return m, "cudnn" if torch.backends.cudnn.is_available() else "native", 1
    if model.startswith("attention"):
        heads = int(model[len("attention"):] or 1)
        m = Attention(D, H, heads)
        return m, m.impl, 2
    raise ValueError(f"unknown model {model!r}, want rnn, lstm, gru, attention or attention<heads>")


def time_case(model, mode, x, y, dev, warmup, repeats):
    lossf = torch.nn.MSELoss()

    def fwd():
        with torch.no_grad():
            return lossf(model(x), y)

    def fwdbwd():
        model.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        return loss

    fn = fwd if mode == "fwd" else fwdbwd
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts), max(ts)


def ints(s):
    return [int(v) for v in s.split(",") if v.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", help="cuda or cpu")
    ap.add_argument("--models", default="rnn,lstm,gru,attention")
    ap.add_argument("--modes", default="fwd,fwdbwd")
    ap.add_argument("--T", default="16,64,256,1024,4096,16384")
    ap.add_argument("--B", type=int, default=32)
    ap.add_argument("--batches", default="1,8,32,128,256", help="batch sweep at --batch-T ('' for none)")
    ap.add_argument("--batch-T", type=int, default=256)
    ap.add_argument("--D", type=int, default=8)
    ap.add_argument("--H", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--budget", type=float, default=0, help="seconds for the whole run (0: none)")
    ap.add_argument("--max-run", type=float, default=2.0, help="skip cases predicted to take longer (seconds)")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    ap.add_argument("--csv", required=True)
    args = ap.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        print("bench_torch: --device cuda but torch.cuda.is_available() is False "
              f"(torch {torch.__version__}, built for CUDA {torch.version.cuda})", file=sys.stderr)
        return 1
    dev = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    cudnn = str(torch.backends.cudnn.version()) if dev.type == "cuda" else ""
    print(f"bench_torch: torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {cudnn or '-'}, device {name}",
          flush=True)

    models, modes = args.models.split(","), args.modes.split(",")
    cases = [(T, args.B, "T") for T in sorted(ints(args.T))]
    cases += [(args.batch_T, B, "B") for B in sorted(ints(args.batches))]
    start = time.perf_counter()
    prev, stopped, done = {}, set(), {}
    n_rows = n_skipped = 0
    new = not os.path.exists(args.csv) or os.path.getsize(args.csv) == 0
    with open(args.csv, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(COLUMNS)
            f.flush()

        def skip(model, mode, T, B, axis, why):
            nonlocal n_skipped
            n_skipped += 1
            stopped.add((model, mode, axis))
            f.write(f"# skipped {model} {mode} T={T} B={B}: {why}\n")
            f.flush()
            print(f"bench_torch: skip {model} {mode} T={T} B={B}: {why}", flush=True)

        for T, B, axis in cases:
            for model in models:
                for mode in modes:
                    key = (model, mode, T, B)
                    if key in done:  # measured by the other sweep
                        prev[(model, mode, axis)] = done[key]
                        continue
                    if (model, mode, axis) in stopped:
                        skip(model, mode, T, B, axis, "a smaller size of this sweep was skipped")
                        continue
                    left = args.budget - (time.perf_counter() - start) if args.budget else math.inf
                    m, impl, order = make(model, args.D, args.H)
                    p = prev.get((model, mode, axis))
                    if p is not None:
                        pT, pB, ms = p
                        r = (T / pT) ** order if axis == "T" else B / pB
                        pred = ms * r / 1e3
                        if pred > args.max_run:
                            skip(model, mode, T, B, axis, f"predicted {pred:.2f} s per run > --max-run {args.max_run} s")
                            continue
                        if pred * (args.warmup + args.repeats) > left:
                            skip(model, mode, T, B, axis, f"predicted {pred * (args.warmup + args.repeats):.1f} s "
                                                          f"> budget left {left:.1f} s")
                            continue
                    elif left <= 0:
                        skip(model, mode, T, B, axis, "time budget spent")
                        continue
                    m = m.to(dev)
                    x = torch.randn(B, T, args.D, device=dev)
                    y = torch.randn(B, T, 1, device=dev)
                    try:
                        med, lo, hi = time_case(m, mode, x, y, dev, args.warmup, args.repeats)
                    except RuntimeError as e:  # e.g. CUDA out of memory: keep going with other models
                        skip(model, mode, T, B, axis, f"failed: {str(e).splitlines()[0]}")
                        if dev.type == "cuda":
                            torch.cuda.empty_cache()
                        continue
                    w.writerow(["pytorch", model, T, B, args.D, args.H, mode, f"{med:.4f}", f"{lo:.4f}", f"{hi:.4f}",
                                args.repeats, impl, dev.type, name, torch.__version__, torch.version.cuda or "", cudnn])
                    f.flush()
                    n_rows += 1
                    done[key] = (T, B, med)
                    prev[(model, mode, axis)] = done[key]
                    print(f"bench_torch: {model:10s} {mode:6s} T={T:<5d} B={B:<3d} median {med:9.3f} ms "
                          f"(min {lo:.3f}, max {hi:.3f}) {impl}", flush=True)
                    del m, x, y
    print(f"bench_torch: {n_rows} rows, {n_skipped} skipped, in {time.perf_counter() - start:.1f} s -> {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
