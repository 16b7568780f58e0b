#!/usr/bin/env bash
# Builds the self-contained bundle of the prepared GPU run into BUNDLE_DIR (default .device/):
#   rnnbench        the Go measurements (cmd/rnnbench), cgo on, stripped; checked with ldd to
#                   need nothing beyond glibc, so it runs on any current x86-64 Linux;
#   run.sh          the run itself (scripts/device/run.sh);
#   build.env       the course's Go build and run settings (scripts/build.env): rnnbench is built
#                   with them, and run.sh exports them;
#   bench_torch.py  the PyTorch reference timings;
#   parity/         the PyTorch parity cases (pkg/recurrent/testdata/pytorch).
# The bundle must stay under 64 MiB (what the device machine accepts beside the work tree).
#
# Usage: scripts/device/bundle.sh [BUNDLE_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-.device}"
limit_mib=64
mkdir -p "${out}"
rm -rf "${out:?}/parity"
set -a # the course's build settings (GOEXPERIMENT, GODEBUG), as make sets them
# shellcheck source=../build.env
. scripts/build.env
set +a
CGO_ENABLED=1 go build -trimpath -ldflags='-s -w' -o "${out}/rnnbench" ./cmd/rnnbench
cp scripts/device/run.sh scripts/device/bench_torch.py scripts/build.env "${out}/"
mkdir -p "${out}/parity"
cp pkg/recurrent/testdata/pytorch/*.npz "${out}/parity/"

# Shared libraries: only glibc's (the PJRT plugin is loaded later with dlopen).
allowed='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libresolv\.so\.2|/lib64/ld-linux-x86-64\.so\.2)$'
bad=()
while read -r lib _; do
  [[ -z "${lib}" ]] && continue
  [[ "${lib}" =~ ${allowed} ]] || bad+=("${lib}")
done < <(ldd "${out}/rnnbench" | sed 's/^[[:space:]]*//')
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "bundle: ${out}/rnnbench needs shared libraries beyond glibc: ${bad[*]}" >&2
  ldd "${out}/rnnbench" >&2
  exit 1
fi
size_kib=$(du -sk "${out}" | cut -f1)
if (( size_kib > limit_mib * 1024 )); then
  echo "bundle: ${out} is $((size_kib / 1024)) MiB, over the ${limit_mib} MiB the device machine takes" >&2
  exit 1
fi
echo "bundle: ${out} ready, $((size_kib / 1024)) MiB: $(cd "${out}" && echo *)"
echo "bundle: rnnbench needs $(ldd "${out}/rnnbench" | awk '{print $1}' | paste -sd' ')"
