"""``python -m commissioner`` and the ``commissioner`` console script."""

from __future__ import annotations

from commissioner.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
