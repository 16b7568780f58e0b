#!/usr/bin/python3
"""PyTorch CPU speed reference for recurrent layers.

Per configuration: torch.nn.RNN(tanh) / nn.LSTM / nn.GRU, batch_first, one layer,
a Linear(H, 1) readout on every step, MSE loss against random targets,
Adam(lr=1e-3). Measures
  - forward: model(x) under torch.no_grad()
  - train_step: zero_grad + forward + loss + backward + optimizer.step()
with 3 warm-up calls and then N timed repeats each; reports median and min.

Usage (from the repository root; Debian's python3-torch):
    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 scripts/pytorch/bench_rnn.py \
        --T 16,64,256,1024 --csv results/pytorch/bench_rnn_cpu.csv
"""

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time


def _threads_from_argv(default=2):
    a = sys.argv
    for i, v in enumerate(a):
        if v == "--threads" and i + 1 < len(a):
            return a[i + 1]
        if v.startswith("--threads="):
            return v.split("=", 1)[1]
    return str(default)


# Debian's torch is built with BLAS_INFO=generic, so torch.set_num_threads does not reach
# OpenBLAS's own pthread pool: cap it through the environment before the library loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_from_argv())
import torch  # noqa: E402


def blas_info():
    cfg = torch.__config__.show()
    blas_lines = [w.strip(" ,") for w in cfg.replace(",", " ").split() if "BLAS" in w.upper()]
    # Which libblas.so.3 the dynamic loader will actually pick (Debian alternatives).
    alt = ""
    try:
        alt = subprocess.run(["update-alternatives", "--display", "libblas.so.3-x86_64-linux-gnu"],
                             capture_output=True, text=True).stdout
    except OSError:
        pass
    # The library really mapped into this process.
    mapped = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if "blas" in line.lower():
                    mapped.add(line.split()[-1])
    except OSError:
        pass
    real = {os.path.realpath(m) for m in mapped}
    ob = sorted(os.path.basename(r) for r in real if "openblas" in r.lower())
    if ob:
        # e.g. libopenblasp-r0.3.21.so -> openblas-pthread-0.3.21
        name = ob[-1]
        ver = name.split("-r")[-1].rsplit(".so", 1)[0] if "-r" in name else ""
        short = ("openblas-pthread" if "openblasp" in name else "openblas") + (f"-{ver}" if ver else "")
    elif any("blas" in r.lower() for r in real):
        short = "reference-blas"
    else:
        short = "unknown"
    return short, blas_lines, alt, sorted(real)


class Model(torch.nn.Module):
    def __init__(self, cell, D, H):
        super().__init__()
        if cell == "rnn":
            self.rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True)
        elif cell == "lstm":
            self.rnn = torch.nn.LSTM(D, H, batch_first=True)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(D, H, batch_first=True)
        else:
            raise ValueError(cell)
        self.readout = torch.nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.readout(out)  # [B, T, 1]: a prediction at every step


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", default="rnn,lstm,gru")
    ap.add_argument("--T", default="16,64,256,1024", help="comma-separated sequence lengths")
    ap.add_argument("--B", type=int, default=32)
    ap.add_argument("--D", type=int, default=8)
    ap.add_argument("--H", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--repeats-long", type=int, default=5, help="repeats for T >= --long-T")
    ap.add_argument("--long-T", type=int, default=1024)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", default="", help="write results to this CSV file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    blas, blas_lines, alt, mapped = blas_info()
    print(f"torch {torch.__version__}, python {platform.python_version()}, threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print("torch.__config__.show():", " ".join(blas_lines) if blas_lines else "(no BLAS mention)")
    print("blas library mapped into process:", mapped if mapped else "(none)")
    print("update-alternatives libblas.so.3:", " | ".join(l.strip() for l in alt.splitlines()[:3]))
    print(f"=> BLAS: {blas}")
    print(f"load average at start: {os.getloadavg()}")
    print()

    rows = []
    hdr = f"{'cell':5s} {'T':>5s} {'mode':10s} {'median_ms':>10s} {'min_ms':>10s} {'reps':>4s}"
    print(hdr)
    print("-" * len(hdr))
    B, D, H = args.B, args.D, args.H
    for cell in args.cells.split(","):
        for T in [int(t) for t in args.T.split(",")]:
            reps = args.repeats_long if T >= args.long_T else args.repeats
            model = Model(cell, D, H)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            x = torch.randn(B, T, D)
            y = torch.randn(B, T, 1)
            lossf = torch.nn.MSELoss()

            def fwd():
                with torch.no_grad():
                    model(x)

            def train_step():
                opt.zero_grad(set_to_none=True)
                loss = lossf(model(x), y)
                loss.backward()
                opt.step()
                return loss

            for mode, fn in (("forward", fwd), ("train_step", train_step)):
                med, mn = timed(fn, args.warmup, reps)
                print(f"{cell:5s} {T:5d} {mode:10s} {med:10.2f} {mn:10.2f} {reps:4d}", flush=True)
                rows.append(dict(framework="pytorch", cell=cell, T=T, B=B, D=D, H=H, mode=mode,
                                 median_ms=f"{med:.3f}", min_ms=f"{mn:.3f}", repeats=reps,
                                 threads=torch.get_num_threads(), torch_version=torch.__version__,
                                 blas=blas))
    print(f"\nload average at end: {os.getloadavg()}")
    if args.csv:
        d = os.path.dirname(args.csv)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
