#!/usr/bin/env bash
# Copies the screenshots of the executed notebooks' HTML exports (tests/browser writes them to
# build/screenshots/html/, the Chinese edition's to build/screenshots/html/zh/) into docs/screenshots/
# for committing: the top of each page (the first 5000 px of the 1280 px wide screenshot: title,
# introduction and the first results; the whole notebook is its HTML export), scaled to 900 px
# wide and reduced to a 96-colour palette, a few hundred KB each, with docs/screenshots/README.md
# saying when, from which commit and in which mode they were made. The smoke test (00) is left
# out. `make screenshots` runs `make course` (full mode) first.
#
# Usage: scripts/screenshots.sh [--from DIR] [--notebooks DIR] [--to DIR]
#   --from DIR       screenshots to copy (default build/screenshots/html)
#   --notebooks DIR  the executed notebooks they show, for the mode (default build/notebooks)
#   --to DIR         destination (default docs/screenshots)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

from="build/screenshots/html"
notebooks="build/notebooks"
to="docs/screenshots"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --from) from="${2:?--from needs a directory}"; shift ;;
    --notebooks) notebooks="${2:?--notebooks needs a directory}"; shift ;;
    --to) to="${2:?--to needs a directory}"; shift ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "screenshots.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "screenshots.sh: $*" >&2; exit 1; }

shopt -s nullglob
shots=("${from}"/[0-9][1-9]_*.png "${from}"/zh/[0-9][1-9]_*.png) # lessons 01..; not 00_smoke
[[ ${#shots[@]} -gt 0 ]] || die "no screenshots in ${from}: run make course first (it executes the notebooks and screenshots their HTML exports)"
# Debian's python3-pil: /usr/bin/python3 first (a pyenv or conda python3 on PATH may lack PIL).
py=python3
if [[ -x /usr/bin/python3 ]]; then py=/usr/bin/python3; fi
"${py}" -c 'import PIL' 2>/dev/null || die "PIL is missing for ${py}: apt-get install python3-pil"

# The mode each notebook ran in, from its banner ("mode: full (...)" / "模式：full（...）").
mode_of() {
  "${py}" - "$1" <<'PY'
import json, re, sys
try:
    nb = json.load(open(sys.argv[1]))
except OSError:
    print("unknown"); sys.exit()
for c in nb["cells"]:
    for o in c.get("outputs", []):
        text = "".join(o.get("text", ""))
        m = re.search(r"(?:mode: |模式：)(fast|full)", text)
        if m:
            print(m.group(1)); sys.exit()
print("unknown")
PY
}

mkdir -p "${to}/zh"
rows=()
modes=()
for png in "${shots[@]}"; do
  rel="${png#"${from}"/}" # 01_x.png or zh/01_x.png
  name="${rel%.png}"
  mode="$(mode_of "${notebooks}/${name}.ipynb")"
  modes+=("${mode}")
  "${py}" - "${png}" "${to}/${rel}" <<'PY'
import sys
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
im = Image.open(src).convert("RGB")
im = im.crop((0, 0, im.width, min(im.height, 5000)))
if im.width > 900:
    im = im.resize((900, round(im.height * 900 / im.width)), Image.LANCZOS)
im.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(dst, optimize=True)
PY
  rows+=("| [${name}](${rel}) | ${mode} | $(( $(stat -c %s "${to}/${rel}") / 1024 )) KB |")
done

{
  echo "# Screenshots"
  echo
  echo "The top of each executed notebook's HTML export as Chromium renders it, made by \`scripts/screenshots.sh\`"
  echo "(\`make screenshots\` runs \`make course\` first) on $(date -u +%Y-%m-%d) from commit"
  echo "$(git rev-parse --short HEAD) on a $(nproc)-core machine. Rerun it after changing a notebook."
  echo
  echo "| notebook | mode | size |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"${to}/README.md"
echo "screenshots.sh: ${#shots[@]} screenshot(s) in ${to} (modes: $(printf '%s\n' "${modes[@]}" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'))"
