#!/bin/sh
# Writes the PyTorch golden cases (small, basic, large, f512: NAME.npz, NAME_state.npz, NAME.pt,
# small_step1.pt, manifest.json) into packages/cloud/.golden/, which git ignores. The golden tests
# (src/golden/*.test.ts) use them when present and skip loudly otherwise.
#
# usage: sh packages/cloud/scripts/make-golden.sh [CASES]      (default: small,basic,large,f512)
# env:   CELLSHAPE_SHARED  the shared folder holding reference/golden.py (default: <repo>/../shared)
#        PYTHON            a Python with torch 1.13 and numpy (default: /usr/bin/python3)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
shared=${CELLSHAPE_SHARED:-"$repo/../shared"}
python=${PYTHON:-/usr/bin/python3}
out="$here/../.golden"
mkdir -p "$out"
printf '*\n' > "$out/.gitignore"
"$python" "$shared/reference/golden.py" "$out" --cases "${1:-small,basic,large,f512}" --threads 1
"$python" "$here/golden-f64.py" "$out" "$shared" "${1:-small,basic,large,f512}"
