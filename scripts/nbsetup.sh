#!/usr/bin/env bash
# Prepares a GoNB kernel's temporary Go module so that notebook cells can import this repository's
# packages with exactly the dependency versions of the repository's go.mod.
#
# Called by the first cell of every notebook (GoNB's `!*` runs it in the kernel's module dir):
#   !*bash "${GONB_DIR%/notebooks*}/scripts/nbsetup.sh"
#
# What it does, in the current directory (or $GONB_TMP_DIR, or the directory given as $1):
#   - replaces go.mod by the repository's go.mod (same go directive and requirements: GoMLX,
#     compute, go-xla ...), keeping the kernel's module name, and merges the repository's go.sum;
#   - requires the repository module at the zero pseudo-version and replaces it by the checkout
#     (both are needed: a replace alone makes `go get` ask the proxy for the path);
#   - pins github.com/janpfeifer/gonb (gonbui) to GONB_VERSION of scripts/versions.env, the
#     kernel version scripts/setup.sh installs, so that the display protocol matches.
# Safe to run again (e.g. after a kernel restart the module is new and it must run again).
set -euo pipefail

kernel_gonb_version="${GONB_VERSION:-}" # set by the GoNB kernel; versions.env reuses the name
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
# shellcheck source=versions.env
. "${SCRIPT_DIR}/versions.env"
pinned_gonb_version="${GONB_VERSION}"

work_dir="${1:-${GONB_TMP_DIR:-${PWD}}}"
cd "${work_dir}"
[[ -f go.mod ]] || { echo "nbsetup: no go.mod in ${work_dir}: run it from a GoNB cell as '!*bash ...'" >&2; exit 1; }

repo_module="$(awk '$1 == "module" { print $2; exit }' "${REPO_ROOT}/go.mod")"
kernel_module="$(awk '$1 == "module" { print $2; exit }' go.mod)"
[[ -n "${repo_module}" && -n "${kernel_module}" ]] || { echo "nbsetup: cannot read module names" >&2; exit 1; }

# gonbui must match the kernel: pin the version that scripts/setup.sh installs. The kernel's
# $GONB_VERSION is only a hint (release builds not made by setup.sh report a stale tag, v0.11.1).
gonb_version="${pinned_gonb_version}"
if [[ -n "${kernel_gonb_version}" && "${kernel_gonb_version}" != "${gonb_version}" ]]; then
  echo "nbsetup: warning: the kernel reports gonb ${kernel_gonb_version}, the course pins ${gonb_version}: run scripts/setup.sh" >&2
fi

# go.mod: the repository's, under the kernel's module name.
{
  printf 'module %s\n' "${kernel_module}"
  sed '/^module[[:space:]]/d' "${REPO_ROOT}/go.mod"
} >go.mod.nbsetup
mv go.mod.nbsetup go.mod
go mod edit \
  -require="${repo_module}@v0.0.0-00010101000000-000000000000" \
  -replace="${repo_module}=${REPO_ROOT}" \
  -require="github.com/janpfeifer/gonb@${gonb_version}"

# go.sum: the repository's plus whatever the kernel module already had.
if [[ -f "${REPO_ROOT}/go.sum" ]]; then
  touch go.sum
  sort -u go.sum "${REPO_ROOT}/go.sum" >go.sum.nbsetup
  mv go.sum.nbsetup go.sum
fi
# Checksums for gonbui and its dependencies (an exact version: the proxy needs no version list).
if ! out="$(go get "github.com/janpfeifer/gonb/gonbui@${gonb_version}" 2>&1)"; then
  printf '%s\n' "${out}" >&2
  echo "nbsetup: go get github.com/janpfeifer/gonb/gonbui@${gonb_version} failed" >&2
  exit 1
fi

gomlx_version="$(go list -m -f '{{.Version}}' github.com/gomlx/gomlx 2>/dev/null || echo none)"
echo "nbsetup: ${repo_module} => ${REPO_ROOT}; gomlx ${gomlx_version}; gonb ${gonb_version}; module dir ${work_dir}"
