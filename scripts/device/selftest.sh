#!/usr/bin/env bash
# Checks the prepared GPU run on a CPU machine (make device-dry-run; CI runs it):
#  1. run.sh --dry-run passes: every stage ok, and the CSVs hold rows for every model;
#  2. run.sh in GPU mode, given a fake Python environment laid out like the device machine's
#     (jax_plugins/xla_cuda13/xla_cuda_plugin.so, nvidia/*/lib, nvidia/cu13/nvvm/libdevice),
#     finds the plugin, the library folders and the CUDA data folder, reports the plugin that
#     cannot load in a clear message, records every stage, and exits 1.
#
# Usage: scripts/device/selftest.sh OUTDIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: selftest.sh OUTDIR}"
rm -rf "${out}"
mkdir -p "${out}"
out="$(cd "${out}" && pwd)"
fail() { echo "device selftest: FAIL: $*" >&2; exit 1; }

echo "device selftest: 1. dry run"
"${here}/run.sh" --dry-run "${out}/dry" >"${out}/dry.out" 2>&1 || { tail -30 "${out}/dry.out" >&2; fail "dry run failed (log: ${out}/dry/run.log)"; }
for s in env smoke torch sweep1 sweep2; do
  grep -q "^${s},ok," "${out}/dry/stages.csv" || fail "dry run: stage ${s} not ok: $(cat "${out}/dry/stages.csv")"
done
grep -q '^model,T,B,' "${out}/dry/goxla.csv" || fail "goxla.csv lacks package cost's header"
for m in rnn lstm gru attention conv mingru_sequential mingru_blelloch mingru_chunked; do
  grep -q "^${m},.*,fwdbwd," "${out}/dry/goxla.csv" || fail "goxla.csv has no fwdbwd row for ${m}"
done
for m in rnn lstm gru attention; do
  grep -q "^pytorch,${m},.*,fwdbwd," "${out}/dry/torch.csv" || fail "torch.csv has no fwdbwd row for ${m}"
done
[[ $(grep -c '^[a-z_]*_l[12]_.*\.npz,' "${out}/dry/parity.csv") -ge 12 ]] || fail "parity.csv has too few rows"

echo "device selftest: 2. GPU-mode discovery with a fake Python environment"
fake="${out}/fake-site"
mkdir -p "${fake}/jax_plugins/xla_cuda13" "${fake}/nvidia/cublas/lib" "${fake}/nvidia/cu13/lib" \
  "${fake}/nvidia/cu13/nvvm/libdevice"
echo "not a shared library" >"${fake}/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
: >"${fake}/nvidia/cu13/nvvm/libdevice/libdevice.10.bc"
rc=0
PYTHONPATH="${fake}" PYTHON=/usr/bin/python3 DEVICE_RUN_LIMIT=60 "${here}/run.sh" "${out}/gpu" >"${out}/gpu.out" 2>&1 || rc=$?
[[ ${rc} -eq 1 ]] || fail "GPU mode with a broken plugin exited ${rc}, want 1"
grep -q "^GOMLX_BACKEND=xla:${fake}/jax_plugins/xla_cuda13/xla_cuda_plugin.so$" "${out}/gpu/env.txt" ||
  fail "plugin not found in the fake environment: $(grep GOMLX_BACKEND "${out}/gpu/env.txt")"
grep -q "^XLA_FLAGS=--xla_gpu_cuda_data_dir=${fake}/nvidia/cu13$" "${out}/gpu/env.txt" || fail "CUDA data folder not found"
grep -q "LD_LIBRARY_PATH=.*${fake}/nvidia/cublas/lib" "${out}/gpu/run.log" || fail "nvidia library folders not on LD_LIBRARY_PATH"
grep -q "failed to load PJRT plugin" "${out}/gpu/run.log" || fail "no clear message for a plugin that cannot load"
for s in env smoke torch sweep1 sweep2; do
  grep -q "^${s}," "${out}/gpu/stages.csv" || fail "GPU mode: stage ${s} not recorded"
done
grep -q "^smoke,failed," "${out}/gpu/stages.csv" || fail "GPU mode: smoke should fail with a broken plugin"
echo "device selftest: ok (dry run: $(($(wc -l <"${out}/dry/goxla.csv") - 1)) Go rows, $(($(wc -l <"${out}/dry/torch.csv") - 1)) PyTorch rows)"
