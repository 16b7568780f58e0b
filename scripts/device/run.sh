#!/usr/bin/env bash
# The prepared GPU run: measures the course's models with GoMLX on XLA's CUDA backend and with
# PyTorch (cuDNN) on the same machine, in about 8 minutes, and writes CSV files and a log.
#
# Usage: scripts/device/run.sh [--dry-run] OUTDIR
#
# Stages, each under its own timeout (a stage that fails or times out is recorded and the next
# one runs; rows are streamed to the CSVs, so a killed stage keeps what it measured):
#   env     versions (Python packages, nvidia-smi, the PJRT plugin) and the backend chosen
#   smoke   rnnbench info (a matmul checked against the host) and the PyTorch parity cases
#           through the GPU backend
#   torch   PyTorch nn.RNN/LSTM/GRU (cuDNN) and scaled_dot_product_attention, same shapes
#   sweep1  GoMLX: rnn, lstm, gru        B=32, H=64, T=16..16384, fwd and fwd+bwd, and B=1..256 at T=256
#   sweep2  GoMLX: attention, conv, minGRU by loop, Blelloch and chunked scan, same sizes
# Outputs in OUTDIR: run.log, env.txt, stages.csv (stage,status,rc,seconds), parity.csv,
# goxla.csv (package cost's CSV format, compile time apart) and torch.csv.
#
# Set-up on the GPU machine (no Go, no network): the CUDA PJRT plugin is found in the Python
# environment (jax-cuda13-pjrt's jax_plugins/*/xla_cuda_plugin.so, or PJRT_CUDA_PLUGIN=path),
# LD_LIBRARY_PATH gets the pip nvidia-* library folders, XLA_FLAGS the folder that holds
# nvvm/libdevice, and GOMLX_BACKEND=xla:<absolute plugin path>.
#
# --dry-run: the same plumbing on a CPU (CI runs it): GOMLX_BACKEND=go:ops_sequential, tiny
# sizes, PyTorch on the CPU (Debian's python3-torch), and every stage must pass.
#
# The Go binary comes from the bundle (make device-bundle): this script's own folder when it
# holds rnnbench, else .device/ in the repository, else DEVICE_BUNDLE.
set -uo pipefail

dry=0
if [[ "${1:-}" == "--dry-run" ]]; then dry=1; shift; fi
if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: $0 [--dry-run] OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${DEVICE_BUNDLE:-}" ]]; then bundle="${DEVICE_BUNDLE}"
elif [[ -x "${here}/rnnbench" ]]; then bundle="${here}"
else bundle="$(cd "${here}/../.." && pwd)/.device"
fi
bench="${bundle}/rnnbench"
if [[ ! -x "${bench}" ]]; then
  echo "run.sh: no ${bench}: build the bundle first with 'make device-bundle' (or set DEVICE_BUNDLE)" >&2
  exit 2
fi
if [[ -f "${bundle}/build.env" ]]; then # the run-time settings rnnbench was built for (GODEBUG)
  set -a
  # shellcheck source=../build.env
  . "${bundle}/build.env"
  set +a
fi
torch_py="${bundle}/bench_torch.py"
[[ -f "${torch_py}" ]] || torch_py="${here}/bench_torch.py"
parity_dir="${bundle}/parity"
[[ -d "${parity_dir}" ]] || parity_dir="$(cd "${here}/../.." && pwd)/pkg/recurrent/testdata/pytorch"

out="$1"
mkdir -p "${out}" || exit 2
out="$(cd "${out}" && pwd)"
rm -f "${out}"/{run.log,env.txt,stages.csv,parity.csv,goxla.csv,torch.csv}
log="${out}/run.log"
echo "stage,status,rc,seconds" >"${out}/stages.csv"
say() { echo "run.sh: $*" | tee -a "${log}"; }

run_start=${SECONDS}
total_limit=${DEVICE_RUN_LIMIT:-480} # seconds for the whole run; each stage's timeout is also capped by what is left of it
# stage NAME TIMEOUT_S CMD...: runs CMD under timeout, its output to the log; records the outcome.
stage() {
  local name="$1" limit="$2"; shift 2
  local left=$((total_limit - (SECONDS - run_start)))
  if (( left < 10 )); then
    say "stage ${name}: skipped, ${left} s left of the ${total_limit} s run"
    echo "${name},skipped,,0" >>"${out}/stages.csv"
    failed+=("${name}")
    return
  fi
  (( limit > left )) && limit=${left}
  local shown="$*"
  (( ${#shown} > 240 )) && shown="${shown:0:240}..."
  say "stage ${name}: start (timeout ${limit} s): ${shown//$'\n'/ }"
  local t0=${SECONDS}
  timeout -k 10 "${limit}" "$@" 2>&1 | tee -a "${log}"
  local rc=${PIPESTATUS[0]} status=ok
  if (( rc == 124 || rc == 137 )); then status=timeout; elif (( rc != 0 )); then status=failed; fi
  echo "${name},${status},${rc},$((SECONDS - t0))" >>"${out}/stages.csv"
  say "stage ${name}: ${status} (exit ${rc}) in $((SECONDS - t0)) s"
  [[ ${status} == ok ]] || failed+=("${name}")
}
failed=()

if (( dry )); then
  python="${PYTHON:-/usr/bin/python3}"
  export GOMLX_BACKEND=go:ops_sequential
  torch_device=cpu
  Ts=8,16,32 B=4 batches=1,4 batchT=16 go_budget=20s torch_budget=20 maxmib=1024
  t_env=30 t_smoke=120 t_torch=60 t_sweep1=60 t_sweep2=60
else
  python="${PYTHON:-python3}"
  torch_device=cuda
  Ts=16,64,256,1024,4096,16384 B=32 batches=1,8,32,128,256 batchT=256 go_budget="" torch_budget=75 maxmib=65536
  t_env=30 t_smoke=100 t_torch=90 t_sweep1=140 t_sweep2=120
  # The CUDA PJRT plugin and its libraries, from the Python environment.
  found="$("${python}" - <<'PY' 2>>"${log}"
import glob, os, site, sys
dirs = [d for d in list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path if d and os.path.isdir(d)]
seen = []
for d in dirs:
    d = os.path.realpath(d)
    if d not in seen:
        seen.append(d)
plugins, libs, data = [], [], []
for d in seen:
    for pat in ("jax_plugins/*/xla_cuda_plugin.so", "jax_plugins/*/pjrt_c_api_cuda_plugin.so", "jax_plugins/*cuda*/*.so"):
        plugins += [p for p in sorted(glob.glob(os.path.join(d, pat))) if p not in plugins]
    libs += sorted(glob.glob(os.path.join(d, "nvidia", "*", "lib")))
    for cand in ["nvidia/cuda_nvcc", "nvidia/cu13", "nvidia/cu12"]:
        if glob.glob(os.path.join(d, cand, "nvvm", "libdevice", "libdevice*.bc")):
            data.append(os.path.join(d, cand))
print("PLUGIN=" + (plugins[0] if plugins else ""))
print("LIBS=" + ":".join(libs))
print("DATA=" + (data[0] if data else ""))
PY
)"
  plugin="${PJRT_CUDA_PLUGIN:-$(sed -n 's/^PLUGIN=//p' <<<"${found}")}"
  libs="$(sed -n 's/^LIBS=//p' <<<"${found}")"
  data="$(sed -n 's/^DATA=//p' <<<"${found}")"
  if [[ -z "${data}" ]]; then
    for d in /usr/local/cuda /usr/local/cuda-*; do
      if compgen -G "${d}/nvvm/libdevice/libdevice*.bc" >/dev/null; then data="${d}"; break; fi
    done
  fi
  if [[ -z "${plugin}" || ! -f "${plugin}" ]]; then
    say "no CUDA PJRT plugin found in ${python}'s environment (looked for jax_plugins/*/xla_cuda_plugin.so); set PJRT_CUDA_PLUGIN=/path/to/plugin.so"
  fi
  export GOMLX_BACKEND="xla:${plugin}"
  export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
  [[ -n "${data}" ]] && export XLA_FLAGS="${XLA_FLAGS:+${XLA_FLAGS} }--xla_gpu_cuda_data_dir=${data}"
  export GOPJRT_CUDA_CHECKS=0 # the plugin's nvidia/ folder is not beside it in a pip install; LD_LIBRARY_PATH has it
fi
say "$(date -u +%Y-%m-%dT%H:%M:%SZ) $( ((dry)) && echo dry run || echo GPU run ) into ${out}; bundle ${bundle}"
say "GOMLX_BACKEND=${GOMLX_BACKEND}"
say "XLA_FLAGS=${XLA_FLAGS:-}"
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

env_info() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "mode: $( ((dry)) && echo dry-run || echo gpu )"
  echo "host: $(uname -srm), $(nproc) CPUs"
  echo "GOMLX_BACKEND=${GOMLX_BACKEND}"
  echo "XLA_FLAGS=${XLA_FLAGS:-}"
  echo "python: $(command -v "${python}") $("${python}" -c 'import sys; print(sys.version.split()[0])' 2>&1)"
  "${python}" - <<'PY' 2>&1
from importlib import metadata
for name in ["torch", "jax", "jaxlib", "jax-cuda13-pjrt", "jax-cuda13-plugin", "jax-cuda12-pjrt",
             "nvidia-cudnn-cu13", "nvidia-cublas", "nvidia-cuda-runtime", "nvidia-cuda-nvcc", "numpy"]:
    try:
        print(f"pip: {name} {metadata.version(name)}")
    except metadata.PackageNotFoundError:
        pass
PY
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
    nvidia-smi 2>&1 | head -20
  else
    echo "nvidia-smi: not on PATH"
  fi
}
stage env "${t_env}" bash -c "$(declare -f env_info); dry=${dry} python='${python}' env_info > '${out}/env.txt'; cat '${out}/env.txt'"
stage smoke "${t_smoke}" bash -c "'${bench}' info | tee -a '${out}/env.txt' && '${bench}' parity -dir '${parity_dir}' -out '${out}/parity.csv'"
torch_args=(--device "${torch_device}" --T "${Ts}" --B "${B}" --batches "${batches}" --batch-T "${batchT}"
  --budget "${torch_budget}" --csv "${out}/torch.csv")
(( dry )) && torch_args+=(--repeats 3 --threads 1)
stage torch "${t_torch}" env PYTHONUNBUFFERED=1 "${python}" "${torch_py}" "${torch_args[@]}"
sweep_args=(-T "${Ts}" -B "${B}" -batches "${batches}" -batch-T "${batchT}" -max-mib "${maxmib}" -out "${out}/goxla.csv")
(( dry )) && sweep_args+=(-repeats 3)
b1="${go_budget:-$((t_sweep1 - 20))s}" b2="${go_budget:-$((t_sweep2 - 20))s}"
stage sweep1 "${t_sweep1}" "${bench}" sweep -models rnn,lstm,gru -budget "${b1}" "${sweep_args[@]}"
stage sweep2 "${t_sweep2}" "${bench}" sweep -models attention,conv,mingru_sequential,mingru_blelloch,mingru_chunked \
  -budget "${b2}" "${sweep_args[@]}"

rows() { [[ -f "$1" ]] && grep -vc -e '^#' -e '^model,' -e '^framework,' -e '^case,' "$1" || echo 0; }
say "done in $((SECONDS - run_start)) s: parity.csv $(rows "${out}/parity.csv") rows, torch.csv $(rows "${out}/torch.csv") rows, goxla.csv $(rows "${out}/goxla.csv") rows"
if [[ ${#failed[@]} -gt 0 ]]; then
  say "stages not ok: ${failed[*]} (see stages.csv and run.log)"
  exit 1
fi
if (( dry )); then
  for f in parity torch goxla; do
    if [[ $(rows "${out}/${f}.csv") -eq 0 ]]; then say "dry run: ${f}.csv has no rows"; exit 1; fi
  done
fi
say "all stages ok"
