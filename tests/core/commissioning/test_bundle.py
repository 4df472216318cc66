"""Support bundle: redaction of planted secrets everywhere, manifest hashes, skipped parts, caps,
and a diagnostics snapshot read from the simulated THREAD (also when it has stopped)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from commissioner.core.commissioning import bundle
from commissioner.core.commissioning.bundle import (
    BundleSources,
    read_diagnostics,
    write_support_bundle,
)
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.redact import (
    REDACTED,
    Redactor,
    redact_mapping,
    redact_text,
)
from commissioner.core.commissioning.run_model import EventKind, SiteFields, Stage, ThreadIdentity
from commissioner.core.edge.client import EdgeClient
from commissioner.sim.server import ThreadServer

CLIENT_SECRET = "cs-PLANTED-7f3a9c2e41d8b6"
BEARER = "bt-PLANTED-Zm9vYmFyYmF6cXV4"
REFRESH = "rt-PLANTED-0123456789abcdef"
MEMORY_ONLY = "mem-PLANTED-k9x8y7"  # appears without a key name: only extra_secrets can find it
SECRETS = (CLIENT_SECRET, BEARER, REFRESH, MEMORY_ONLY)


def _planted_run(journal: CommissioningJournal) -> int:
    run_id = journal.start_run(
        ThreadIdentity("A1B2C3", "http://127.0.0.1:1"), SiteFields(technician="Ana")
    )
    journal.record(
        run_id,
        Stage.REGISTER,
        EventKind.CLOUD,
        "cloud.register",
        "Registered",
        before={"refresh_token": REFRESH},
        result="failed",
        detail=f"POST /token client_secret={CLIENT_SECRET} -> Authorization: Bearer {BEARER}",
    )
    journal.record(run_id, Stage.REGISTER, EventKind.NOTE, detail=f"session {MEMORY_ONLY}")
    return run_id


def _sources(tmp_path: Path, journal: CommissioningJournal, run_id: int) -> BundleSources:
    logs = tmp_path / "logs"
    logs.mkdir()
    app_log = logs / "commissioner.log"
    app_log.write_text(
        "2024-05-01 INFO httpx: HTTP Request: POST https://ims/token "
        f'{{"grant_type": "refresh_token", "refresh_token": "{REFRESH}"}}\n'
        f"2024-05-01 DEBUG x: headers {{'Authorization': 'Bearer {BEARER}'}}\n"
        "2024-05-01 INFO commissioner: all good\n",
        encoding="utf-8",
    )
    (logs / "commissioner.log.1").write_text(f"old: client_secret={CLIENT_SECRET}\n")
    activity = tmp_path / "activity.json"
    activity.write_text(json.dumps([{"request": f"?token={BEARER}", "outcome": "OK"}]))
    text_capture = tmp_path / "probe.log"
    text_capture.write_text(
        f"2024-05-01T09:30:00.125Z\tTX\t{MEMORY_ONLY.encode().hex()}\n"
        f"2024-05-01T09:30:00.200Z\tRX\tpassword: {MEMORY_ONLY}\n"
    )
    binary_capture = tmp_path / "probe.bin"
    binary_capture.write_bytes(b"\x00\x01\xff" + MEMORY_ONLY.encode() + b"\x00tail")
    settings = {
        "theme": "dark",
        "cloud_profiles": {
            "Lab": {"token_url": "https://ims/token", "clientSecret": CLIENT_SECRET}
        },
    }
    return BundleSources(
        journal=journal,
        run_ids=[run_id],
        diagnostics={"serial": "A1B2C3", "ports": {"1": {"note": f"Bearer {BEARER}"}}},
        app_log=app_log,
        activity_log=activity,
        captures=[text_capture, binary_capture],
        settings=settings,
        extra_secrets=[MEMORY_ONLY],
    )


def test_redact_text_removes_tokens_pairs_jwts_and_literals() -> None:
    """Each shape a secret takes in logs is replaced; ordinary prose is left alone."""
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    text = (
        f"Authorization: Bearer {BEARER}\n/callback?code=abc123&state=s1\n"
        f'{{"client_secret": "{CLIENT_SECRET}"}} {jwt} refresh_token={REFRESH} {MEMORY_ONLY}'
    )
    out = redact_text(text, [MEMORY_ONLY])
    for secret in (*SECRETS, jwt, "abc123"):
        assert secret not in out
    assert "state=s1" in out and f'"client_secret": "{REDACTED}"' in out
    prose = "Integrations need a Bearer token; error code: invalid_grant; token_url=https://x/t"
    assert redact_text(prose) == prose


def test_redact_mapping_replaces_secret_keys_deeply_without_touching_the_original() -> None:
    """Secret keys (any case, camelCase, dashes) lose their values; other strings are scrubbed."""
    data = {
        "profile": {"clientSecret": CLIENT_SECRET, "token_url": "https://ims/token"},
        "headers": [{"X-Api-Key": "k-123456"}, {"Cookie": "a=1"}],
        "detail": f"refresh_token={REFRESH}",
        "code": None,
    }
    redactor = Redactor()
    out = redactor.mapping(data)
    assert out["profile"] == {"clientSecret": REDACTED, "token_url": "https://ims/token"}
    assert out["headers"] == [{"X-Api-Key": REDACTED}, {"Cookie": REDACTED}]
    assert out["detail"] == f"refresh_token={REDACTED}" and out["code"] is None
    assert redactor.count == 4
    assert data["profile"]["clientSecret"] == CLIENT_SECRET  # type: ignore[index]
    assert redact_mapping({"password": "x"}) == {"password": REDACTED}


def test_bundle_contains_everything_and_no_planted_secret(
    tmp_path: Path, journal: CommissioningJournal
) -> None:
    """Logs (with the rotated one), activity, captures, settings, journal and diagnostics are in
    the zip, and not one member's bytes contain a planted secret (in text, hex or binary)."""
    run_id = _planted_run(journal)
    progress: list[tuple[int, int, str]] = []
    result = write_support_bundle(
        _sources(tmp_path, journal, run_id),
        tmp_path / "out" / "bundle.zip",
        on_progress=lambda i, n, label: progress.append((i, n, label)),
    )
    with zipfile.ZipFile(result.path) as archive:
        names = set(archive.namelist())
        members = {name: archive.read(name) for name in names}
    assert names == {
        "README.txt",
        "manifest.json",
        "diagnostics.json",
        "journal/runs.json",
        "journal/events.csv",
        "logs/app.log",
        "logs/app.log.1",
        "logs/activity.json",
        "captures/probe.log",
        "captures/probe.bin",
        "settings.json",
    }
    assert set(result.files) == names
    for name, data in members.items():
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} leaked in {name}"
        assert MEMORY_ONLY.encode().hex().encode() not in data, name
    assert result.redactions >= 9
    assert b"all good" in members["logs/app.log"]
    assert members["captures/probe.bin"].startswith(b"\x00\x01\xff[redacted]\x00tail")
    settings = json.loads(members["settings.json"])
    assert settings["cloud_profiles"]["Lab"] == {
        "token_url": "https://ims/token",
        "clientSecret": REDACTED,
    }
    runs = json.loads(members["journal/runs.json"])["runs"]
    assert runs[0]["run_id"] == run_id and runs[0]["events"][0]["before"] == {
        "refresh_token": REDACTED
    }
    rows = list(csv.DictReader(io.StringIO(members["journal/events.csv"].decode())))
    assert [r["kind"] for r in rows] == ["cloud", "note"]
    json.loads(members["logs/activity.json"])  # still valid JSON after redaction
    readme = members["README.txt"].decode()
    assert "redacted" in readme and bundle.__version__ in readme and "A1B2C3" in readme
    assert progress[-1][0] == progress[-1][1] and [p[0] for p in progress] == sorted(
        p[0] for p in progress
    )


def test_manifest_lists_every_file_with_matching_sha256_and_size(
    tmp_path: Path, journal: CommissioningJournal
) -> None:
    """Support staff can check each file against the manifest."""
    result = write_support_bundle(
        _sources(tmp_path, journal, _planted_run(journal)), tmp_path / "b.zip"
    )
    with zipfile.ZipFile(result.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        listed = {entry["name"]: entry for entry in manifest["files"]}
        assert set(listed) == set(archive.namelist()) - {"manifest.json"}
        for name, entry in listed.items():
            data = archive.read(name)
            assert entry["size"] == len(data)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_missing_parts_are_reported_as_skipped_not_raised(
    tmp_path: Path, journal: CommissioningJournal
) -> None:
    """A missing log, activity log or capture, an unknown run and absent parts are listed."""
    sources = BundleSources(
        journal=journal,
        run_ids=[42],
        diagnostics=None,
        app_log=tmp_path / "nope.log",
        activity_log=tmp_path / "activity.csv",
        captures=[tmp_path / "gone.log"],
    )
    result = write_support_bundle(sources, tmp_path / "b.zip")
    skipped = "\n".join(result.skipped)
    for fragment in ("nope.log: not found", "activity.csv: not found", "gone.log: not found"):
        assert fragment in skipped
    assert "journal run 42" in skipped and "diagnostics: not provided" in skipped
    assert "settings: not provided" in skipped
    with zipfile.ZipFile(result.path) as archive:
        assert "logs/app.log" not in archive.namelist()
        readme = archive.read("README.txt").decode()
        assert json.loads(archive.read("journal/runs.json"))["runs"] == []
    assert "Not included:" in readme and "nope.log: not found" in readme


def test_a_large_log_is_capped_at_its_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the newest part of an oversized log goes in, from a whole line, and the README says so."""
    monkeypatch.setattr(bundle, "LOG_CAP_BYTES", 1000)
    log = tmp_path / "app.log"
    log.write_text("".join(f"line {i:05d}\n" for i in range(1000)))
    sources = BundleSources(None, [], None, app_log=log, activity_log=None)
    result = write_support_bundle(sources, tmp_path / "b.zip")
    with zipfile.ZipFile(result.path) as archive:
        text = archive.read("logs/app.log").decode()
        readme = archive.read("README.txt").decode()
    assert text.endswith("line 00999\n") and text.startswith("line ")
    assert "line 00000" not in text and len(text) <= 1000
    assert result.truncated and "Truncated:" in readme and "logs/app.log" in readme


async def test_read_diagnostics_reads_the_simulated_thread(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Serial, versions, clock, power, environment, settings and ports 1-3, without errors."""
    diagnostics = await read_diagnostics(client)
    assert diagnostics["serial"] == thread.serial_number
    assert set(diagnostics["ports"]) == {"1", "2", "3"}
    for port in diagnostics["ports"].values():
        assert set(port) == {"properties", "device_connection", "measurement"}
        assert "error" not in port["measurement"]
    for key in ("versions", "time", "battery_saver", "interface_priority", "pressure"):
        assert "error" not in diagnostics[key], key
    assert "offset_s" in diagnostics["time"]
    assert set(diagnostics["power"]) == set(bundle._POWER)
    json.dumps(diagnostics)


async def test_read_diagnostics_survives_a_stopped_thread(
    client: EdgeClient, thread: ThreadServer
) -> None:
    """Each read that fails is recorded as an error in its place; nothing raises."""
    await thread.aclose()
    diagnostics = await read_diagnostics(client)
    assert "error" in diagnostics["serial"] and "error" in diagnostics["versions"]
    assert all("error" in v for v in diagnostics["power"].values())
    assert all("error" in p["properties"] for p in diagnostics["ports"].values())
    assert set(diagnostics["ports"]) == {"1", "2", "3"}
