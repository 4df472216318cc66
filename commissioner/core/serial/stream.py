"""A local serial port (USB-serial adapter, on-board UART, pseudo-terminal) as a byte stream.

It shares :class:`ReconnectingStream` with the THREAD port WebSockets: unplugging the adapter ends
the link with a readable reason, the stream retries with backoff, and the time until the adapter
is back is recorded as a gap.

Reading never blocks the event loop. On POSIX the port's file descriptor is watched with
``loop.add_reader`` and each wake-up reads with ``os.read`` until the descriptor would block (at
most :data:`READ_PER_WAKE_BYTES`), handing everything read on to the listeners as one chunk: a pty
returns ~4 KiB per read, and under qasync each wake-up costs two Qt event dispatches; writes go
straight to the non-blocking descriptor and wait for it to drain with ``loop.add_writer``. Where
there is no descriptor (Windows, ``rfc2217://`` and other pyserial URLs) a worker thread reads with
a short timeout and hands chunks to the loop, and writes run in the loop's executor.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Literal

import serial

from commissioner.core.serial.errors import (
    SerialConfigRejected,
    SerialLinesUnsupported,
    SerialPortError,
    SerialPortGone,
    SerialPortSwitched,
    SerialWriteTimeout,
    open_error,
)
from commissioner.core.serial.settings import SerialSettings
from commissioner.core.streams.base import ReconnectingStream, StreamNotConnected

log = logging.getLogger(__name__)

ReaderKind = Literal["auto", "fd", "thread"]
_NO_LINES = {errno.ENOTTY, errno.EINVAL}
READ_SIZE = 65_536  # bytes asked of one os.read
READ_PER_WAKE_BYTES = 262_144  # read at most this much per wake-up (the loop stays responsive)
_HUNG_UP = "the port reports data but has none: hung up"


@dataclass(frozen=True)
class ModemLines:
    """The input control lines of an open port."""

    cts: bool
    dsr: bool
    ri: bool
    cd: bool


class _Link:
    """One open port and how it is read; replaced on every (re)connect."""

    def __init__(self, ser: Any, fd: int | None, settings: SerialSettings) -> None:
        self.ser = ser
        self.fd = fd
        self.settings = settings
        self.ended: asyncio.Future[BaseException | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.closed = False
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.write_waiter: asyncio.Future[None] | None = None


class SerialStream(ReconnectingStream):
    """Reconnecting byte stream of one local serial port."""

    def __init__(
        self,
        settings: SerialSettings,
        *,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 2.0,
        write_timeout_s: float = 5.0,
        reader: ReaderKind = "auto",
        liveness_interval_s: float = 1.0,
        thread_poll_s: float = 0.05,
    ) -> None:
        super().__init__(
            _stream_name(settings),
            backoff_initial_s=backoff_initial_s,
            backoff_max_s=backoff_max_s,
        )
        self._settings = settings
        self.write_timeout_s = write_timeout_s
        self.reader = reader
        self.liveness_interval_s = liveness_interval_s
        self.thread_poll_s = thread_poll_s
        self._link: _Link | None = None
        self._write_lock = asyncio.Lock()
        self._config_lock = asyncio.Lock()

    @property
    def settings(self) -> SerialSettings:
        """The settings in use (or to be used at the next connect)."""
        return self._settings

    # -- public API beyond ReconnectingStream ---------------------------------------------------

    async def reconfigure(self, settings: SerialSettings) -> None:
        """Use ``settings`` from now on.

        On an open port, line settings (baud, framing, flow control, DTR/RTS) are applied in place
        without a gap; a different ``port`` closes this one and opens the other, which is recorded
        as a gap. When the port is not open, the settings are kept for the next connect. Raises
        :class:`SerialConfigRejected` (keeping the old settings) when the driver refuses them.
        """
        async with self._config_lock:
            old = self._settings
            if settings == old:
                return
            link = self._link
            if link is None or link.closed or settings.port != old.port:
                self._use(settings)
                if link is not None and not link.closed:
                    self._end(link, SerialPortSwitched(old.port, settings.port))
                return
            try:
                await asyncio.to_thread(_apply_settings, link.ser, settings)
            except Exception as exc:
                if link.closed or link.ended.done():  # the port went away meanwhile
                    self._use(settings)
                    return
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(_apply_settings, link.ser, old)
                raise SerialConfigRejected(old.port, settings.describe(), _words(exc)) from exc
            link.settings = settings
            self._use(settings)

    async def set_lines(self, *, dtr: bool | None = None, rts: bool | None = None) -> bool:
        """Drive DTR and/or RTS (None leaves a line as it is); remembered for later connects.

        Returns True when applied to the open port, False when only remembered (not connected).
        Raises :class:`SerialLinesUnsupported` on ports without control lines.
        """
        async with self._config_lock:
            return await self._set_lines(dtr, rts)

    async def _set_lines(self, dtr: bool | None, rts: bool | None) -> bool:
        new = dataclasses.replace(
            self._settings,
            dtr=self._settings.dtr if dtr is None else dtr,
            rts=self._settings.rts if rts is None else rts,
        )
        self._use(new)
        link = self._link
        if link is None or link.closed:
            return False
        try:
            await asyncio.to_thread(_apply_lines, link.ser, dtr, rts)
        except OSError as exc:
            if exc.errno in _NO_LINES:
                raise SerialLinesUnsupported(new.port) from exc
            raise SerialPortError(new.port, f"could not set DTR/RTS on {new.port}: {exc}") from exc
        except serial.SerialException as exc:
            raise SerialPortError(new.port, f"could not set DTR/RTS on {new.port}: {exc}") from exc
        link.settings = new
        return True

    async def read_lines(self) -> ModemLines | None:
        """CTS, DSR, RI and CD of the open port; None when not connected or the port has none."""
        link = self._link
        if link is None or link.closed:
            return None
        try:
            return await asyncio.to_thread(_read_lines, link.ser)
        except (OSError, serial.SerialException):
            return None

    # -- transport hooks ----------------------------------------------------------------------

    async def _connect(self) -> None:
        settings = self._settings
        use_thread = self.reader == "thread" or (
            self.reader == "auto" and (os.name != "posix" or "://" in settings.port)
        )
        timeout = self.thread_poll_s if use_thread else 0
        loop = asyncio.get_running_loop()
        opening = loop.run_in_executor(
            None, _open_port, settings, timeout, self.write_timeout_s if use_thread else None
        )
        try:
            ser = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_opened)
            raise
        fd: int | None = None
        if not use_thread:
            try:
                fd = int(ser.fileno())
            except Exception as exc:
                _close_quietly(ser)
                raise SerialPortError(
                    settings.port, f"{settings.port} cannot be watched without a thread: {exc}"
                ) from exc
        if fd is not None:
            with contextlib.suppress(OSError):
                os.set_blocking(fd, False)  # pyserial opens it so; read-until-EAGAIN relies on it
        link = _Link(ser, fd, settings)
        if fd is None:
            link.thread = threading.Thread(
                target=self._thread_reader,
                args=(link, loop),
                name=f"serial reader {settings.port}",
                daemon=True,
            )
        self._link = link

    async def _receive(self) -> None:
        link = self._link
        if link is None:
            return
        loop = asyncio.get_running_loop()
        if link.fd is not None:
            loop.add_reader(link.fd, self._on_readable, link)
        elif link.thread is not None:
            link.thread.start()
        try:
            while True:
                done, _ = await asyncio.wait({link.ended}, timeout=self.liveness_interval_s)
                if done:
                    reason = link.ended.result()
                    if reason is not None:
                        raise reason
                    return
                if _node_vanished(link.settings.port):
                    raise SerialPortGone(link.settings.port, "its device node disappeared")
        finally:
            if link.fd is not None:
                with contextlib.suppress(Exception):
                    loop.remove_reader(link.fd)

    async def _send_raw(self, data: bytes) -> None:
        link = self._link
        if link is None or link.closed:
            raise StreamNotConnected(f"{self.name} is not open; nothing was sent")
        async with self._write_lock:
            if link.fd is not None:
                await self._write_fd(link, link.fd, data)
            else:
                await self._write_thread(link, data)

    async def _disconnect(self) -> None:
        link, self._link = self._link, None
        if link is None:
            return
        link.closed = True
        loop = asyncio.get_running_loop()
        if not link.ended.done():
            link.ended.set_result(None)
        if link.write_waiter is not None and not link.write_waiter.done():
            link.write_waiter.set_result(None)
        if link.fd is not None:
            with contextlib.suppress(Exception):
                loop.remove_reader(link.fd)
            with contextlib.suppress(Exception):
                loop.remove_writer(link.fd)
        with contextlib.suppress(Exception):
            if link.thread is not None and link.thread.is_alive():
                link.stop.set()
                with contextlib.suppress(Exception):
                    link.ser.cancel_read()
                await asyncio.to_thread(link.thread.join, 1.0)
            # Closing can wait for unsent output to drain; never let that hold the loop.
            closing = loop.run_in_executor(None, _close_quietly, link.ser)
            await asyncio.wait({closing}, timeout=2.0)

    # -- reading ------------------------------------------------------------------------------

    def _on_readable(self, link: _Link) -> None:
        if link.closed or link.ended.done():
            return
        fd = link.fd
        if fd is None:
            return
        parts: list[bytes] = []
        total = 0
        failure: str | None = None
        while total < READ_PER_WAKE_BYTES:
            try:
                data = os.read(fd, READ_SIZE)
            except (BlockingIOError, InterruptedError):
                break  # drained
            except Exception as exc:
                failure = _read_failure(exc)
                break
            if not data:
                if not parts:  # readable yet nothing to read: the device hung up
                    failure = _HUNG_UP
                break  # drained (a tty with VMIN 0 reads empty rather than EAGAIN)
            parts.append(data)
            total += len(data)
        if parts:
            self._deliver_safely(parts[0] if len(parts) == 1 else b"".join(parts))
        if failure is not None:
            self._end(link, SerialPortGone(link.settings.port, failure))

    def _thread_reader(self, link: _Link, loop: asyncio.AbstractEventLoop) -> None:
        ser = link.ser
        try:
            while not link.stop.is_set():
                data = ser.read(ser.in_waiting or 1)
                if data and not link.stop.is_set():
                    loop.call_soon_threadsafe(self._deliver_from_thread, link, bytes(data))
        except Exception as exc:
            if not link.stop.is_set():
                gone = SerialPortGone(link.settings.port, _read_failure(exc))
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    loop.call_soon_threadsafe(self._end, link, gone)

    def _deliver_from_thread(self, link: _Link, data: bytes) -> None:
        if not link.closed:
            self._deliver_safely(data)

    def _deliver_safely(self, data: bytes) -> None:
        try:
            self._deliver(data)
        except Exception:
            log.exception("a listener of %s failed", self.name)

    def _end(self, link: _Link, reason: BaseException) -> None:
        """Finish the link's receive with ``reason`` (called on the loop)."""
        if not link.ended.done():
            link.ended.set_result(reason)
        if link.fd is not None and not link.closed:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(link.fd)

    # -- writing ------------------------------------------------------------------------------

    async def _write_fd(self, link: _Link, fd: int, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.write_timeout_s
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            if link.closed:
                raise StreamNotConnected(f"{self.name} closed while sending")
            try:
                sent += os.write(fd, view[sent:])
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as exc:
                raise SerialPortGone(link.settings.port, f"write failed: {_words(exc)}") from exc
            if sent >= len(data):
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SerialWriteTimeout(link.settings.port, self.write_timeout_s, sent, len(data))
            await self._writable(link, fd, remaining)

    async def _writable(self, link: _Link, fd: int, timeout_s: float) -> None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        link.write_waiter = waiter

        def wake() -> None:
            if not waiter.done():
                waiter.set_result(None)

        loop.add_writer(fd, wake)
        try:
            await asyncio.wait({waiter}, timeout=timeout_s)
        finally:
            link.write_waiter = None
            if not link.closed:
                loop.remove_writer(fd)

    async def _write_thread(self, link: _Link, data: bytes) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, link.ser.write, data)
        except serial.SerialTimeoutException as exc:
            raise SerialWriteTimeout(
                link.settings.port, self.write_timeout_s, 0, len(data)
            ) from exc
        except (OSError, serial.SerialException) as exc:
            raise SerialPortGone(link.settings.port, f"write failed: {_words(exc)}") from exc

    # -- helpers ------------------------------------------------------------------------------

    def _use(self, settings: SerialSettings) -> None:
        self._settings = settings
        self.name = _stream_name(settings)


def _stream_name(settings: SerialSettings) -> str:
    return f"serial port {settings.port}"


def _open_port(settings: SerialSettings, timeout: float, write_timeout: float | None) -> Any:
    """Open and configure the port (blocking; runs in a worker thread)."""
    try:
        ser = serial.serial_for_url(
            settings.port,
            do_not_open=True,
            timeout=timeout,
            write_timeout=write_timeout,
            exclusive=True,
            **settings.pyserial_kwargs(),
        )
        if settings.dtr is not None:
            ser.dtr = settings.dtr
        if settings.rts is not None:
            ser.rts = settings.rts
    except ValueError as exc:
        raise SerialConfigRejected(settings.port, settings.describe(), _words(exc)) from exc
    try:
        ser.open()
    except (OSError, serial.SerialException) as exc:
        raise open_error(settings.port, exc) from exc
    except Exception as exc:  # ValueError, termios.error: the driver refused a setting
        raise SerialConfigRejected(settings.port, settings.describe(), _words(exc)) from exc
    _lock_exclusive(ser)
    return ser


def _lock_exclusive(ser: Any) -> None:
    """Best effort: refuse further opens by other programs (Linux TIOCEXCL) while we hold it."""
    try:
        import fcntl
        import termios

        fcntl.ioctl(int(ser.fileno()), termios.TIOCEXCL)
    except Exception:
        pass


def _apply_settings(ser: Any, settings: SerialSettings) -> None:
    ser.apply_settings(settings.pyserial_kwargs())
    try:
        _apply_lines(ser, settings.dtr, None if settings.rtscts else settings.rts)
    except OSError as exc:  # like pyserial's open: ports without control lines are fine
        if exc.errno not in _NO_LINES:
            raise


def _apply_lines(ser: Any, dtr: bool | None, rts: bool | None) -> None:
    if dtr is not None:
        ser.dtr = dtr
    if rts is not None:
        ser.rts = rts


def _read_lines(ser: Any) -> ModemLines:
    return ModemLines(cts=bool(ser.cts), dsr=bool(ser.dsr), ri=bool(ser.ri), cd=bool(ser.cd))


def _close_quietly(ser: Any) -> None:
    with contextlib.suppress(Exception):
        ser.close()


def _close_opened(opening: asyncio.Future[Any]) -> None:
    """An open finished after its connect was cancelled: close the port it opened."""
    if not opening.cancelled() and opening.exception() is None:
        _close_quietly(opening.result())


def _node_vanished(port: str) -> bool:
    return os.name == "posix" and port.startswith("/") and not os.path.exists(port)


def _read_failure(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"read failed: {os.strerror(exc.errno)}"
    text = _words(exc)
    if "returned no data" in text:
        return _HUNG_UP
    return text if text.startswith("read failed") else f"read failed: {text}"


def _words(exc: BaseException) -> str:
    """The readable part of an error; ``termios.error(22, 'Invalid argument')`` -> its text."""
    args = exc.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return args[1]
    return str(exc).strip() or type(exc).__name__
