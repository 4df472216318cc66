"""``commissioner journal``: list, show, export and the support bundle, on a real journal."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from commissioner.cli import main
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import (
    ActionResult,
    EventKind,
    SiteFields,
    Stage,
    ThreadIdentity,
)
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    path = tmp_path / "journal.sqlite"
    journal = CommissioningJournal(path)
    run_id = journal.start_run(
        ThreadIdentity("AB1234", "http://127.0.0.1:9"), SiteFields(site="Dam", technician="Kim")
    )
    journal.record(
        run_id,
        Stage.APPLY,
        EventKind.ACTION,
        "port1.mode",
        "Port 1: set interface mode RS232",
        after="RS232",
        result=ActionResult.OK.value,
        detail="Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    )
    journal.close()
    return path


def test_list_show_and_export(
    journal_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "--journal", str(journal_file), "list"]) == 0
    assert "AB1234" in capsys.readouterr().out
    assert main(["journal", "--journal", str(journal_file), "show", "1"]) == 0
    assert "set interface mode RS232" in capsys.readouterr().out
    assert main(["journal", "--journal", str(journal_file), "show", "99"]) == 2
    out = tmp_path / "audit.csv"
    assert main(["journal", "--journal", str(journal_file), "export", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and rows[0]["serial"] == "AB1234" and rows[0]["technician"] == "Kim"
    out_json = tmp_path / "audit.json"
    assert main(["journal", "--journal", str(journal_file), "export", str(out_json)]) == 0
    assert json.loads(out_json.read_text())["runs"][0]["serial"] == "AB1234"


async def test_bundle_has_diagnostics_and_no_secret(journal_file: Path, tmp_path: Path) -> None:
    """The bundle reads the THREAD's diagnostics and redacts the token in the journal."""
    import asyncio

    from commissioner.cli import journal_command

    async with ThreadServer(fast_scenario()) as server:
        out = tmp_path / "support.zip"
        args = journal_command_args(journal_file, out, server.url)
        code = await journal_command.run(args)
    assert code == 0 and out.exists()
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        assert "diagnostics.json" in names
        diagnostics = json.loads(bundle.read("diagnostics.json"))
        assert server.serial_number in json.dumps(diagnostics)
        for name in names:
            assert b"eyJhbGciOiJIUzI1NiJ9" not in bundle.read(name), name
    await asyncio.sleep(0)


def journal_command_args(journal_file: Path, out: Path, url: str) -> object:
    from commissioner.cli import build_parser

    return build_parser().parse_args(
        ["journal", "--journal", str(journal_file), "bundle", str(out), "--url", url]
    )


async def test_hash_reads_the_thread_and_compares_with_a_run(
    journal_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hash of a THREAD now; compared with a run that left another one, exit 1."""
    from commissioner.cli import build_parser, journal_command

    async with ThreadServer(fast_scenario()) as server:
        base = ["journal", "--journal", str(journal_file), "hash", server.url]
        assert await journal_command.run(build_parser().parse_args(base)) == 0
        out = capsys.readouterr().out
        assert server.serial_number in out and "sha256:" in out
        code = await journal_command.run(build_parser().parse_args([*base, "--run", "1"]))
        assert code == 1
        assert "CHANGED since commissioning" in capsys.readouterr().out
