"""File > Save support bundle…: diagnostics of the connected THREAD, activity, runs; no secret."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from commissioner.core.activity import ActivityLog
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import SiteFields, ThreadIdentity
from commissioner.core.settings import Settings
from commissioner.sim.server import ThreadServer
from commissioner.ui.session_model import SessionModel
from commissioner.ui.support_bundle import SupportBundleAction

SECRET = "s3cr3t-client-value-0123456789"


def test_bundle_from_the_running_app(
    qtbot: QtBot,
    tmp_path: Path,
    run_async: Callable[..., Any],
    sim_model: tuple[SessionModel, ThreadServer],
) -> None:
    model, server = sim_model
    window = QMainWindow()
    qtbot.addWidget(window)
    journal = CommissioningJournal(tmp_path / "journal.sqlite")
    run_id = journal.start_run(
        ThreadIdentity(server.serial_number, server.url), SiteFields(technician="Kim")
    )
    activity = ActivityLog()
    action = SupportBundleAction(
        window, model, activity, journal, Settings(), secrets=lambda: [SECRET]
    )
    journal.record(run_id, *_note(f"signed in with client secret {SECRET}"))
    out = tmp_path / "support.zip"
    action.path_provider = lambda: out
    task = action.trigger()
    assert task is not None
    result = run_async(task)
    assert result.path == out and out.exists()
    with zipfile.ZipFile(out) as bundle:
        diagnostics = json.loads(bundle.read("diagnostics.json"))
        assert diagnostics["serial"] == server.serial_number
        runs = json.loads(bundle.read("journal/runs.json"))
        assert any(r["run_id"] == run_id for r in runs["runs"])
        assert any(name.startswith("logs/activity") for name in bundle.namelist())
        for name in bundle.namelist():
            assert SECRET.encode() not in bundle.read(name), name
    assert "Support bundle saved" in window.statusBar().currentMessage()
    journal.close()


def _note(text: str) -> tuple[Any, ...]:
    from commissioner.core.commissioning.run_model import EventKind, Stage

    return (Stage.CONNECT, EventKind.NOTE, "note", text)
