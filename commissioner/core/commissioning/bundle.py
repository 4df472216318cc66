"""The support bundle: one zip with everything support staff need, and no secret in it.

Why one zip: support staff get a single file by e-mail instead of a conversation. Everything
text-like goes through one :class:`~commissioner.core.commissioning.redact.Redactor` (so the
README can say how many secrets were removed), files are streamed (a log is never loaded whole;
each is capped at its last 20 MB), and anything that cannot be read is listed in ``skipped`` with
the reason instead of failing the bundle: an installer asks for a bundle exactly when things are
broken. The zip is written beside the target and renamed into place at the end.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from commissioner import __version__
from commissioner.core.commissioning import audit_export
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.redact import (
    Redactor,
    is_binary,
    redact_binary_stream,
    redact_text_stream,
)
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.models import InterfacePriority
from commissioner.core.edge.rules import PORTS
from commissioner.core.settings import data_dir

LOG_CAP_BYTES = 20 * 1024 * 1024
Progress = Callable[[int, int, str], None]
_POWER = ("charge_input_voltage", "charge_input_current", "battery_voltage", "state_of_charge")


def default_app_log_path() -> Path:
    """Where the app log is expected (``<data dir>/logs/commissioner.log``, rotated ``.1`` ...)."""
    return data_dir() / "logs" / "commissioner.log"


@dataclass(frozen=True)
class BundleSources:
    """What goes into a bundle; every part is optional (a missing part is listed as skipped)."""

    journal: CommissioningJournal | None
    run_ids: Sequence[int]
    diagnostics: dict[str, Any] | None
    app_log: Path | None
    activity_log: Path | None
    captures: Sequence[Path] = ()
    settings: dict[str, Any] | None = None
    extra_secrets: Sequence[str] = ()


@dataclass(frozen=True)
class BundleResult:
    path: Path
    files: list[str]
    redactions: int
    skipped: list[str]
    truncated: list[str] = field(default_factory=list)


class _Writer:
    """Adds members to the zip, hashing each as it streams, and keeps the notes for the README."""

    def __init__(self, archive: zipfile.ZipFile, sources: BundleSources) -> None:
        self.zip = archive
        self.redactor = Redactor(sources.extra_secrets)
        literals = [
            *sources.extra_secrets,
            *(s.encode("utf-8").hex() for s in sources.extra_secrets),
        ]
        self.capture_redactor = Redactor(literals)  # captures log TX/RX bytes as hex
        self.manifest: list[dict[str, Any]] = []
        self.skipped: list[str] = []
        self.truncated: list[str] = []

    @property
    def redactions(self) -> int:
        return self.redactor.count + self.capture_redactor.count

    def member(self, name: str, chunks: Iterator[bytes]) -> None:
        digest, size = hashlib.sha256(), 0
        with self.zip.open(name, "w", force_zip64=True) as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.manifest.append({"name": name, "size": size, "sha256": digest.hexdigest()})

    def text(self, name: str, text: str) -> None:
        self.member(name, iter([text.encode("utf-8")]))

    def json(self, name: str, data: Any) -> None:
        self.text(name, json.dumps(self.redactor.mapping(data), indent=2, default=str) + "\n")

    def file(self, name: str, path: Path, *, capture: bool = False) -> None:
        """Stream a file in, redacted; the last :data:`LOG_CAP_BYTES` only; binary stays binary."""
        redactor = self.capture_redactor if capture else self.redactor
        try:
            handle = path.open("rb")
        except OSError as exc:
            self.skipped.append(f"{path}: {exc.strerror or exc}")
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if size > LOG_CAP_BYTES:
                handle.seek(size - LOG_CAP_BYTES)
                self.truncated.append(f"{name}: last {LOG_CAP_BYTES // 2**20} MB of {size} bytes")
            binary = is_binary(handle)
            if binary:
                self.member(name, redact_binary_stream(handle, redactor))
            else:
                if size > LOG_CAP_BYTES:
                    handle.readline()  # drop the partial first line
                self.member(name, redact_text_stream(handle, redactor))


def _log_files(path: Path) -> list[Path]:
    """The log and its rotated siblings (``name.1``, ``name.2`` ... or dated), newest first."""

    def order(p: Path) -> tuple[int, str]:
        suffix = p.name[len(path.name) + 1 :]
        return (int(suffix), "") if suffix.isdigit() else (10**9, suffix)

    siblings = [p for p in path.parent.glob(glob.escape(path.name) + ".*") if p.is_file()]
    return [path, *sorted(siblings, key=order)]


def write_support_bundle(
    sources: BundleSources, path: Path, *, on_progress: Progress | None = None
) -> BundleResult:
    """Write the zip at ``path`` (replacing it); see the module docstring for what goes in."""
    no_thread = "diagnostics: not provided (no THREAD connected)"
    steps: list[tuple[str, Callable[[_Writer], None]]] = [
        ("Diagnostics", partial(_add_json, "diagnostics.json", sources.diagnostics, no_thread)),
        ("Journal", partial(_add_journal, sources=sources)),
        ("App log", partial(_add_log, path=sources.app_log)),
    ]
    if sources.activity_log is None:
        steps.append(("Activity log", partial(_add_json, "", None, "activity log: not provided")))
    else:
        name = f"logs/activity{sources.activity_log.suffix or '.txt'}"
        steps.append(("Activity log", partial(_add_file, path=sources.activity_log, name=name)))
    used: set[str] = set()
    for capture in sources.captures:
        name = _unique(f"captures/{capture.name}", used)
        step = partial(_add_file, path=capture, name=name, capture=True)
        steps.append((f"Capture {capture.name}", step))
    no_settings = "settings: not provided"
    steps.append(("Settings", partial(_add_json, "settings.json", sources.settings, no_settings)))
    total = len(steps) + 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive, sources)
            for index, (label, step_fn) in enumerate(steps):
                if on_progress:
                    on_progress(index, total, label)
                step_fn(writer)
            if on_progress:
                on_progress(len(steps), total, "README and manifest")
            writer.text("README.txt", _readme(writer, sources))
            manifest = {"created_at": audit_export.iso_utc(_now()), "files": writer.manifest}
            writer.text("manifest.json", json.dumps(manifest, indent=2) + "\n")
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if on_progress:
        on_progress(total, total, "Done")
    files = [m["name"] for m in writer.manifest] + ["manifest.json"]
    return BundleResult(path, files, writer.redactions, writer.skipped, writer.truncated)


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _unique(name: str, used: set[str]) -> str:
    """``captures/x.log`` again (same name from another folder) -> ``captures/x-2.log``."""
    first, n = Path(name), 1
    while name in used:
        n += 1
        name = f"{first.parent}/{first.stem}-{n}{first.suffix}"
    used.add(name)
    return name


def _add_json(name: str, data: dict[str, Any] | None, missing: str, w: _Writer) -> None:
    if data is None:
        w.skipped.append(missing)
    else:
        w.json(name, data)


def _add_journal(w: _Writer, *, sources: BundleSources) -> None:
    if sources.journal is None:
        w.skipped.append("journal: not provided")
        return
    runs: list[dict[str, Any]] = []
    for run_id in sources.run_ids:
        try:
            runs.append(audit_export.run_document(sources.journal, run_id))
        except Exception as exc:  # a missing or unreadable run must not lose the others
            w.skipped.append(f"journal run {run_id}: {exc}")
    document = {"exported_at": audit_export.iso_utc(_now()), "runs": runs}
    redacted = w.redactor.mapping(document)
    w.text("journal/runs.json", audit_export.json_text(redacted))
    rows = audit_export.rows_from_document(redacted)
    w.text("journal/events.csv", audit_export.csv_text(rows))


def _add_log(w: _Writer, *, path: Path | None) -> None:
    """The app log and its rotated siblings as ``logs/app.log``, ``logs/app.log.1`` ..."""
    if path is None:
        w.skipped.append("app log: not provided")
        return
    files = _log_files(path)
    if not path.is_file():
        w.skipped.append(f"app log {path}: not found")
        files = files[1:]
    for log_file in files:
        w.file(f"logs/app.log{log_file.name[len(path.name) :]}", log_file)


def _add_file(w: _Writer, *, path: Path, name: str, capture: bool = False) -> None:
    if not path.is_file():
        w.skipped.append(f"{'capture' if capture else 'activity log'} {path}: not found")
    else:
        w.file(name, path, capture=capture)


def _readme(w: _Writer, sources: BundleSources) -> str:
    serial = (sources.diagnostics or {}).get("serial")
    lines = [
        "THREAD Commissioner support bundle",
        "",
        f"Created: {audit_export.iso_utc(_now())} (UTC)",
        f"App version: {__version__}",
        f"THREAD: {serial if isinstance(serial, str) else 'serial number not read'}",
        f"Commissioning runs: {', '.join(map(str, sources.run_ids)) or 'none'}",
        "",
        f"Secrets redacted: {w.redactions} value(s) replaced by [redacted] (tokens, client",
        "secrets, API keys, passwords, authorization headers, sign-in codes).",
        "",
        "Contents:",
        "  diagnostics.json    every reading and setting of the THREAD at bundle time",
        "  journal/runs.json   the runs: snapshot, record (evidence) and every event",
        "  journal/events.csv  the same events, one row each",
        "  logs/               the app log (with rotated files) and the activity log",
        "  captures/           console captures",
        "  settings.json       the app settings",
        "  manifest.json       every file with its size and SHA-256",
        "",
        "Files in this bundle:",
        *(f"  {m['name']} ({m['size']} bytes)" for m in w.manifest),
        "",
        f"Logs and captures are capped at their last {LOG_CAP_BYTES // 2**20} MB each.",
    ]
    if w.truncated:
        lines += ["Truncated:", *(f"  {t}" for t in w.truncated)]
    if w.skipped:
        lines += ["", "Not included:", *(f"  {s}" for s in w.skipped)]
    return "\n".join(lines) + "\n"


# -- diagnostics ----------------------------------------------------------------------------------


async def read_diagnostics(client: EdgeClient) -> dict[str, Any]:
    """Every reading and setting of a THREAD, each read on its own: a failure is recorded as
    ``{"error": "..."}`` in its place, so a half-working THREAD still gives a useful snapshot."""
    gate = asyncio.Semaphore(8)  # gentle with a real THREAD, still one round-trip in the sim

    async def item(read: Callable[[], Awaitable[Any]]) -> Any:
        try:
            async with gate:
                return _plain(await read())
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}

    reads: dict[str, Callable[[], Awaitable[Any]]] = {
        "serial": client.serial_number,
        "versions": client.versions,
        "time": client.get_time,
        "time_accurate": client.time_accurate,
        "charge_input_voltage": client.charge_input_voltage,
        "charge_input_current": client.charge_input_current,
        "battery_voltage": client.battery_voltage,
        "state_of_charge": client.state_of_charge,
        "temperature": client.temperature,
        "pressure": client.pressure,
        "battery_saver": client.get_battery_saver,
        "cloud_connection": client.get_cloud_connection,
        "interface_priority": client.get_interface_priority,
    }
    for port in PORTS:
        reads[f"{port}.properties"] = partial(client.get_port_properties, port)
        reads[f"{port}.device_connection"] = partial(client.get_device_connection, port)
        reads[f"{port}.measurement"] = partial(client.port_measurement, port)
    values = dict(zip(reads, await asyncio.gather(*map(item, reads.values())), strict=True))
    ports: dict[str, dict[str, Any]] = {str(p): {} for p in PORTS}
    for key in [k for k in values if k[0].isdigit()]:
        port_name, _, what = key.partition(".")
        ports[port_name][what] = values.pop(key)
    power = {k: values.pop(k) for k in _POWER}
    when = audit_export.iso_utc(_now())
    return {"read_at": when, "base_url": client.base_url, **values, "power": power, "ports": ports}


def _plain(value: Any) -> Any:
    """An Edge model as JSON-ready data (they carry ``as_json``, ``to_payload`` or neither)."""
    if hasattr(value, "as_json"):
        return value.as_json()
    if hasattr(value, "to_payload"):
        return value.to_payload()
    if isinstance(value, InterfacePriority):
        return {"interface": value.interface.value, "route": value.route}
    return value
