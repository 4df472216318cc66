#!/usr/bin/env bash
# Build the one-folder app into dist/commissioner/ with the project's venv.
# Usage: bash packaging/build.sh   (from any directory; PYTHON=... overrides the interpreter)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
if [[ ! -x "$PYTHON" ]]; then
    echo "error: $PYTHON not found; create the venv and pip install -e '.[packaging]'" >&2
    exit 1
fi

"$PYTHON" -m PyInstaller --noconfirm --clean --distpath dist --workpath build \
    packaging/commissioner.spec

# A pyenv-built interpreter ships debug info (libpython alone drops 23 MB -> 6 MB). Strip only
# the interpreter's own files: stripping wheel libraries (numpy.libs) corrupts them.
if command -v strip >/dev/null 2>&1; then
    find dist/commissioner/_internal \( -name 'libpython*.so*' -o -path '*/lib-dynload/*.so' \) \
        -exec strip --strip-debug {} +
fi

echo "built: $(pwd)/dist/commissioner/commissioner ($(du -sh dist/commissioner | cut -f1))"
