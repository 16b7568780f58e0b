#!/usr/bin/env bash
# Prints which versions newer than the course's pins the Go module proxy serves, and does nothing
# else (no file is changed). `make deps-check` runs it.
#
# The proxy refuses version lists for some modules (a 403 on @v/list), so every candidate version
# is also asked for by name (@v/VERSION.info): the next patches of the pinned minor, and the first
# patches of the next minors. For each newer gomlx it prints the compute and go-xla versions that
# its go.mod requires, and flags one that accepts compute >= v0.1.34 (the first compute with
# byte-block Slice/Concatenate, which gomlx v0.28.16 does not build with).
# Usage: scripts/deps_check.sh [--patches N] [--minors N]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "${SCRIPT_DIR}/versions.env"

patches=40 # patch numbers tried past the pinned one (and from 0 in each next minor)
minors=3   # next minor versions tried
while [[ $# -gt 0 ]]; do
  case "$1" in
    --patches) patches="${2:?--patches needs a number}"; shift ;;
    --minors) minors="${2:?--minors needs a number}"; shift ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deps_check.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "${patches}" =~ ^[0-9]+$ && "${minors}" =~ ^[0-9]+$ ]] || { echo "deps_check.sh: --patches and --minors take whole numbers" >&2; exit 2; }

proxy="${GOPROXY:-https://proxy.golang.org}"
proxy="${proxy%%[,|]*}"
if [[ "${proxy}" == off || "${proxy}" == direct ]]; then proxy=https://proxy.golang.org; fi
command -v curl >/dev/null || { echo "deps_check.sh: needs curl" >&2; exit 1; }

# escape MODULE: the proxy's case encoding (an upper-case letter becomes ! and its lower case).
escape() { sed -E 's/([A-Z])/!\L\1/g' <<<"$1"; }

# served MODULE VERSION: 0 when the proxy serves MODULE@VERSION.
served() {
  curl -fsS -o /dev/null --max-time 20 "${proxy}/$(escape "$1")/@v/$2.info" 2>/dev/null
}

# candidates VERSION: the versions after vMAJ.MIN.PAT that this script asks for, oldest first.
candidates() {
  local v="${1#v}" major minor patch m p
  IFS=. read -r major minor patch <<<"${v}"
  for ((p = patch + 1; p <= patch + patches; p++)); do echo "v${major}.${minor}.${p}"; done
  for ((m = minor + 1; m <= minor + minors; m++)); do
    for ((p = 0; p <= patches; p++)); do echo "v${major}.${m}.${p}"; done
  done
}

# newer MODULE PINNED: prints the newer versions served, oldest first (also those in @v/list).
newer() {
  local module="$1" pin="$2" listed
  listed="$(curl -fsS --max-time 20 "${proxy}/$(escape "${module}")/@v/list" 2>/dev/null || true)"
  {
    [[ -n "${listed}" ]] && printf '%s\n' "${listed}"
    # The single quotes are meant: the inner bash expands $0, $1 and $2 (its arguments).
    # shellcheck disable=SC2016
    candidates "${pin}" | xargs -P 8 -I{} bash -c 'curl -fsS -o /dev/null --max-time 20 "$0/$1/@v/$2.info" 2>/dev/null && echo "$2"' "${proxy}" "$(escape "${module}")" {}
  } | { grep -E "^v[0-9]+\.[0-9]+\.[0-9]+$" || true; } | sort -u -V | awk -v pin="${pin}" '
    function cmp(a, b,   x, y, i) { split(substr(a, 2), x, "."); split(substr(b, 2), y, ".")
      for (i = 1; i <= 3; i++) { if (x[i] + 0 != y[i] + 0) return (x[i] + 0 > y[i] + 0) ? 1 : -1 } return 0 }
    cmp($0, pin) > 0'
}

# requires MODULE VERSION DEP: the version of DEP that MODULE@VERSION's go.mod requires.
requires() {
  curl -fsS --max-time 20 "${proxy}/$(escape "$1")/@v/$2.mod" 2>/dev/null |
    awk -v m="$3" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }'
}

echo "deps-check: versions newer than scripts/versions.env's pins, as served by ${proxy}"
echo "  (asked by name: ${patches} patches past each pin and the first ${patches} of the next ${minors} minors)"
report() { # report LABEL MODULE PIN
  local list
  list="$(newer "$2" "$3" | tr "\n" " " || true)"
  printf '  %-8s %-32s pinned %-9s newer served: %s\n' "$1" "$2" "$3" "${list:-none}"
}
report gomlx github.com/gomlx/gomlx "${GOMLX_VERSION}"
report compute github.com/gomlx/compute "${GOMLX_COMPUTE_VERSION}"
report go-xla github.com/gomlx/go-xla "${GOMLX_GOXLA_VERSION}"
report gonb github.com/janpfeifer/gonb "${GONB_VERSION}"

# Go toolchains: golang.org/toolchain@v0.0.1-goX.Y.Z.linux-amd64 is what GOTOOLCHAIN downloads.
go_newer=()
IFS=. read -r gmaj gmin gpat <<<"${GO_VERSION}"
for ((m = gmin; m <= gmin + 1; m++)); do
  start=0
  [[ ${m} -eq ${gmin} ]] && start=$((gpat + 1))
  for ((p = start; p <= start + 12; p++)); do
    if served golang.org/toolchain "v0.0.1-go${gmaj}.${m}.${p}.linux-amd64"; then go_newer+=("${gmaj}.${m}.${p}"); fi
  done
done
printf '  %-8s %-32s pinned %-9s newer served: %s\n' go golang.org/toolchain "${GO_VERSION}" "${go_newer[*]:-none}"

echo "newer gomlx releases and what they require:"
any=0
while read -r v; do
  [[ -n "${v}" ]] || continue
  any=1
  c="$(requires github.com/gomlx/gomlx "${v}" github.com/gomlx/compute)"
  x="$(requires github.com/gomlx/gomlx "${v}" github.com/gomlx/go-xla)"
  g="$(curl -fsS --max-time 20 "${proxy}/github.com/gomlx/gomlx/@v/${v}.mod" 2>/dev/null | awk '$1 == "go" { print $2; exit }')"
  flag=""
  if [[ -n "${c}" && "$(printf '%s\n%s\n' "${c}" v0.1.34 | sort -V | head -n 1)" == v0.1.34 ]]; then
    flag="  <- accepts compute >= v0.1.34: try it (go get github.com/gomlx/gomlx@${v}; go mod tidy; make test)"
  fi
  echo "  gomlx ${v}: go ${g:-?}, compute ${c:-?}, go-xla ${x:-?}${flag}"
done < <(newer github.com/gomlx/gomlx "${GOMLX_VERSION}")
[[ ${any} -eq 1 ]] || echo "  none"
