#!/usr/bin/env bash
# Executes course notebooks headless, exports them to HTML and checks them.
#
# Usage: scripts/run_notebooks.sh [--fast|--full] [--allow-errors] [--out-dir DIR] [notebook.ipynb...]
#   --fast | --full  sets RNN_COURSE_MODE=fast|full for the notebooks (default: full)
#   --allow-errors   keep executing after a failing cell (whole executed notebook and HTML for
#                    debugging; the checker still fails the notebook)
#   --out-dir DIR    where executed notebooks, HTML and logs go (default: build/notebooks); the
#                    Chinese edition's (notebooks/zh/) go to DIR/zh/
#   notebooks        default: every notebooks/[0-9]*.ipynb, then every notebooks/zh/[0-9]*.ipynb
# Environment: NB_CELL_TIMEOUT (seconds per cell; default 900 fast, 3600 full).
#
# For each notebook: jupyter nbconvert --execute into DIR/<name>.ipynb, jupyter nbconvert --to html
# into DIR/<name>.html, then tools/nbcheck on the executed notebook (nbconvert misses failing `!cmd`
# cells, for instance). The full nbconvert/kernel log is DIR/<name>.log. Exits non-zero if any
# notebook failed.
#
# The notebooks of one run share DIR/shared/ (RNN_COURSE_SHARED_DIR, emptied first): a long cell
# wrapped in notebook.Shared computes once, in the first edition that runs it (English), and the
# other edition reads the result back and says so (see pkg/notebook/shared.go).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"

mode="full"
allow_errors=()
out_dir=""
notebooks=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fast) mode="fast" ;;
    --full) mode="full" ;;
    --allow-errors) allow_errors=(--allow-errors) ;;
    --out-dir) out_dir="${2:?--out-dir needs a directory}"; shift ;;
    --out-dir=*) out_dir="${1#--out-dir=}" ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run_notebooks.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    *)
      [[ -f "$1" ]] || { echo "run_notebooks.sh: no such notebook: $1" >&2; exit 2; }
      notebooks+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")")
      ;;
  esac
  shift
done
if [[ -n "${out_dir}" ]]; then
  mkdir -p "${out_dir}"
  out_dir="$(cd "${out_dir}" && pwd)"
fi

cd "${REPO_ROOT}"
out_dir="${out_dir:-${REPO_ROOT}/build/notebooks}"
mkdir -p "${out_dir}"
if [[ ${#notebooks[@]} -eq 0 ]]; then
  shopt -s nullglob
  notebooks=("${REPO_ROOT}"/notebooks/[0-9]*.ipynb "${REPO_ROOT}"/notebooks/zh/[0-9]*.ipynb)
  shopt -u nullglob
  [[ ${#notebooks[@]} -gt 0 ]] || { echo "run_notebooks.sh: no notebooks/[0-9]*.ipynb found" >&2; exit 2; }
fi

if [[ "${mode}" == "fast" ]]; then timeout="${NB_CELL_TIMEOUT:-900}"; else timeout="${NB_CELL_TIMEOUT:-3600}"; fi
export RNN_COURSE_MODE="${mode}"
# No browser runs here: notebook.Explore's sliders stay off and the static figures stand alone.
export RNN_COURSE_WIDGETS=off
export RNN_COURSE_SHARED_DIR="${out_dir}/shared"
rm -rf "${RNN_COURSE_SHARED_DIR}"
mkdir -p "${RNN_COURSE_SHARED_DIR}"
export PYDEVD_DISABLE_FILE_VALIDATION=1 # silence debugpy warnings from Jupyter's Python tools
# The GoNB kernel needs goimports (and gopls) on PATH: scripts/setup.sh puts them in GOPATH/bin.
if ! command -v goimports >/dev/null 2>&1; then
  gopath="$(go env GOPATH)"
  export PATH="${gopath%%:*}/bin:${PATH}"
fi
command -v jupyter >/dev/null 2>&1 || { echo "run_notebooks.sh: jupyter not found: run scripts/setup.sh" >&2; exit 2; }

tmp_dir="$(mktemp -d)"
trap 'rm -rf "${tmp_dir}"' EXIT
go build -o "${tmp_dir}/nbcheck" ./tools/nbcheck

now() { printf '%s' "${EPOCHREALTIME}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "run_notebooks: ${#notebooks[@]} notebook(s), mode ${mode}, cell timeout ${timeout} s, output in ${out_dir#"${REPO_ROOT}/"}"
t_all="$(now)"
passed=()
failed=()
for nb in "${notebooks[@]}"; do
  name="$(basename "${nb}" .ipynb)"
  nb_out="${out_dir}"
  if [[ "$(basename "$(dirname "${nb}")")" == zh ]]; then # the Chinese edition: same names, own folder
    nb_out="${out_dir}/zh"
    name="zh/${name}"
    mkdir -p "${nb_out}"
  fi
  executed="${out_dir}/${name}.ipynb"
  log="${out_dir}/${name}.log"
  rm -f "${executed}" "${out_dir}/${name}.html" "${log}"
  t0="$(now)"
  why=""
  if ! jupyter nbconvert --to notebook --execute "${allow_errors[@]}" \
    --ExecutePreprocessor.timeout="${timeout}" \
    --output-dir "${nb_out}" --output "$(basename "${name}")" "${nb}" >"${log}" 2>&1; then
    why="nbconvert --execute failed"
    # The Python exception at the end of the log (nbclient's CellExecutionError shows the failing
    # cell and its error); the kernel's own klog lines are skipped.
    report="$(grep -Ev '^[IWEF][0-9]{4} ' "${log}" | sed -n -E '/^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|NoSuchKernel): /,$p')"
    [[ -n "${report}" ]] || report="$(grep -Ev '^[IWEF][0-9]{4} ' "${log}" | tail -n 15)"
    printf '%s\n' "${report}" | head -n 25 | sed 's/^/    /'
  fi
  if [[ -f "${executed}" ]]; then
    if ! jupyter nbconvert --to html --output-dir "${nb_out}" --output "$(basename "${name}")" "${executed}" >>"${log}" 2>&1; then
      why="${why:+${why}; }HTML export failed"
    fi
    if ! "${tmp_dir}/nbcheck" -q "${executed}" | sed 's/^/    /'; then
      why="${why:+${why}; }nbcheck found problems"
    fi
  elif [[ -z "${why}" ]]; then
    why="no executed notebook written"
  fi
  secs="$(elapsed "${t0}" "$(now)")"
  if [[ -z "${why}" ]]; then
    passed+=("${name}")
    printf 'PASS %-28s %7s s\n' "${name}" "${secs}"
  else
    failed+=("${name}")
    printf 'FAIL %-28s %7s s  (%s; log: %s)\n' "${name}" "${secs}" "${why}" "${log#"${REPO_ROOT}/"}"
  fi
done

total="$(elapsed "${t_all}" "$(now)")"
if [[ ${#failed[@]} -eq 0 ]]; then
  echo "run_notebooks: all ${#passed[@]} notebook(s) passed in ${total} s (mode ${mode})"
else
  echo "run_notebooks: ${#failed[@]} of ${#notebooks[@]} notebook(s) FAILED in ${total} s (mode ${mode}): ${failed[*]}"
  exit 1
fi
