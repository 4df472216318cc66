"""``commissioner commission``: fleet runs, resume and rollback in-process against the simulators.

``main()`` runs its own ``asyncio.run``, so the simulated THREADs and the cloud simulator live on
an event loop in a background thread; the tests call ``main([...])`` as a user would and check
what the simulators, the journal and the report folder hold afterwards. Reports need a Qt GUI
application: the ``qapp`` fixture makes the QApplication first, so the command reuses it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from commissioner.cli import main
from commissioner.cli.commission_manifest import Unit
from commissioner.cli.commission_progress import FleetProgress
from commissioner.cli.exit_codes import ExitCode
from commissioner.core.commissioning import load_profile
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.run_model import RunStatus, SiteFields, Stage
from commissioner.core.commissioning.session import CommissioningSession, RunEvent, RunOptions
from commissioner.core.commissioning.snapshot import read_snapshot
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.edge.client import EdgeClient
from commissioner.resources import resource_path
from commissioner.sim.cloud.server import CloudSim
from commissioner.sim.host import SimHost
from commissioner.sim.scenario import Scenario
from commissioner.sim.server import ThreadServer
from tests.core.edge.conftest import fast_scenario

MIXED = str(resource_path("profiles", "mixed-three-port.toml"))
QUICK = ("--data-timeout", "3", "--confirm-timeout", "5", "--scan-listen", "0.3")


def bench(port1_baud: int | None = None) -> Scenario:
    """The fast default bench; the 4-20 mA sweep kept inside 6-18 mA so the range check is
    decided by the profile, not by the moment of the sweep; port 1 optionally at another baud."""
    scenario = fast_scenario()
    sensors = []
    for s in scenario.sensors:
        if s.kind == "analog":
            s = dataclasses.replace(s, min_ma=6.0, max_ma=18.0)
        if s.port == 1 and port1_baud is not None:
            s = dataclasses.replace(s, baud=port1_baud)
        sensors.append(s)
    return dataclasses.replace(scenario, sensors=tuple(sensors))


class LoopThread:
    """An event loop in a daemon thread that serves the simulators while main() runs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LoopThread]:
    """A background loop, and fresh settings/data folders (so the journal is this test's)."""
    monkeypatch.setenv("COMMISSIONER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COMMISSIONER_DATA_DIR", str(tmp_path / "data"))
    thread = LoopThread()
    try:
        yield thread
    finally:
        thread.close()


def serve(loop: LoopThread, service: Any) -> Any:
    loop.call(service.start())
    return service


@pytest.fixture
def fleet(loop: LoopThread) -> Iterator[SimHost]:
    host = serve(loop, SimHost(count=3, scenario=bench(), seed=11))
    try:
        yield host
    finally:
        loop.call(host.aclose())


@pytest.fixture
def cloud(loop: LoopThread) -> Iterator[CloudSim]:
    sim = serve(loop, CloudSim(seed=1))
    try:
        yield sim
    finally:
        loop.call(sim.aclose())


def manifest(tmp_path: Path, units: list[dict[str, str]], name: str = "site.toml") -> Path:
    lines = ["[site]", 'site = "Bridge 7"', 'technician = "A. Installer"', ""]
    for unit in units:
        lines.append("[[units]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in unit.items()]
        lines.append("")
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def commission(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["commission", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fleet_of_three_passes_registers_and_writes_three_reports(
    capsys: pytest.CaptureFixture[str],
    qapp: Any,
    loop: LoopThread,
    fleet: SimHost,
    cloud: CloudSim,
    tmp_path: Path,
) -> None:
    """Three THREADs, three at a time: all PASSED, one node each in the cloud, PDF+HTML each."""
    units = [{"name": f"unit-{i}", "address": url} for i, url in enumerate(fleet.urls)]
    units[1]["serial"] = fleet.servers[1].serial_number  # the right THREAD is at its address
    targets = manifest(tmp_path, units)
    reports = tmp_path / "reports"
    code, out, err = commission(
        capsys, "--profile", MIXED, "--targets", str(targets), "--parallel", "3",
        "--sim-cloud-url", cloud.url, "--report-dir", str(reports), *QUICK,
    )  # fmt: skip
    assert code == 0, out + err
    assert out.count("PASSED") == 3 and "3 passed, 0 did not" in out
    for server in fleet.servers:
        assert server.serial_number in out
    assert loop.call(_counts(cloud))["nodes"] == 3
    pdfs, htmls = sorted(reports.glob("*.pdf")), sorted(reports.glob("*.html"))
    assert len(pdfs) == 3 and len(htmls) == 3
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    journal = CommissioningJournal()
    assert [r.status for r in journal.runs()] == [RunStatus.PASSED] * 3
    # not a TTY: one progress line per stage change per unit, never a flood
    for i in range(3):
        lines = [line for line in err.splitlines() if line.startswith(f"[unit-{i} ")]
        assert 6 <= len(lines) <= 12, lines


async def _counts(sim: CloudSim) -> dict[str, int]:
    return sim.counts()


def test_one_faulty_unit_fails_alone_and_accept_scan_fixes_it(
    capsys: pytest.CaptureFixture[str], qapp: Any, loop: LoopThread, tmp_path: Path
) -> None:
    """Port 1's sensor of one THREAD talks at 4800: that unit FAILED (exit 7), the others PASSED;
    --json says which and why; with --accept-scan the scan's finding is applied and all pass."""
    good = serve(loop, SimHost(count=2, scenario=bench(), seed=21))
    faulty = serve(loop, ThreadServer(bench(port1_baud=4800), seed=99))
    try:
        units = [{"name": "good-0", "address": good.urls[0]},
                 {"name": "faulty", "address": faulty.url},
                 {"name": "good-1", "address": good.urls[1]}]  # fmt: skip
        targets = manifest(tmp_path, units)
        base = ("--profile", MIXED, "--targets", str(targets), "--no-cloud", "--parallel", "3")
        code, out, err = commission(
            capsys, *base, "--report-dir", str(tmp_path / "r1"), "--json", *QUICK
        )
        assert code == ExitCode.COMMISSION_FAILED, out + err
        summary = json.loads(out)
        status = {u["name"]: u["status"] for u in summary["units"]}
        assert status == {"good-0": "PASSED", "faulty": "FAILED", "good-1": "PASSED"}
        bad = next(u for u in summary["units"] if u["name"] == "faulty")
        assert bad["serial"] == faulty.serial_number and bad["passed"] is False
        assert "Port 1" in bad["reason"] and any("Port 1" in c for c in bad["failed_checks"])
        assert bad["report"] is not None and Path(bad["report"]["pdf"]).exists()
        assert summary["passed"] == 2 and summary["failed"] == 1
        assert summary["exit_code"] == ExitCode.COMMISSION_FAILED

        code, out, err = commission(
            capsys, *base, "--accept-scan", "--report-dir", str(tmp_path / "r2"), *QUICK
        )
        assert code == 0, out + err
        assert out.count("PASSED") == 3
        assert loop.call(_baud(faulty.url, 1)) == 4800
    finally:
        loop.call(faulty.aclose())
        loop.call(good.aclose())


async def _baud(url: str, port: int) -> Any:
    async with EdgeClient(url) as client:
        return (await client.get_port_properties(port)).to_payload()["BAUD_RATE"]


def test_wrong_serial_and_unreachable_units_fail_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], loop: LoopThread, fleet: SimHost, tmp_path: Path
) -> None:
    """An unexpected serial number and a THREAD that does not answer each fail their own unit."""
    units = [{"name": "wrong", "address": fleet.urls[0], "serial": "ZZZ999"},
             {"name": "absent", "address": "127.0.0.1:1"}]  # fmt: skip
    targets = manifest(tmp_path, units)
    code, out, err = commission(
        capsys, "--profile", MIXED, "--targets", str(targets), "--no-cloud", "--no-report",
        "--timeout", "1", "--json",
    )  # fmt: skip
    assert code == ExitCode.COMMISSION_FAILED, err
    summary = {u["name"]: u for u in json.loads(out)["units"]}
    assert (
        summary["wrong"]["status"] == "FAILED"
        and "nothing was written" in summary["wrong"]["reason"]
    )
    assert summary["wrong"]["serial"] == fleet.servers[0].serial_number
    assert summary["absent"]["status"] == "FAILED" and summary["absent"]["run_id"] is None
    assert CommissioningJournal().count_runs() == 0


def test_bad_manifest_and_bad_profile_exit_2_with_every_problem(
    capsys: pytest.CaptureFixture[str], loop: LoopThread, tmp_path: Path
) -> None:
    """Usage errors name the line and key of the manifest, and every problem of the profile."""
    targets = tmp_path / "site.toml"
    targets.write_text(
        '[site]\nsite = "x"\n\n[[units]]\naddress = "127.0.0.1:8080"\n\n'
        '[[units]]\nadress = "127.0.0.1:8081"\n\n[[units]]\naddress = "127.0.0.1:8080"\n'
    )
    code, _, err = commission(capsys, "--profile", MIXED, "--targets", str(targets))
    assert code == 2
    assert "line 8: units[1].adress: unknown key; did you mean 'address'?" in err
    assert "line 11: units[2].address: 'http://127.0.0.1:8080' is already units[0]" in err
    targets.write_text("[[units]]\naddress = 'http://x'\nname = = 'oops'\n")
    code, _, err = commission(capsys, "--profile", MIXED, "--targets", str(targets))
    assert code == 2 and "not valid TOML" in err and "line 3" in err

    profile = tmp_path / "bad.toml"
    profile.write_text(
        Path(MIXED).read_text().replace("voltage = 12\ndevice_connection = true\nsensor = \"lt-420\"",
                                        "voltage = 15\ndevice_connection = true\nsensor = \"lt-420\"")
        .replace('interface_priority = "cellular"', 'interface_priority = "wifi"')
    )  # fmt: skip
    code, out, err = commission(
        capsys, "--profile", str(profile), "--targets", str(targets), "--json"
    )
    assert code == 2
    problems = json.loads(out)["problems"]
    assert len(problems) >= 2
    assert any("interface_priority" in p for p in problems) and any(
        "voltage" in p for p in problems
    )
    code, _, err = commission(capsys, "--profile", MIXED, "--targets", str(targets),
                              "--site-field", "colour=red")  # fmt: skip
    assert code == 2 and "--site-field" in err


def test_offline_cloud_queues_registrations_delivered_once_later(
    capsys: pytest.CaptureFixture[str],
    qapp: Any,
    loop: LoopThread,
    fleet: SimHost,
    cloud: CloudSim,
    tmp_path: Path,
) -> None:
    """Cloud offline: every unit passes with its registration queued; once the cloud is back,
    one flush delivers one node per THREAD, and a second flush sends nothing again."""
    loop.call(cloud.go_offline())
    targets = manifest(tmp_path, [{"address": url} for url in fleet.urls])
    code, out, err = commission(
        capsys, "--profile", MIXED, "--targets", str(targets), "--parallel", "3",
        "--sim-cloud-url", cloud.url, "--report-dir", str(tmp_path / "r"), "--json", *QUICK,
    )  # fmt: skip
    assert code == 0, out + err
    summary = json.loads(out)
    assert [u["cloud"]["status"] for u in summary["units"]] == ["queued"] * 3
    assert any("could not be reached" in n for n in summary["notes"])
    loop.call(cloud.come_back())
    assert loop.call(_counts(cloud))["nodes"] == 0
    assert main(["cloud", "--sim-url", cloud.url, "queue", "flush"]) == 0
    assert main(["cloud", "--sim-url", cloud.url, "queue", "flush"]) == 0
    out, _ = capsys.readouterr()
    assert "Nothing is queued" in out
    counts = loop.call(_counts(cloud))
    assert counts["nodes"] == 3 and counts["devices"] == 9


FAST = RunOptions(data=DataWaitOptions(timeout_s=3.0), settle_s=0.05)
SITE = SiteFields(site="Bridge 7", technician="A. Installer")


async def _partial_run(url: str, writes: int) -> tuple[int, Any]:
    """A run stopped after ``writes`` writes, as a crash would leave it; returns (run, before)."""
    journal = CommissioningJournal()
    async with EdgeClient(url, timeout_s=2.0) as client:
        before = await read_snapshot(client)
        session = CommissioningSession(client, journal, options=FAST)
        await session.connect()
        await session.take_snapshot()
        await session.plan(load_profile(MIXED), SITE)
        session.actions = session.actions[:writes]
        assert (await session.apply()).ok
    journal.close()
    assert session.run_id is not None
    return session.run_id, before


async def _settings(url: str) -> Any:
    async with EdgeClient(url, timeout_s=2.0) as client:
        snap = await read_snapshot(client)
    ports = [(p.port, p.device_connection, p.properties, p.voltage) for p in snap.ports]
    return ports, snap.battery_saver, snap.interface_priority, snap.cloud_connection


def test_resume_finishes_an_interrupted_run_and_rollback_undoes_it(
    capsys: pytest.CaptureFixture[str], qapp: Any, loop: LoopThread, fleet: SimHost, tmp_path: Path
) -> None:
    """--resume continues a run stopped mid-apply to PASSED (with its report); --rollback of
    that ended run puts the THREAD back as it was, proven by reading it back."""
    url = fleet.urls[0]
    original = loop.call(_settings(url))
    run_id, _ = loop.call(_partial_run(url, 3))
    assert CommissioningJournal().run(run_id).status is RunStatus.IN_PROGRESS
    reports = tmp_path / "reports"
    code, out, err = commission(
        capsys,
        "--resume",
        str(run_id),
        "--no-cloud",
        "--report-dir",
        str(reports),
        "--json",
        *QUICK,
    )
    assert code == 0, out + err
    unit = json.loads(out)["units"][0]
    assert unit["status"] == "PASSED" and unit["run_id"] == run_id
    assert Path(unit["report"]["pdf"]).exists()
    assert CommissioningJournal().run(run_id).status is RunStatus.PASSED
    assert loop.call(_settings(url)) != original

    code, out, err = commission(capsys, "--rollback", str(run_id), "--report-dir", str(reports))
    assert code == 0, out + err
    assert "is back to its snapshot" in out and "PASS" in out
    assert loop.call(_settings(url)) == original
    stored = CommissioningJournal().run(run_id)
    assert stored.status is RunStatus.ROLLED_BACK and stored.record is not None
    assert any(c.key.startswith("rollback.") for c in stored.record.checks)

    code, _, err = commission(capsys, "--resume", str(run_id), "--no-cloud")
    assert code == 2 and "has ended" in err


def test_rollback_of_an_unfinished_run(
    capsys: pytest.CaptureFixture[str], loop: LoopThread, fleet: SimHost
) -> None:
    """A run stopped mid-apply is rolled back from the journal alone; --json lists the proof."""
    url = fleet.urls[1]
    original = loop.call(_settings(url))
    run_id, _ = loop.call(_partial_run(url, 5))
    code, out, err = commission(capsys, "--rollback", str(run_id), "--no-report", "--json")
    assert code == 0, out + err
    data = json.loads(out)
    assert data["ok"] is True and data["status"] == "rolled back" and data["checks"]
    assert all(c["status"] == "pass" for c in data["checks"])
    assert loop.call(_settings(url)) == original
    assert commission(capsys, "--rollback", "9999")[0] == 2


def test_progress_lines_only_on_stage_changes_and_table_fits_the_terminal() -> None:
    """Logs get one line per stage change; the live table never outgrows the terminal."""
    units = [Unit(i, f"u{i}", f"http://127.0.0.1:{8000 + i}", None, SITE) for i in range(50)]
    log = io.StringIO()
    progress = FleetProgress(units, log, live=False)
    for done in range(100):
        progress.event(units[0], RunEvent(Stage.APPLY, f"write {done}", done, 100))
    progress.event(units[0], RunEvent(Stage.VERIFY, "Reading back"))
    progress.finished(units[0], "PASSED", "37/37 checks")
    assert log.getvalue().count("\n") == 3
    table = FleetProgress(units, io.StringIO(), live=True)
    for unit in units[:10]:
        table.event(unit, RunEvent(Stage.VERIFY, "Listening to the sensors " * 10, 1, 3))
    lines = table.render((80, 24))
    assert len(lines) <= 24 and all(len(line) < 80 for line in lines)
    assert "u9" in "\n".join(lines) and "10 running, 40 waiting" in lines[-1]


def test_manifest_site_fields_precedence_and_addresses(tmp_path: Path) -> None:
    """A unit's own field beats --site-field, which beats [site]; addresses are normalised."""
    from commissioner.cli.commission_manifest import load_manifest, parse_site_fields

    targets = tmp_path / "site.toml"
    targets.write_text(
        '[site]\nsite = "Bridge 7"\nlocation = "Deck"\ntechnician = "A"\n\n'
        '[[units]]\naddress = "127.0.0.1:8081"\n\n'
        '[[units]]\naddress = "http://127.0.0.1:8082/"\nname = "pier"\nserial = "00d817"\n'
        'technician = "C"\n'
    )
    found = load_manifest(targets, parse_site_fields(["technician=B", "notes = wet"]))
    first, second = found.units
    assert first.address == "http://127.0.0.1:8081" and first.name == "127.0.0.1:8081"
    assert first.site == SiteFields("Bridge 7", "Deck", "B", "wet")
    assert second.address == "http://127.0.0.1:8082" and second.name == "pier"
    assert second.site.technician == "C" and second.serial == "00D817"
