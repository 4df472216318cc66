"""Find files under ``resources/`` whether running from a source tree or a PyInstaller bundle.

From source the folder sits beside the package; frozen, PyInstaller unpacks it under
``sys._MEIPASS``. An installed wheel carries no resources folder, so ``COMMISSIONER_RESOURCES``
can point at one explicitly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class ResourceNotFound(FileNotFoundError):
    """A bundled resource is missing: the install is incomplete."""


def resources_root() -> Path:
    """The folder holding icons, styles, example profiles and simulator scenarios."""
    override = os.environ.get("COMMISSIONER_RESOURCES")
    if override:
        return Path(override)
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource; raises :class:`ResourceNotFound` with the place it looked."""
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise ResourceNotFound(f"resource {'/'.join(parts)} not found under {resources_root()}")
    return path
