"""Open failures become the sentences people can act on (busy, dialout group, unplugged)."""

from __future__ import annotations

import errno
from pathlib import Path

import serial

from commissioner.core.serial import (
    SerialPermissionDenied,
    SerialPortBusy,
    SerialPortError,
    SerialPortMissing,
)
from commissioner.core.serial.errors import open_error


def _pyserial(code: int, text: str) -> serial.SerialException:
    return serial.SerialException(code, f"could not open port /dev/ttyUSB0: [Errno {code}] {text}")


def test_busy() -> None:
    """EBUSY and a failed exclusive lock (EAGAIN) both say another program has the port."""
    for code in (errno.EBUSY, errno.EAGAIN):
        error = open_error("/dev/ttyUSB0", _pyserial(code, "busy"))
        assert isinstance(error, SerialPortBusy)
        assert str(error) == "port /dev/ttyUSB0 is busy (another program has it open)"


def test_permission_denied_names_the_group(tmp_path: Path) -> None:
    """EACCES says to join the device's group (dialout when it cannot be told)."""
    error = open_error(str(tmp_path / "missing"), _pyserial(errno.EACCES, "Permission denied"))
    assert isinstance(error, SerialPermissionDenied)
    assert "permission denied: add yourself to the dialout group" in str(error)


def test_missing() -> None:
    """ENOENT says the adapter is unplugged and names the path."""
    error = open_error("/dev/ttyUSB7", _pyserial(errno.ENOENT, "No such file or directory"))
    assert isinstance(error, SerialPortMissing)
    assert str(error).startswith("no such port: the adapter is unplugged")
    assert "/dev/ttyUSB7" in str(error)


def test_windows_texts() -> None:
    """Windows reports errors as text only: 'Access is denied' means busy, FileNotFound missing."""
    busy = serial.SerialException(
        "could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)"
    )
    missing = serial.SerialException(
        "could not open port 'COM9': FileNotFoundError(2, 'The system cannot find the file "
        "specified.', None, 2)"
    )
    assert isinstance(open_error("COM3", busy), SerialPortBusy)
    assert isinstance(open_error("COM9", missing), SerialPortMissing)


def test_other_errors_keep_the_detail() -> None:
    """Anything else keeps pyserial's words after 'could not open <port>'."""
    error = open_error("/dev/ttyS0", serial.SerialException("Invalid argument"))
    assert type(error) is SerialPortError
    assert str(error) == "could not open /dev/ttyS0: Invalid argument"
