"""Typed errors of local serial ports, each carrying the sentence a person should read.

Opening a port fails for a handful of reasons people can act on (another program has it, the
user is not in the dialout group, the adapter is unplugged); :func:`open_error` turns pyserial's
and the OS's errors into those sentences so the GUI and CLI can show ``str(error)`` as it is.
"""

from __future__ import annotations

import errno
import os

_BUSY = {errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK}
_PERMISSION = {errno.EACCES, errno.EPERM}
_MISSING = {errno.ENOENT, errno.ENXIO, errno.ENODEV}


class SerialSettingsError(ValueError):
    """A serial setting breaks a rule; nothing was opened or changed. ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SerialPortError(Exception):
    """Base of every error about using a local serial port."""

    def __init__(self, port: str, message: str) -> None:
        super().__init__(message)
        self.port = port
        self.message = message


class SerialPortBusy(SerialPortError):
    """Another program (or another window of this one) has the port open."""

    def __init__(self, port: str) -> None:
        super().__init__(port, f"port {port} is busy (another program has it open)")


class SerialPermissionDenied(SerialPortError):
    """The operating system refused access; on Linux the fix is a group membership."""

    def __init__(self, port: str, group: str = "dialout") -> None:
        super().__init__(
            port,
            f"permission denied: add yourself to the {group} group, then log out and back in "
            f"(opening {port})",
        )
        self.group = group


class SerialPortMissing(SerialPortError):
    """The device path does not exist (adapter unplugged, or a wrong path)."""

    def __init__(self, port: str) -> None:
        super().__init__(port, f"no such port: the adapter is unplugged ({port} does not exist)")


class SerialPortGone(SerialPortError):
    """The open port stopped working: the adapter was unplugged or the device went away."""

    def __init__(self, port: str, detail: str) -> None:
        super().__init__(port, f"{port} went away: the adapter was unplugged ({detail})")
        self.detail = detail


class SerialPortSwitched(SerialPortError):
    """The stream was told to use another port; the old link was closed on purpose."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__(old, f"switched from {old} to {new}")
        self.new_port = new


class SerialWriteTimeout(SerialPortError):
    """The device did not take the data in time (often hardware flow control holding it)."""

    def __init__(self, port: str, timeout_s: float, sent: int, total: int) -> None:
        super().__init__(
            port,
            f"{port} did not accept data within {timeout_s:g} s ({sent} of {total} bytes sent); "
            "the device may be holding flow control (CTS or XOFF) or not reading",
        )
        self.sent = sent
        self.total = total


class SerialLinesUnsupported(SerialPortError):
    """The port has no DTR/RTS control lines (a pseudo-terminal, some bridges)."""

    def __init__(self, port: str) -> None:
        super().__init__(
            port, f"{port} has no DTR/RTS control lines (a pseudo-terminal or a simple bridge)"
        )


class SerialConfigRejected(SerialPortError):
    """The driver refused the settings (for example a baud rate the adapter cannot do)."""

    def __init__(self, port: str, settings: str, detail: str) -> None:
        super().__init__(port, f"could not apply {settings}: the driver refused them ({detail})")
        self.detail = detail


def open_error(port: str, exc: BaseException) -> SerialPortError:
    """The readable error for a failed open of ``port``, from pyserial's or the OS's error."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in _BUSY or "Access is denied" in text:  # Windows says "access denied" when busy
        return SerialPortBusy(port)
    if code in _PERMISSION:
        return SerialPermissionDenied(port, _device_group(port))
    if code in _MISSING or "FileNotFoundError" in text or "cannot find the file" in text:
        return SerialPortMissing(port)
    detail = text.strip() or type(exc).__name__
    return SerialPortError(port, f"could not open {port}: {detail}")


def _device_group(port: str) -> str:
    """The group owning the device node (``dialout`` on Debian/Fedora, ``uucp`` on Arch)."""
    try:
        import grp

        name = grp.getgrgid(os.stat(port).st_gid).gr_name
    except (ImportError, OSError, KeyError):
        return "dialout"
    return "dialout" if name == "root" else name
