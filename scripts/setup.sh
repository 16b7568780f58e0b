#!/usr/bin/env bash
# One idempotent set-up step for the course (README, CI and the Dockerfile use it).
#
# Installs only what is missing, so a second run is a quick no-op:
#   - Debian packages for Jupyter (nbconvert, kernelspec tooling, the classic notebook server);
#   - goimports, gopls, actionlint and the GoNB kernel at the versions pinned in
#     scripts/versions.env, into BIN_DIR (default: $(go env GOPATH)/bin);
#   - the GoNB Jupyter kernel registration (honours JUPYTER_DATA_DIR), with the course's Go
#     build and run settings of scripts/build.env in the kernel's environment.
# Usage: scripts/setup.sh [--with-pytorch] [--with-browser] [--no-apt] [--no-ci-tools] [--bin-dir DIR]
#   --with-pytorch  also install python3-torch, libopenblas0-pthread, python3-numpy (baselines)
#   --with-browser  also install chromium (headless rendering, tests/browser), fonts-noto-cjk (the
#                   Chinese edition's characters), and nodejs and npm when there is no node/npm on PATH
#   --no-apt        install no Debian packages: Jupyter is already on PATH (the Docker image)
#   --no-ci-tools   skip actionlint, a tool only CI and make test need (the Docker image)
#   --bin-dir DIR   where to put the Go tools (or set BIN_DIR)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
# shellcheck source=versions.env
. "${SCRIPT_DIR}/versions.env"

with_pytorch=0
with_browser=0
with_apt=1
with_ci_tools=1
BIN_DIR="${BIN_DIR:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --with-pytorch) with_pytorch=1 ;;
    --with-browser) with_browser=1 ;;
    --no-apt) with_apt=0 ;;
    --no-ci-tools) with_ci_tools=0 ;;
    --bin-dir) BIN_DIR="${2:?--bin-dir needs a directory}"; shift ;;
    --bin-dir=*) BIN_DIR="${1#--bin-dir=}" ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

start_s=${SECONDS}
export PYDEVD_DISABLE_FILE_VALIDATION=1 # silence debugpy warnings from Jupyter tools
done_list=()   # what this run changed
ok_list=()     # what was already in place
log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Go toolchain (not installed here: the Docker image / CI provide it).
command -v go >/dev/null 2>&1 || die "go not found on PATH; install Go ${GO_VERSION} (https://go.dev/dl/)"
go_have="$(go env GOVERSION)"
if [[ "${go_have}" != "go${GO_VERSION}" ]]; then
  log "warning: found ${go_have}, the course is pinned to go${GO_VERSION} (scripts/versions.env)"
fi
for mod in gomlx/gomlx:GOMLX_VERSION gomlx/compute:GOMLX_COMPUTE_VERSION gomlx/go-xla:GOMLX_GOXLA_VERSION; do
  pin="${mod#*:}"
  want="${!pin}"
  got="$(awk -v m="github.com/${mod%%:*}" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "${REPO_ROOT}/go.mod")"
  if [[ -n "${got}" && "${got}" != "${want}" ]]; then
    log "warning: go.mod has github.com/${mod%%:*} ${got} but scripts/versions.env pins ${pin}=${want}"
  fi
done

if [[ -z "${BIN_DIR}" ]]; then
  gopath="$(go env GOPATH)"
  BIN_DIR="${gopath%%:*}/bin"
fi
mkdir -p "${BIN_DIR}"
BIN_DIR="$(cd "${BIN_DIR}" && pwd)"
bin_on_path=1
case ":${PATH}:" in
  *":${BIN_DIR}:"*) ;;
  *) bin_on_path=0; export PATH="${BIN_DIR}:${PATH}" ;;
esac

# ---------------------------------------------------------------------------------------------
# Debian packages.
apt_pkgs=(jupyter-nbconvert jupyter-client jupyter-notebook shellcheck) # jupyter-notebook pulls python3-ipykernel; shellcheck for `make lint`
if [[ ${with_pytorch} -eq 1 ]]; then apt_pkgs+=(python3-torch libopenblas0-pthread python3-numpy); fi
if [[ ${with_browser} -eq 1 ]]; then
  apt_pkgs+=(chromium fonts-noto-cjk) # fonts-noto-cjk: the Chinese edition's text in screenshots
  # Node drives Chromium in tests/browser; a node from elsewhere (NodeSource, nvm) is kept.
  command -v node >/dev/null 2>&1 || apt_pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || apt_pkgs+=(npm)
fi

# apt_run ARGS...: apt-get ARGS, waiting while another apt/dpkg run holds a lock. DPkg::Lock::Timeout
# covers only the dpkg lock: `update` (lists lock) and downloads (archives lock) fail at once, so
# retry those until a deadline. Other failures (a mirror that drops a download) get two more tries.
apt_run() {
  local deadline=$((SECONDS + 600)) err_file rc tries=1
  err_file="$(mktemp)"
  while true; do
    rc=0
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600 \
      -o Acquire::Retries=3 -o APT::Get::Assume-Yes=true "$@" 2>"${err_file}" || rc=$?
    if [[ ${rc} -ne 0 && ${SECONDS} -lt ${deadline} ]] && grep -Eq 'Could not get lock|Unable to lock' "${err_file}"; then
      log "apt is busy (another install running?); retrying apt-get $1 in 10 s"
      sleep 10
      continue
    fi
    if [[ ${rc} -ne 0 && ${tries} -lt 3 ]]; then
      cat "${err_file}" >&2
      log "apt-get $1 failed (exit ${rc}, try ${tries} of 3); retrying in 15 s"
      tries=$((tries + 1))
      sleep 15
      continue
    fi
    cat "${err_file}" >&2
    rm -f "${err_file}"
    return "${rc}"
  done
}

sudo_cmd=()
missing=()
if [[ ${with_apt} -eq 0 ]]; then
  log "--no-apt: not installing Debian packages (${apt_pkgs[*]})"
else
  for p in "${apt_pkgs[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "${p}" 2>/dev/null || true)" == "installed" ]]; then
      ok_list+=("apt:${p}")
    else
      missing+=("${p}")
    fi
  done
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these by hand: ${missing[*]}"
  if [[ ${EUID} -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install ${missing[*]}"
    sudo_cmd=(sudo)
  fi
  log "installing Debian packages: ${missing[*]} (waits up to 10 min for a busy apt/dpkg)"
  apt_run update
  apt_run install "${missing[@]}"
  for p in "${missing[@]}"; do done_list+=("apt:${p}"); done
fi
command -v jupyter >/dev/null 2>&1 || die "jupyter not on PATH after installing Debian packages (or with --no-apt)"

# ---------------------------------------------------------------------------------------------
# Go tools at pinned versions. `go version -m` tells which module version a binary came from.
has_mod() { # has_mod BINARY PATTERN: the binary's build info has a line matching PATTERN
  [[ -x "$1" ]] && go version -m "$1" 2>/dev/null | grep -Eq "$2"
}

# go_tool NAME MODULE VERSION PACKAGE: go install PACKAGE@VERSION into BIN_DIR unless BIN_DIR/NAME
# was already built from MODULE at VERSION.
go_tool() {
  local name="$1" module="$2" version="$3" pkg="$4"
  if has_mod "${BIN_DIR}/${name}" "^[[:space:]]+mod[[:space:]]+${module//./\\.}[[:space:]]+${version}([[:space:]]|$)"; then
    ok_list+=("${name}@${version}")
  else
    log "installing ${name} (${module} ${version})"
    local try
    for try in 1 2 3; do
      GOBIN="${BIN_DIR}" go install "${pkg}@${version}" && break
      [[ ${try} -lt 3 ]] || die "go install ${pkg}@${version} failed 3 times (needs the Go module proxy)"
      log "go install ${pkg}@${version} failed (try ${try} of 3); retrying in 15 s"
      sleep 15
    done
    done_list+=("${name}@${version}")
  fi
}

go_tool goimports golang.org/x/tools "${GOIMPORTS_VERSION}" golang.org/x/tools/cmd/goimports
go_tool gopls golang.org/x/tools/gopls "${GOPLS_VERSION}" golang.org/x/tools/gopls
# actionlint checks .github/workflows (tools/pincheck runs it; it uses shellcheck when on PATH).
if [[ ${with_ci_tools} -eq 1 ]]; then
  go_tool actionlint github.com/rhysd/actionlint "${ACTIONLINT_VERSION}" github.com/rhysd/actionlint/cmd/actionlint
fi

# `go install github.com/janpfeifer/gonb@VERSION` fails on this proxy (it refuses gonb's version
# list): download the module and build it from the module cache. GitTag is stamped so that
# `gonb -V` and the kernel's $GONB_VERSION report the real version.
gonb_tag_flag="-X github.com/janpfeifer/gonb/version.GitTag=${GONB_VERSION}"
gonb_rebuilt=0
if has_mod "${BIN_DIR}/gonb" "^[[:space:]]+path[[:space:]]+github\.com/janpfeifer/gonb$" &&
  has_mod "${BIN_DIR}/gonb" "GitTag=${GONB_VERSION}([^0-9]|$)"; then
  ok_list+=("gonb@${GONB_VERSION}")
else
  log "installing gonb ${GONB_VERSION}"
  gonb_dir="$(go mod download -json "github.com/janpfeifer/gonb@${GONB_VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "${gonb_dir}" ]] || die "go mod download github.com/janpfeifer/gonb@${GONB_VERSION} gave no directory"
  # The module cache is read-only and has no go.work: build it as its own main module.
  GOWORK=off go build -C "${gonb_dir}" -ldflags="${gonb_tag_flag}" -o "${BIN_DIR}/gonb" .
  done_list+=("gonb@${GONB_VERSION}")
  gonb_rebuilt=1
fi

# ---------------------------------------------------------------------------------------------
# Register the kernel (gonb --install writes <JUPYTER_DATA_DIR>/kernels/gonb/kernel.json).
if [[ -z "${JUPYTER_DATA_DIR:-}" ]]; then
  JUPYTER_DATA_DIR="$(jupyter --data-dir)"
fi
export JUPYTER_DATA_DIR
kernel_json="${JUPYTER_DATA_DIR}/kernels/gonb/kernel.json"
if [[ ${gonb_rebuilt} -eq 0 && -f "${kernel_json}" ]] &&
  grep -Fq "\"argv\":[\"${BIN_DIR}/gonb\"," "${kernel_json}"; then
  ok_list+=("kernel:gonb")
else
  log "registering the GoNB kernel in ${JUPYTER_DATA_DIR}/kernels/gonb"
  "${BIN_DIR}/gonb" --install 2>&1 | sed 's/^/  gonb: /'
  done_list+=("kernel:gonb")
fi
spec_dir="$(jupyter kernelspec list | awk '$1 == "gonb" { print $2 }')"
[[ -n "${spec_dir}" ]] || die "jupyter kernelspec list does not show the gonb kernel"

# The kernel's environment gets scripts/build.env (GOEXPERIMENT, GODEBUG): GoNB builds and runs
# every cell with it, as `make` does for the tests. GoNB links a new program for every cell it
# runs: '-ldflags=-s -w' (no symbol table, no DWARF; panics still print their stacks) halves
# that link, from about 1.6 s to 0.85 s per cell for a program importing the course's packages.
# GOFLAGS already set here (the Docker image's -buildvcs=false) is kept.
kernel_env="$(grep -E '^[A-Z_]+=' "${SCRIPT_DIR}/build.env")
GOFLAGS=${GOFLAGS:+${GOFLAGS} }'-ldflags=-s -w'"
if env_state="$(KERNEL_ENV="${kernel_env}" python3 - "${spec_dir}/kernel.json" <<'PY'
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    spec = json.load(f)
want = dict(line.split("=", 1) for line in os.environ["KERNEL_ENV"].splitlines())
env = spec.get("env") or {}
if all(env.get(k) == v for k, v in want.items()):
    print("ok")
else:
    env.update(want)
    spec["env"] = env
    with open(path, "w") as f:
        json.dump(spec, f, separators=(",", ":"))
    print("written")
PY
)"; then
  if [[ ${env_state} == ok ]]; then ok_list+=("kernel-env"); else done_list+=("kernel-env"); fi
else
  die "could not write the build settings (scripts/build.env) into ${spec_dir}/kernel.json"
fi

# ---------------------------------------------------------------------------------------------
log "already present: ${ok_list[*]:-nothing}"
log "installed now:   ${done_list[*]:-nothing}"
log "gonb $("${BIN_DIR}/gonb" -V 2>/dev/null | head -n 1) kernel spec: ${spec_dir}"
log "done in $((SECONDS - start_s)) s"
if [[ ${bin_on_path} -eq 0 ]]; then
  log "hint: add the Go tools to your PATH:  export PATH=\"${BIN_DIR}:\$PATH\""
fi
