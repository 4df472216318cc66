"""``commissioner cloud``: every core operation in-process against a cloud simulator on loopback.

``main()`` runs its own ``asyncio.run``, so the simulator runs on its own event loop in a
background thread; the tests call ``main([...])`` like a user would, and read stdout/stderr.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import signal
import sys
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from commissioner.cli import main
from commissioner.core.cloud.port_mapping import default_draft
from commissioner.core.cloud.profiles import SIM_API_KEY, SIM_SERVICE_CLIENT_SECRET
from commissioner.core.cloud.registration import Location, save_spec
from commissioner.core.sensor_catalogue import load_catalogue
from commissioner.sim.cloud.server import CloudSim


class SimThread:
    """A CloudSim served by an event loop in a daemon thread, driven from the test thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sim = CloudSim(seed=1)
        self.call(self.sim.start())
        self.url = self.sim.url

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def counts(self) -> dict[str, int]:
        async def read() -> dict[str, int]:
            return self.sim.counts()

        result: dict[str, int] = self.call(read())
        return result

    def issued_tokens(self) -> set[str]:
        """Every access and refresh token the simulator handed out (to look for leaks)."""
        ims: Any = self.sim.ims
        return set(ims._tokens) | set(ims._refresh)

    def close(self) -> None:
        self.call(self.sim.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SimThread]:
    """A running cloud simulator, and fresh settings/data folders for this test."""
    monkeypatch.setenv("COMMISSIONER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COMMISSIONER_DATA_DIR", str(tmp_path / "data"))
    server = SimThread()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    draft = default_draft("ABC123", load_catalogue(), {1: "RS232", 2: "RS485", 3: "ANALOG"})
    draft.location = Location(174.78, -41.28, 20)
    path = tmp_path / "abc123.json"
    save_spec(draft.to_spec(), path)
    return path


def cloud(capsys: pytest.CaptureFixture[str], sim: SimThread, *args: str) -> tuple[int, str, str]:
    code = main(["cloud", "--sim-url", sim.url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def cloud_json(capsys: pytest.CaptureFixture[str], sim: SimThread, *args: str) -> Any:
    code, out, err = cloud(capsys, sim, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def test_templates_text_json_and_offline_cache(
    capsys: pytest.CaptureFixture[str], sim: SimThread
) -> None:
    code, out, err = cloud(capsys, sim, "templates")
    assert code == 0, err
    assert "fetched from the cloud now" in out
    assert re.search(r"GENERIC_SENSOR_SDE\s+\S+", out) and "IMPORT_DEVICE_SDE" in out
    data = cloud_json(capsys, sim, "templates", "--kind", "sensors", "--offline")
    assert data["source"] == "cache" and data["age_s"] is not None
    assert "GENERIC_SENSOR_SDE" in {t["id"] for t in data["sensorTypes"]}
    assert "deviceTypes" not in data


def test_preview_reports_problems_with_exit_2(
    capsys: pytest.CaptureFixture[str], sim: SimThread, spec_file: Path, tmp_path: Path
) -> None:
    code, out, _ = cloud(capsys, sim, "preview", str(spec_file))
    assert code == 0 and "POST " in out and '"changeState": "new"' in out
    broken = json.loads(spec_file.read_text())
    broken["devices"][0]["integration_id"] = ""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    code, out, _ = cloud(capsys, sim, "preview", str(bad))
    assert code == 2
    assert "integration.devices[0].props.INTEGRATION_ID" in out
    code, out, _ = cloud(capsys, sim, "--json", "preview", str(bad))
    assert code == 2 and json.loads(out)["problems"]
    code, _, err = cloud(capsys, sim, "preview", str(tmp_path / "missing.json"))
    assert code == 2 and err.startswith("error: ") and "cannot be read" in err


def test_register_verify_upload_status_and_repeat(
    capsys: pytest.CaptureFixture[str], sim: SimThread, spec_file: Path, tmp_path: Path
) -> None:
    code, out, err = cloud(capsys, sim, "register", str(spec_file))
    assert code == 0, err
    assert "6 created" in out
    assert re.search(r"Port 1: device /api/[0-9A-F]{6}/node/dynamic/[0-9A-F]{6}/device", out)
    assert sim.counts()["devices"] == 3
    again = cloud_json(capsys, sim, "register", str(spec_file))
    assert again["status"] == "sent" and again["created"] == 0 and again["skipped"] == 6
    assert set(again["ports"]) == {"1", "2", "3"}
    assert sim.counts() | {"requests": 0, "observations": 0} == {
        "nodes": 1, "devices": 3, "sensors": 3, "requests": 0, "observations": 0,
    }  # fmt: skip
    code, out, _ = cloud(capsys, sim, "verify", "1")
    assert code == 0 and "everything is in the cloud as sent" in out
    node, sensor = again["node_id"], again["ports"]["1"]["sensors"][0]
    code, out, _ = cloud(capsys, sim, "status", node)
    assert code == 1 and "OFFLINE" in out
    csv = tmp_path / "readings.csv"
    csv.write_text(
        "time_utc,temp,rh,p\n"
        "2026-11-22T05:00:00.000Z,21.5,40,1013.2\n"
        "2026-11-22T05:01:00.000Z,21.6,41,1013.1\n"
    )
    maps = ["--map", "temp=Air_Temperature", "--map", "rh=Relative_Humidity"]
    report = cloud_json(capsys, sim, "upload", sensor, str(csv), *maps, "--map",
                        "p=Barometric_Pressure")  # fmt: skip
    assert report["accepted"] == 2 and report["rejected"] == 0 and report["problems"] == []
    code, out, _ = cloud(capsys, sim, "upload", sensor, str(csv), *maps)
    assert code == 2 and "0 of 2 observation(s) accepted, 2 rejected" in out
    assert "observations[0].values" in out
    status = cloud_json(capsys, sim, "status", node)
    assert status["accessible"] is True and status["last_comm"]
    nodes = cloud_json(capsys, sim, "nodes")
    assert [n["id"] for n in nodes["nodes"]] == [node]


def test_offline_register_is_queued_then_flushed_once(
    capsys: pytest.CaptureFixture[str], sim: SimThread, spec_file: Path
) -> None:
    sim.call(sim.sim.go_offline())
    code, out, _ = cloud(capsys, sim, "register", str(spec_file))
    assert code == 6 and "queued" in out
    queue = cloud_json(capsys, sim, "queue", "list")
    assert [r["status"] for r in queue["registrations"]] == ["pending"]
    code, out, _ = cloud(capsys, sim, "queue", "flush")
    assert code == 6 and "still queued" in out
    sim.call(sim.sim.come_back())
    code, out, err = cloud(capsys, sim, "queue", "flush")
    assert code == 0, err
    assert "Sent 1; 0 still queued" in out
    assert cloud_json(capsys, sim, "queue", "flush")["sent"] == 0
    assert sim.counts()["devices"] == 3 and sim.counts()["nodes"] == 1
    code, out, _ = cloud(capsys, sim, "queue", "list")
    assert code == 0 and "empty" in out


def test_queue_only_and_discard(
    capsys: pytest.CaptureFixture[str], sim: SimThread, spec_file: Path
) -> None:
    data = json.loads(cloud(capsys, sim, "--json", "register", str(spec_file), "--queue")[1])
    assert data["status"] == "pending"
    code, out, _ = cloud(capsys, sim, "queue")  # "list" is the default action
    assert code == 0 and re.search(rf"{data['registration_id']}\s+pending\s+ABC123", out)
    code, out, _ = cloud(capsys, sim, "queue", "discard", str(data["registration_id"]))
    assert code == 0 and "discarded" in out
    code, _, err = cloud(capsys, sim, "queue", "discard", str(data["registration_id"]))
    assert code == 2 and "discarded" in err
    assert sim.counts()["devices"] == 0
    listed = cloud_json(capsys, sim, "queue", "list", "--all")["registrations"]
    assert [r["status"] for r in listed] == ["discarded"]
    queued = json.loads(cloud(capsys, sim, "--json", "register", str(spec_file), "--queue")[1])
    retried = cloud_json(capsys, sim, "queue", "retry", str(queued["registration_id"]))
    assert retried["status"] == "sent" and retried["created"] == 6
    assert sim.counts()["devices"] == 3


def test_service_sign_in_from_stdin_and_no_secret_leaks(
    capsys: pytest.CaptureFixture[str],
    sim: SimThread,
    spec_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    seen = ""
    monkeypatch.setattr(sys, "stdin", io.StringIO(SIM_SERVICE_CLIENT_SECRET + "\n"))
    code, out, err = cloud(capsys, sim, "--method", "service", "--secret-stdin", "signin")
    assert code == 0, err
    assert "service-thread-commissioner" in out and "lasts only for this command" in out
    seen += out + err
    monkeypatch.setattr(sys, "stdin", io.StringIO(SIM_SERVICE_CLIENT_SECRET + "\n"))
    code, out, err = cloud(
        capsys, sim, "--method", "service", "--secret-stdin", "--json", "register", str(spec_file)
    )
    assert code == 0, err
    seen += out + err
    monkeypatch.setattr(sys, "stdin", io.StringIO(SIM_API_KEY + "\n"))
    code, out, err = cloud(capsys, sim, "--method", "api-key", "--secret-stdin", "nodes")
    assert code == 0, err
    seen += out + err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = cloud(capsys, sim, "--method", "service", "templates")
    assert code == 2 and "--secret-stdin" in err
    seen += out + err
    for verb in ("signin", "templates", "verify"):
        code, out, err = cloud(capsys, sim, "--json", verb, *(["1"] if verb == "verify" else []))
        seen += out + err
    secrets = {SIM_SERVICE_CLIENT_SECRET, SIM_API_KEY, *sim.issued_tokens()}
    assert len(secrets) > 3
    files = "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in (tmp_path / "config", tmp_path / "data")
        for p in p.rglob("*")
        if p.is_file()
    )
    assert "registrations.sqlite" in str(list((tmp_path / "data").rglob("*")))
    for secret in secrets:
        assert secret not in files
        assert secret not in seen


def test_bad_profile_exits_2(capsys: pytest.CaptureFixture[str], sim: SimThread) -> None:
    code = main(["cloud", "--profile", "No Such Cloud", "templates"])
    _, err = capsys.readouterr()
    assert code == 2 and "No cloud profile named 'No Such Cloud'" in err
    code = main(["cloud", "--profile", "iTwin IoT", "templates"])
    _, err = capsys.readouterr()
    assert code == 2 and "client id" in err
    code = main(["cloud", "--sim-url", "http://192.0.2.1:1", "templates"])
    _, err = capsys.readouterr()
    assert code == 2 and "loopback" in err


async def test_sim_command_runs_cloud_simulator_and_prints_its_url() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "commissioner", "sim", "--count", "0", "--cloud-port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    url = ""
    try:
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
            assert line, "simulator exited before printing its URL"
            match = re.search(r"Cloud simulator at (http://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
            if line.startswith("Control:"):
                break
        assert url
        async with httpx.AsyncClient(trust_env=False) as http:
            state = (await http.get(f"{url}/_sim/cloud/state")).json()
        assert state["nodes"] == 0
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "commissioner", "cloud", "--sim-url", url, "--json",
            "templates", "--kind", "devices",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(cli.communicate(), 30)
        assert cli.returncode == 0, err.decode()
        assert "IMPORT_DEVICE_SDE" in {t["id"] for t in json.loads(out)["deviceTypes"]}
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 15) == 0


def test_watch_prints_observations_as_they_arrive(
    capsys: pytest.CaptureFixture[str], sim: SimThread, spec_file: Path, tmp_path: Path
) -> None:
    sensor = cloud_json(capsys, sim, "register", str(spec_file))["ports"]["1"]["sensors"][0]
    result: list[int] = []
    watch_args = ["--json", "watch", sensor, "--metric", "Air_Temperature", "--count", "1",
                  "--timeout", "30"]  # fmt: skip
    watcher = threading.Thread(
        target=lambda: result.append(main(["cloud", "--sim-url", sim.url, *watch_args]))
    )
    watcher.start()
    csv = tmp_path / "one.csv"
    maps = ["--map", "t=Air_Temperature", "--map", "h=Relative_Humidity"]
    for minute in range(40):  # upload until the watcher (subscribing meanwhile) has seen one
        csv.write_text(f"time_utc,t,h,p\n2026-11-22T05:{minute:02d}:00.000Z,21.5,40,1013\n")
        assert main(["cloud", "--sim-url", sim.url, "upload", sensor, str(csv), *maps,
                     "--map", "p=Barometric_Pressure"]) == 0  # fmt: skip
        watcher.join(0.5)
        if not watcher.is_alive():
            break
    assert result == [0]
    out, _ = capsys.readouterr()
    pushed = [json.loads(line) for line in out.splitlines() if line.startswith('{"sensorId"')]
    assert pushed and pushed[0]["sensorId"] == sensor and pushed[0]["value"] == 21.5
    assert pushed[0]["unit"]


def test_user_sign_in_is_kept_in_the_keyring_between_commands(
    capsys: pytest.CaptureFixture[str], sim: SimThread
) -> None:
    import keyring

    from tests.core.cloud.conftest import MemoryKeyring

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        code, out, err = cloud(capsys, sim, "signin")
        assert code == 0, err
        assert "installer@example.com" in out and "system keyring" in out
        assert len(ring.passwords) == 1  # the refresh token, in the keyring only
        code, _, err = cloud(capsys, sim, "templates", "--refresh")
        assert code == 0, err
        authorize = [r for r in sim.sim.requests if r.path == "/connect/authorize"]
        assert len(authorize) == 1  # the second command signed in silently (refresh token)
        code, out, _ = cloud(capsys, sim, "signout")
        assert code == 0 and ring.passwords == {}
    finally:
        keyring.set_keyring(previous)


def test_saved_profile_from_settings_is_used(
    capsys: pytest.CaptureFixture[str], sim: SimThread
) -> None:
    from dataclasses import replace

    from commissioner.core.cloud.profiles import simulator_profile
    from commissioner.core.settings import Settings, SettingsStore

    bench = replace(simulator_profile(sim.url), name="Bench", builtin=False)
    SettingsStore().save(Settings(cloud_profiles={"Bench": bench.as_json()}, cloud_profile="Bench"))
    code = main(["cloud", "--json", "templates", "--kind", "metrics"])  # the settings' profile
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["profile"] == "Bench"
    code = main(["cloud", "--profile", "Bench", "--project", "nope", "nodes"])
    _, err = capsys.readouterr()
    assert code == 4 and err.startswith("error: ")  # unknown asset: 403 from the cloud
