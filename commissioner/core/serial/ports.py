"""Which local serial ports exist, and a watcher that notices adapters being plugged in or out.

pyserial's ``list_ports`` finds USB and on-board UARTs but not pseudo-terminals (socat pairs,
simulators) or hand-made symlinks; those come from ``extra_paths`` (exact paths or glob patterns
such as ``/tmp/ttyV*``), listed when they exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from serial.tools import list_ports as _list_ports

log = logging.getLogger(__name__)

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class PortInfo:
    """One serial port as the operating system describes it. Empty strings mean "not known"."""

    device: str
    name: str
    description: str = ""
    hwid: str = ""
    vid: int | None = None
    pid: int | None = None
    serial_number: str = ""
    manufacturer: str = ""
    product: str = ""
    location: str = ""
    interface: str = ""
    extra: bool = False
    """True for ports that came from ``extra_paths`` rather than the system's list."""

    @property
    def usb_id(self) -> str:
        """``0403:6001`` for USB adapters, else empty."""
        if self.vid is None or self.pid is None:
            return ""
        return f"{self.vid:04x}:{self.pid:04x}"

    @property
    def label(self) -> str:
        """For a port picker: ``/dev/ttyUSB0 - FT232R USB UART (FTDI)``."""
        text = self.description if self.description and self.description != self.name else ""
        if self.manufacturer and self.manufacturer not in text:
            text = f"{text} ({self.manufacturer})" if text else self.manufacturer
        return f"{self.device} - {text}" if text else self.device


@dataclass(frozen=True)
class PortChange:
    """What changed between two scans, and the full list after it."""

    added: tuple[PortInfo, ...]
    removed: tuple[PortInfo, ...]
    ports: tuple[PortInfo, ...]


def list_ports(extra_paths: Iterable[str] = ()) -> list[PortInfo]:
    """System serial ports plus any existing ``extra_paths``, sorted by device, no duplicates.

    Blocking (it reads the system's device tables); from async code use :func:`list_ports_async`.
    """
    found: dict[str, PortInfo] = {}
    for raw in _list_ports.comports():
        info = _from_pyserial(raw)
        found[info.device] = info
    for path in expand_extra_paths(extra_paths):
        if path not in found:
            found[path] = _extra_info(path)
    return sorted(found.values(), key=lambda p: p.device)


async def list_ports_async(extra_paths: Iterable[str] = ()) -> list[PortInfo]:
    """:func:`list_ports` in a worker thread, so the event loop keeps running."""
    paths = tuple(extra_paths)
    return await asyncio.to_thread(list_ports, paths)


def expand_extra_paths(extra_paths: Iterable[str]) -> list[str]:
    """Existing paths among ``extra_paths``, with glob patterns expanded; dangling links skipped."""
    result: list[str] = []
    for item in extra_paths:
        item = os.path.expanduser(item.strip())
        if not item:
            continue
        candidates = sorted(glob.glob(item)) if _GLOB_CHARS & set(item) else [item]
        for path in candidates:
            if os.path.basename(path) == "ptmx":  # the multiplexer, not a terminal
                continue
            if os.path.exists(path) and path not in result:
                result.append(path)
    return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text == "n/a" else text


def _from_pyserial(raw: Any) -> PortInfo:
    return PortInfo(
        device=str(raw.device),
        name=_text(raw.name) or os.path.basename(str(raw.device)),
        description=_text(raw.description),
        hwid=_text(raw.hwid),
        vid=raw.vid if isinstance(raw.vid, int) else None,
        pid=raw.pid if isinstance(raw.pid, int) else None,
        serial_number=_text(raw.serial_number),
        manufacturer=_text(raw.manufacturer),
        product=_text(raw.product),
        location=_text(raw.location),
        interface=_text(raw.interface),
    )


def _extra_info(path: str) -> PortInfo:
    target = os.path.realpath(path)
    if target.startswith("/dev/pts/") or target.startswith("/dev/ttyp"):
        description = f"pseudo-terminal {target}" if target != path else "pseudo-terminal"
    elif target != path:
        description = f"link to {target}"
    else:
        description = "extra device path"
    return PortInfo(
        device=path,
        name=os.path.basename(path),
        description=description,
        hwid=f"LINK={target}" if target != path else "",
        extra=True,
    )


PortListener = Callable[[PortChange], None]


class PortWatcher:
    """Rescans the ports every ``interval_s`` and tells listeners what was added or removed.

    The first scan reports every port as added, so a picker can fill itself from events alone.
    Scans run in a worker thread; a failing scan is logged and the last list kept.
    """

    def __init__(
        self,
        *,
        interval_s: float = 1.0,
        extra_paths: Sequence[str] = (),
        scan: Callable[[Sequence[str]], list[PortInfo]] = list_ports,
    ) -> None:
        self.interval_s = interval_s
        self._extra_paths: tuple[str, ...] = tuple(extra_paths)
        self._scan = scan
        self._ports: dict[str, PortInfo] = {}
        self._listeners: list[PortListener] = []
        self._task: asyncio.Task[None] | None = None
        self._scanned = False
        self._lock = asyncio.Lock()

    @property
    def ports(self) -> tuple[PortInfo, ...]:
        """The ports of the last scan, sorted by device."""
        return tuple(self._ports[k] for k in sorted(self._ports))

    @property
    def extra_paths(self) -> tuple[str, ...]:
        return self._extra_paths

    def set_extra_paths(self, paths: Sequence[str]) -> None:
        """Use these extra paths from the next scan on (call :meth:`refresh` to apply at once)."""
        self._extra_paths = tuple(paths)

    def add_listener(self, listener: PortListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: PortListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def start(self) -> None:
        """Begin watching in the background; returns at once."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="port watcher")

    async def aclose(self) -> None:
        """Stop watching. Safe to call twice."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def refresh(self) -> PortChange | None:
        """Scan now; the change (also sent to listeners), or None when nothing changed."""
        async with self._lock:
            ports = await asyncio.to_thread(self._scan, self._extra_paths)
            return self._apply(ports)

    def _apply(self, ports: Sequence[PortInfo]) -> PortChange | None:
        new = {p.device: p for p in ports}
        old = self._ports
        removed = tuple(old[k] for k in sorted(old) if new.get(k) != old[k])
        added = tuple(new[k] for k in sorted(new) if old.get(k) != new[k])
        first, self._scanned = not self._scanned, True
        self._ports = new
        if not added and not removed and not first:
            return None
        change = PortChange(added, removed, self.ports)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                log.exception("port listener failed")
        return change

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listing serial ports failed; keeping the last list")
            await asyncio.sleep(self.interval_s)
