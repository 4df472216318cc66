"""Test-wide settings: Qt renders offscreen, settings go to a temporary folder, and nothing
ever leaves 127.0.0.1."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["COMMISSIONER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="commissioner-test-config-")
os.environ["COMMISSIONER_DATA_DIR"] = tempfile.mkdtemp(prefix="commissioner-test-data-")
