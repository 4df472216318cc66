"""Test-wide settings: Qt renders offscreen, settings go to a temporary folder, and nothing
ever leaves 127.0.0.1."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from commissioner.core.commissioning.journal import CommissioningJournal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["COMMISSIONER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="commissioner-test-config-")
os.environ["COMMISSIONER_DATA_DIR"] = tempfile.mkdtemp(prefix="commissioner-test-data-")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[CommissioningJournal]:
    """A commissioning journal of its own per test (packages with another journal override it)."""
    opened = CommissioningJournal(tmp_path / "journal.sqlite")
    yield opened
    opened.close()
