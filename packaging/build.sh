#!/usr/bin/env bash
# Build the one-folder app into dist/commissioner/ with the project's venv.
# Usage: bash packaging/build.sh   (from any directory)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
if [[ ! -x "$PYTHON" ]]; then
    echo "error: $PYTHON not found; create the venv and pip install -e '.[packaging]'" >&2
    exit 1
fi

"$PYTHON" -m PyInstaller --noconfirm --clean --distpath dist --workpath build \
    packaging/commissioner.spec

echo "built: $(pwd)/dist/commissioner/commissioner"
