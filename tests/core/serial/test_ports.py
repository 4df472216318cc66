"""Port listing and the watcher: typed descriptions, extra pseudo-terminal paths, plug events."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from serial.tools.list_ports_common import ListPortInfo

from commissioner.core.serial import PortChange, PortInfo, PortWatcher, list_ports
from tests.core.serial.conftest import PtyDevice


def _ftdi() -> ListPortInfo:
    info = ListPortInfo("/dev/ttyUSB0", skip_link_detection=True)
    info.vid, info.pid = 0x0403, 0x6001
    info.serial_number = "A10K3XYZ"
    info.manufacturer = "FTDI"
    info.product = "FT232R USB UART"
    info.location = "1-2:1.0"
    info.apply_usb_info()
    return info


def _plain() -> ListPortInfo:
    return ListPortInfo("/dev/ttyS0", skip_link_detection=True)  # description "n/a"


def test_list_ports_describes_usb_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyserial's port info becomes a typed PortInfo; its 'n/a' placeholders become empty."""
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: [_ftdi(), _plain()])
    plain, usb = list_ports()  # sorted by device
    assert usb == PortInfo(
        device="/dev/ttyUSB0",
        name="ttyUSB0",
        description="FT232R USB UART",
        hwid="USB VID:PID=0403:6001 SER=A10K3XYZ LOCATION=1-2:1.0",
        vid=0x0403,
        pid=0x6001,
        serial_number="A10K3XYZ",
        manufacturer="FTDI",
        product="FT232R USB UART",
        location="1-2:1.0",
    )
    assert usb.usb_id == "0403:6001"
    assert usb.label == "/dev/ttyUSB0 - FT232R USB UART (FTDI)"
    assert plain.description == "" and plain.hwid == "" and plain.usb_id == ""
    assert plain.label == "/dev/ttyS0"


def test_extra_paths_list_pseudo_terminals(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pty_device: PtyDevice
) -> None:
    """Extra paths that exist are listed (globs expanded, duplicates and dangling links not)."""
    monkeypatch.setattr("serial.tools.list_ports.comports", lambda: [_plain()])
    (tmp_path / "ttyGONE").symlink_to(tmp_path / "nothing")
    found = list_ports([str(pty_device.path), str(tmp_path / "tty*"), "/dev/ttyS0", ""])
    assert [p.device for p in found] == ["/dev/ttyS0", str(pty_device.path)]
    extra = found[1]
    assert extra.extra and not found[0].extra
    assert extra.description == f"pseudo-terminal {os.path.realpath(pty_device.path)}"


async def test_watcher_sees_extra_path_come_and_go(tmp_path: Path) -> None:
    """The watcher reports a pseudo-terminal link appearing and disappearing within a poll or two."""
    link = tmp_path / "ttyWATCH"
    watcher = PortWatcher(interval_s=0.05, extra_paths=[str(link)])
    changes: list[PortChange] = []
    changed = asyncio.Event()

    def on_change(change: PortChange) -> None:
        changes.append(change)
        changed.set()

    watcher.add_listener(on_change)
    watcher.start()
    try:
        async with asyncio.timeout(2.0):
            await changed.wait()  # the first scan: whatever the system has
            changed.clear()
            device = PtyDevice(link)
            await changed.wait()
            assert [p.device for p in changes[-1].added] == [str(link)]
            assert str(link) in [p.device for p in watcher.ports]
            changed.clear()
            device.unplug()
            await changed.wait()
            assert [p.device for p in changes[-1].removed] == [str(link)]
            assert str(link) not in [p.device for p in watcher.ports]
    finally:
        await watcher.aclose()


async def test_watcher_first_scan_adds_everything_then_only_changes() -> None:
    """The first refresh reports every port as added; an unchanged rescan reports nothing."""
    current = [PortInfo("/dev/ttyUSB0", "ttyUSB0"), PortInfo("/dev/ttyS0", "ttyS0")]

    def scan(extra: Sequence[str]) -> list[PortInfo]:
        return list(current)

    watcher = PortWatcher(scan=scan)
    first = await watcher.refresh()
    assert first is not None
    assert [p.device for p in first.added] == ["/dev/ttyS0", "/dev/ttyUSB0"]
    assert await watcher.refresh() is None
    current[0] = PortInfo("/dev/ttyUSB0", "ttyUSB0", serial_number="OTHER")  # adapter swapped
    swapped = await watcher.refresh()
    assert swapped is not None
    assert [p.serial_number for p in swapped.removed] == [""]
    assert [p.serial_number for p in swapped.added] == ["OTHER"]


async def test_watcher_survives_failing_scans_and_listeners() -> None:
    """A scan that raises keeps the last list; a listener that raises does not stop the others."""
    calls = 0

    def scan(extra: Sequence[str]) -> list[PortInfo]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("sysfs hiccup")
        return [PortInfo(f"/dev/ttyUSB{min(calls, 3)}", "x")]

    seen: list[PortChange] = []
    recovered = asyncio.Event()

    def broken(change: PortChange) -> None:
        raise RuntimeError("listener bug")

    def record(change: PortChange) -> None:
        seen.append(change)
        if watcher.ports[0].device == "/dev/ttyUSB3":
            recovered.set()

    watcher = PortWatcher(interval_s=0.02, scan=scan)
    watcher.add_listener(broken)
    watcher.add_listener(record)
    watcher.start()
    try:
        await asyncio.wait_for(recovered.wait(), 2.0)
    finally:
        await watcher.aclose()
    assert [c.added[0].device for c in seen] == ["/dev/ttyUSB1", "/dev/ttyUSB3"]
