"""Pseudo-terminal "devices" for serial tests: an os.openpty pair behind a stable symlink (fast),
a socat pair (a separate process, like a real device), and a listener that records a stream."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import shutil
import subprocess
import time
import tty
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from commissioner.core.serial import SerialSettings, SerialStream
from commissioner.core.serial.stream import ReaderKind
from commissioner.core.streams.base import Gap, StreamListener, StreamState


class PtyDevice:
    """The far end of a pseudo-terminal, playing the sensor; ``path`` survives unplug/plug."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master = -1
        self.slave = -1
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.symlink(os.ttyname(self.slave), self.path)

    def unplug(self) -> None:
        """Like pulling the adapter: the device node goes and the open port hangs up."""
        os.unlink(self.path)
        os.close(self.master)
        os.close(self.slave)
        self.master = self.slave = -1

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def read(self, size: int, timeout_s: float = 2.0) -> bytes:
        """Read exactly ``size`` bytes (blocking; call from a thread or with small sizes)."""
        out = bytearray()
        deadline = time.monotonic() + timeout_s
        while len(out) < size:
            ready, _, _ = select.select(
                [self.master], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                break
            out += os.read(self.master, size - len(out))
        return bytes(out)

    def close(self) -> None:
        if self.master >= 0:
            self.unplug()


class SocatDevice:
    """A socat-linked pair of pseudo-terminals: the stream opens ``path``, the test ``device_path``."""

    def __init__(self, path: Path, device_path: Path) -> None:
        self.path = path
        self.device_path = device_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.fd = -1

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "socat",
                f"pty,raw,echo=0,link={self.path}",
                f"pty,raw,echo=0,link={self.device_path}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 2.0
        while not (self.path.exists() and self.device_path.exists()):
            if time.monotonic() > deadline:
                raise RuntimeError("socat did not create its links")
            time.sleep(0.005)
        self.fd = os.open(self.device_path, os.O_RDWR | os.O_NOCTTY)

    def stop(self) -> None:
        """Kill socat: both links go and the stream's side hangs up."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(2.0)
            self.proc = None
        deadline = time.monotonic() + 2.0
        while self.path.exists() and time.monotonic() < deadline:
            time.sleep(0.005)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def read(self, size: int, timeout_s: float = 2.0) -> bytes:
        out = bytearray()
        deadline = time.monotonic() + timeout_s
        while len(out) < size:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            out += os.read(self.fd, size - len(out))
        return bytes(out)


class Recorder(StreamListener):
    """Keeps everything a stream reports, with events to await."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.sent = bytearray()
        self.gaps: list[Gap] = []
        self.states: list[tuple[StreamState, str]] = []
        self.changed = asyncio.Event()

    def on_bytes(self, data: bytes, timestamp: float) -> None:
        self.data += data
        self.changed.set()

    def on_sent(self, data: bytes, timestamp: float) -> None:
        self.sent += data

    def on_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)
        self.changed.set()

    def on_state(self, state: StreamState, detail: str) -> None:
        self.states.append((state, detail))
        self.changed.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float = 2.0) -> None:
        """Wait until ``predicate()`` is true, waking on each event."""
        async with asyncio.timeout(timeout_s):
            while not predicate():
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.05)


@pytest.fixture
def pty_device(tmp_path: Path) -> Iterator[PtyDevice]:
    device = PtyDevice(tmp_path / "ttyTEST0")
    yield device
    device.close()


@pytest.fixture
def socat_device(tmp_path: Path) -> Iterator[SocatDevice]:
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    device = SocatDevice(tmp_path / "ttyV0", tmp_path / "ttyV0-device")
    device.start()
    yield device
    device.stop()


async def open_stream(
    settings: SerialSettings,
    *,
    reader: ReaderKind = "auto",
    write_timeout_s: float = 5.0,
    liveness_interval_s: float = 1.0,
) -> tuple[SerialStream, Recorder]:
    """A started stream with a recorder, connected (asserted)."""
    stream = SerialStream(
        settings,
        backoff_initial_s=0.05,
        backoff_max_s=0.1,
        reader=reader,
        write_timeout_s=write_timeout_s,
        liveness_interval_s=liveness_interval_s,
    )
    recorder = Recorder()
    stream.add_listener(recorder)
    stream.start()
    assert await stream.wait_connected(2.0), stream.last_error
    return stream, recorder


@pytest.fixture
async def pty_stream(pty_device: PtyDevice) -> AsyncIterator[tuple[SerialStream, Recorder]]:
    stream, recorder = await open_stream(SerialSettings(str(pty_device.path), 115200))
    yield stream, recorder
    await stream.aclose()
