"""SerialStream over real pseudo-terminals: reading, sending, errors, reconnects, gaps, settings."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import os
import termios
from pathlib import Path

import pytest
import serial

from commissioner.core.serial import (
    Parity,
    SerialConfigRejected,
    SerialLinesUnsupported,
    SerialPortBusy,
    SerialSettings,
    SerialStream,
    SerialWriteTimeout,
)
from commissioner.core.serial.stream import _open_port
from commissioner.core.streams.base import StreamNotConnected, StreamState
from tests.core.serial.conftest import PtyDevice, Recorder, SocatDevice, open_stream

Pair = tuple[SerialStream, Recorder]


async def test_reads_what_the_device_writes(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """Bytes written on the device side arrive unchanged, in order, and are counted."""
    stream, recorder = pty_stream
    payload = b"".join(b"t=%d,21.5,40.1\r\n" % i for i in range(2000))
    await asyncio.to_thread(pty_device.write, payload)
    await recorder.wait_until(lambda: len(recorder.data) >= len(payload))
    assert bytes(recorder.data) == payload
    assert stream.counters.bytes_in == len(payload)


async def test_sent_bytes_arrive_at_the_device(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """send() writes the bytes to the device and tells listeners what was sent."""
    stream, recorder = pty_stream
    await stream.send(b"AT+READ\r\n")
    assert await asyncio.to_thread(pty_device.read, 9) == b"AT+READ\r\n"
    assert bytes(recorder.sent) == b"AT+READ\r\n"
    assert stream.counters.bytes_out == 9


async def test_large_send_arrives_whole(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """A send far larger than the kernel buffer is written in pieces and arrives complete."""
    stream, _ = pty_stream
    payload = bytes(range(256)) * 1024  # 256 KiB
    reading = asyncio.create_task(asyncio.to_thread(pty_device.read, len(payload), 3.0))
    await stream.send(payload)
    assert await reading == payload


async def test_write_times_out_when_device_does_not_read(pty_device: PtyDevice) -> None:
    """A device that never reads makes send() fail with a readable timeout, not hang the loop."""
    stream, _ = await open_stream(SerialSettings(str(pty_device.path)), write_timeout_s=0.3)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        with pytest.raises(SerialWriteTimeout) as caught:
            await stream.send(b"x" * 4_000_000)
    finally:
        ticking.cancel()
        await stream.aclose()
    assert "did not accept data within 0.3 s" in str(caught.value)
    assert 0 < caught.value.sent < 4_000_000
    assert ticks >= 10  # the event loop kept running while the write waited


async def test_send_while_down_raises(tmp_path: Path) -> None:
    """Sending with no open port raises StreamNotConnected instead of queueing silently."""
    stream = SerialStream(SerialSettings(str(tmp_path / "ttyNONE")))
    with pytest.raises(StreamNotConnected):
        await stream.send(b"hello")


async def test_missing_port_keeps_retrying_with_a_clear_reason(tmp_path: Path) -> None:
    """A path that does not exist says the adapter is unplugged, and the stream keeps trying."""
    stream = SerialStream(SerialSettings(str(tmp_path / "ttyUSB9")), backoff_initial_s=0.02)
    stream.start()
    try:
        assert not await stream.wait_connected(0.3)
        assert "no such port: the adapter is unplugged" in stream.last_error
        assert stream.state is StreamState.CONNECTING
    finally:
        await stream.aclose()


async def test_busy_port_is_reported(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """A second stream on a port already open says it is busy; after closing it can open."""
    first, _ = pty_stream
    second = SerialStream(
        SerialSettings(str(pty_device.path)), backoff_initial_s=0.02, backoff_max_s=0.05
    )
    second.start()
    try:
        assert not await second.wait_connected(0.3)
        assert f"port {pty_device.path} is busy (another program has it open)" in second.last_error
        await first.aclose()
        assert await second.wait_connected(2.0)
    finally:
        await second.aclose()


async def test_unplug_ends_link_and_replug_records_gap(
    pty_stream: Pair, pty_device: PtyDevice
) -> None:
    """Unplugging gives a readable reason; plugging back in reconnects and records the gap."""
    stream, recorder = pty_stream
    pty_device.unplug()
    await recorder.wait_until(lambda: stream.state is StreamState.RECONNECTING)
    lost = [detail for state, detail in recorder.states if state is StreamState.RECONNECTING]
    assert "went away: the adapter was unplugged" in lost[0]
    await asyncio.sleep(0.2)
    assert "no such port: the adapter is unplugged" in stream.last_error
    pty_device.plug()
    assert await stream.wait_connected(2.0)
    assert len(stream.gaps) == 1 and stream.counters.reconnects == 1
    gap = stream.gaps[0]
    assert gap.duration_s >= 0.2 and "no such port" in gap.reason
    pty_device.write(b"back\n")
    await recorder.wait_until(lambda: recorder.data.endswith(b"back\n"))


async def test_device_node_vanishing_is_noticed(pty_device: PtyDevice) -> None:
    """If the device node disappears without a hang-up, the periodic check ends the link."""
    stream, recorder = await open_stream(
        SerialSettings(str(pty_device.path)), liveness_interval_s=0.05
    )
    try:
        os.unlink(pty_device.path)  # the node goes; the pseudo-terminal itself stays up
        await recorder.wait_until(lambda: stream.state is StreamState.RECONNECTING)
        assert "its device node disappeared" in recorder.states[-1][1]
    finally:
        await stream.aclose()
        os.symlink(os.ttyname(pty_device.slave), pty_device.path)


async def test_socat_device_restart_reconnects_with_gap(socat_device: SocatDevice) -> None:
    """Killing the socat 'device' and restarting it on the same path reconnects with one gap."""
    stream, recorder = await open_stream(SerialSettings(str(socat_device.path), 9600))
    try:
        socat_device.write(b"before\n")
        await recorder.wait_until(lambda: recorder.data.endswith(b"before\n"))
        socat_device.stop()
        await recorder.wait_until(lambda: stream.state is StreamState.RECONNECTING)
        await asyncio.sleep(0.1)
        socat_device.start()
        assert await stream.wait_connected(2.0)
        assert len(stream.gaps) == 1
        assert "went away" in recorder.states[-3][1] or "no such port" in stream.gaps[0].reason
        socat_device.write(b"after\n")
        await recorder.wait_until(lambda: recorder.data.endswith(b"after\n"))
        await stream.send(b"ping\n")
        assert await asyncio.to_thread(socat_device.read, 5) == b"ping\n"
        assert bytes(recorder.data) == b"before\nafter\n"
    finally:
        await stream.aclose()


async def test_thread_reader_reads_and_sends(pty_device: PtyDevice) -> None:
    """The worker-thread reader (used on Windows) delivers and sends like the fd reader."""
    stream, recorder = await open_stream(SerialSettings(str(pty_device.path)), reader="thread")
    try:
        pty_device.write(b"hello from the thread\n")
        await recorder.wait_until(lambda: recorder.data == b"hello from the thread\n")
        await stream.send(b"ok\n")
        assert await asyncio.to_thread(pty_device.read, 3) == b"ok\n"
        pty_device.unplug()
        await recorder.wait_until(lambda: stream.state is StreamState.RECONNECTING)
        assert "went away" in recorder.states[-1][1]
        pty_device.plug()
        assert await stream.wait_connected(2.0)
        assert len(stream.gaps) == 1
    finally:
        await stream.aclose()


async def test_pyserial_url_uses_thread_reader() -> None:
    """pyserial URLs (here loop://, which echoes) work through the thread reader."""
    stream, recorder = await open_stream(SerialSettings("loop://"))
    try:
        await stream.send(b"echo me\n")
        await recorder.wait_until(lambda: recorder.data == b"echo me\n")
    finally:
        await stream.aclose()


async def test_reconfigure_in_place_changes_baud_without_gap(
    pty_stream: Pair, pty_device: PtyDevice
) -> None:
    """Changing baud, stop bits and flow control on an open port applies without reconnecting."""
    stream, recorder = pty_stream
    new = dataclasses.replace(stream.settings, baud=9600, stop_bits=2, xonxoff=True)
    await stream.reconfigure(new)
    attrs = termios.tcgetattr(pty_device.slave)
    assert attrs[4] == attrs[5] == termios.B9600
    assert attrs[2] & termios.CSTOPB and attrs[0] & termios.IXON
    assert stream.settings == new and stream.connected and stream.counters.connects == 1
    pty_device.write(b"still here\n")
    await recorder.wait_until(lambda: recorder.data == b"still here\n")


async def test_rejected_settings_are_rolled_back(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """Settings the driver refuses (a pseudo-terminal has no parity) raise and change nothing."""
    stream, recorder = pty_stream
    old = stream.settings
    with pytest.raises(SerialConfigRejected) as caught:
        await stream.reconfigure(dataclasses.replace(old, baud=9600, parity=Parity.EVEN))
    assert str(caught.value) == (
        f"could not apply {pty_device.path} 9600 8E1: the driver refused them (Invalid argument)"
    )
    assert stream.settings == old and stream.connected
    assert termios.tcgetattr(pty_device.slave)[4] == termios.B115200
    pty_device.write(b"unchanged\n")
    await recorder.wait_until(lambda: recorder.data == b"unchanged\n")


async def test_open_failures_become_readable_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver refusing settings at open, or a busy port, turns into the typed, readable error."""
    failure: BaseException = termios.error(22, "Invalid argument")

    class RefusingPort:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def open(self) -> None:
            raise failure

    monkeypatch.setattr(serial, "serial_for_url", RefusingPort)
    settings = SerialSettings("/dev/ttyUSB0", 9600, 7, Parity.EVEN)
    with pytest.raises(SerialConfigRejected, match=r"9600 7E1: the driver refused them \(Invalid"):
        _open_port(settings, 0, None)
    failure = serial.SerialException(errno.EBUSY, "could not open port: [Errno 16] busy")
    with pytest.raises(SerialPortBusy):
        _open_port(settings, 0, None)


async def test_reconfigure_to_another_port_switches_with_gap(
    pty_stream: Pair, tmp_path: Path
) -> None:
    """Changing the port closes this one, opens the other and records the switch as a gap."""
    stream, recorder = pty_stream
    other = PtyDevice(tmp_path / "ttyOTHER")
    try:
        await stream.reconfigure(dataclasses.replace(stream.settings, port=str(other.path)))
        await recorder.wait_until(lambda: len(stream.gaps) == 1 and stream.connected)
        assert stream.name == f"serial port {other.path}"
        assert "switched from" in stream.gaps[0].reason
        other.write(b"other\n")
        await recorder.wait_until(lambda: recorder.data == b"other\n")
    finally:
        await stream.aclose()
        other.close()


async def test_reconfigure_while_down_applies_at_next_connect(tmp_path: Path) -> None:
    """Settings changed while the port is unplugged are used when it comes back."""
    path = tmp_path / "ttyLATER"
    stream = SerialStream(SerialSettings(str(path)), backoff_initial_s=0.02, backoff_max_s=0.05)
    stream.start()
    device: PtyDevice | None = None
    try:
        await stream.reconfigure(SerialSettings(str(path), 4800))
        device = PtyDevice(path)
        assert await stream.wait_connected(2.0)
        assert termios.tcgetattr(device.slave)[4] == termios.B4800
    finally:
        await stream.aclose()
        if device is not None:
            device.close()


async def test_set_lines_on_pty_is_unsupported_but_remembered(pty_stream: Pair) -> None:
    """A pseudo-terminal has no DTR/RTS: set_lines says so, and the wish is kept in settings."""
    stream, _ = pty_stream
    with pytest.raises(SerialLinesUnsupported, match="has no DTR/RTS control lines"):
        await stream.set_lines(dtr=False)
    assert stream.settings.dtr is False
    assert stream.settings.describe().endswith("DTR off")
    assert await stream.read_lines() is None


async def test_set_lines_while_down_is_remembered(tmp_path: Path) -> None:
    """Without an open port set_lines only records the lines (returns False)."""
    stream = SerialStream(SerialSettings(str(tmp_path / "ttyX")))
    assert await stream.set_lines(dtr=True, rts=False) is False
    assert (stream.settings.dtr, stream.settings.rts) == (True, False)


async def test_aclose_while_opening_leaves_no_port_open(pty_device: PtyDevice) -> None:
    """Closing a stream before its open finishes still closes the port it opened."""
    stream = SerialStream(SerialSettings(str(pty_device.path)))
    stream.start()
    await asyncio.sleep(0)
    await stream.aclose()
    again, _ = await open_stream(SerialSettings(str(pty_device.path)))
    await again.aclose()


async def test_aclose_releases_the_port(pty_device: PtyDevice) -> None:
    """After aclose the port is free again for another program (or stream)."""
    first, _ = await open_stream(SerialSettings(str(pty_device.path)))
    await first.aclose()
    assert first.state is StreamState.CLOSED
    second, _ = await open_stream(SerialSettings(str(pty_device.path)))
    await second.aclose()


async def test_failing_listener_does_not_break_the_stream(
    pty_stream: Pair, pty_device: PtyDevice, caplog: pytest.LogCaptureFixture
) -> None:
    """A listener that raises is logged; the link stays up and other listeners keep receiving."""
    stream, recorder = pty_stream

    class Broken(Recorder):
        def on_bytes(self, data: bytes, timestamp: float) -> None:
            raise RuntimeError("listener bug")

    stream.add_listener(Broken())
    pty_device.write(b"one\n")
    await recorder.wait_until(lambda: recorder.data == b"one\n")
    pty_device.write(b"two\n")
    await recorder.wait_until(lambda: recorder.data == b"one\ntwo\n")
    assert stream.connected and stream.counters.connects == 1
    assert "listener of serial port" in caplog.text


async def test_a_burst_arrives_in_few_large_chunks(pty_stream: Pair, pty_device: PtyDevice) -> None:
    """Each wake-up reads until the port would block: a burst is delivered in large chunks."""
    stream, recorder = pty_stream
    sizes: list[int] = []

    class Sizes(Recorder):
        def on_bytes(self, data: bytes, timestamp: float) -> None:
            sizes.append(len(data))

    stream.add_listener(Sizes())
    payload = b"".join(b"%062d\r\n" % i for i in range(8000))  # 512 KB
    await asyncio.to_thread(pty_device.write, payload)
    await recorder.wait_until(lambda: len(recorder.data) >= len(payload), 5.0)
    assert bytes(recorder.data) == payload
    assert max(sizes) > 4096  # more than one pty read per delivery
