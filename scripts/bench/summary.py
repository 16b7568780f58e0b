"""Summarises scripts/bench/train_step.sh's files in OUT_DIR as a Markdown table (stdout)."""
import csv
import re
import statistics
import sys

out = sys.argv[1]
line = re.compile(r"^BenchmarkTrainStep/cell=(\w+)/T=(\d+)-\d+\s+\d+\s+(\d+) ns/op")


def go(path):
    runs = {}
    for ln in open(path):
        m = line.match(ln)
        if m:
            runs.setdefault((m[1], int(m[2])), []).append(int(m[3]) / 1e6)
    return {k: statistics.median(v) for k, v in runs.items()}


builds = {"course build (simd)": go(f"{out}/train_step_go_simd.txt"),
          "plain build": go(f"{out}/train_step_go_plain.txt")}
torch = {}
for th in (1, 2):
    for row in csv.DictReader(open(f"{out}/train_step_torch_t{th}.csv")):
        if row["mode"] == "train_step":
            key = (row["cell"], int(row["T"]))
            torch[key] = min(torch.get(key, float("inf")), float(row["median_ms"]))

print("| build | path | cell | T=256 (ms) | T=1024 (ms) | T=1024/T=256 | vs PyTorch at T=256 |")
print("|---|---|---|---|---|---|---|")
for cell in ("rnn", "lstm", "gru"):
    for build, res in builds.items():
        for path, name in (("fast path (default)", cell), ("autodiff", cell + "_autodiff")):
            a, b = res.get((name, 256)), res.get((name, 1024))
            if a is None or b is None:
                continue
            print(f"| {build} | {path} | {cell} | {a:.0f} | {b:.0f} | {b / a:.2f} | {a / torch[(cell, 256)]:.2f}x |")
    t256, t1024 = torch[(cell, 256)], torch[(cell, 1024)]
    print(f"| PyTorch (better of 1 and 2 threads) | nn.{cell.upper()} | {cell} | {t256:.0f} | {t1024:.0f} | {t1024 / t256:.2f} | 1.00x |")
