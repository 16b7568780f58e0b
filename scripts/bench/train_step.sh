#!/usr/bin/env bash
# The train-step benchmarks of the recurrent cells, side by side in one run, and their summary:
#   - Go, the course's build (scripts/build.env: GOEXPERIMENT=simd): the default path (bptt's
#     hand-written fast path) and Autodiff, for rnn, lstm and gru at T=256 and T=1024;
#   - Go, a plain build (GOEXPERIMENT and GODEBUG empty): the same;
#   - PyTorch (Debian's python3-torch, OpenBLAS) with 1 and with 2 threads;
#   - OUT_DIR/train_step.md: medians, the ratios to PyTorch (the better of 1 and 2 threads) and
#     time(T=1024)/time(T=256).
# Shapes: batch 32, input 8, hidden 64, one layer, a readout and an MSE loss on every step, Adam.
# Run it on a quiet machine (it takes about 8 minutes on 2 cores).
#
# Usage: scripts/bench/train_step.sh [OUT_DIR]   (default results/bench)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-results/bench}"
mkdir -p "${out}"
py=/usr/bin/python3 # Debian's python3, which has python3-torch (scripts/setup.sh --with-pytorch)
"${py}" -c 'import torch' 2>/dev/null || { echo "train_step.sh: ${py} has no torch: run scripts/setup.sh --with-pytorch" >&2; exit 2; }

bench='BenchmarkTrainStep/^cell=(rnn|lstm|gru)(_autodiff)?$/^T=(256|1024)$'
log() { printf 'train_step.sh: %s\n' "$*" >&2; }
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
(
  set -a
  # shellcheck source=../build.env
  . scripts/build.env
  set +a
  log "Go, course build (GOEXPERIMENT=${GOEXPERIMENT} GODEBUG=${GODEBUG})"
  go test -run '^$' -bench "${bench}" -benchtime 3x -count 3 ./pkg/train >"${out}/train_step_go_simd.txt"
)
log "Go, plain build"
GOEXPERIMENT='' GODEBUG='' go test -run '^$' -bench "${bench}" -benchtime 3x -count 3 ./pkg/train >"${out}/train_step_go_plain.txt"
for th in 1 2; do
  log "PyTorch, ${th} thread(s)"
  OMP_NUM_THREADS=${th} OPENBLAS_NUM_THREADS=${th} "${py}" scripts/pytorch/bench_rnn.py --T 256,1024 \
    --threads "${th}" --csv "${out}/train_step_torch_t${th}.csv" >"${out}/train_step_torch_t${th}.log"
done
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"${py}" scripts/bench/summary.py "${out}" >"${out}/train_step.md"
cat "${out}/train_step.md"
