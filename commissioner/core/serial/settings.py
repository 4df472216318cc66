"""How a local serial port is set up: device path, baud rate, framing, flow control, lines.

:class:`SerialSettings` validates itself on construction (and on ``dataclasses.replace``), so an
invalid combination never reaches the port; the error names the field and says what is allowed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commissioner.core.serial.errors import SerialSettingsError

COMMON_BAUD_RATES: tuple[int, ...] = (
    300,
    1200,
    2400,
    4800,
    9600,
    14400,
    19200,
    38400,
    57600,
    115200,
    230400,
    460800,
    921600,
    1000000,
    2000000,
    3000000,
)
DATA_BITS: tuple[int, ...] = (5, 6, 7, 8)
STOP_BITS: tuple[float, ...] = (1, 1.5, 2)


class Parity(StrEnum):
    NONE = "none"
    EVEN = "even"
    ODD = "odd"
    MARK = "mark"
    SPACE = "space"

    @property
    def letter(self) -> str:
        """The letter of the usual ``8N1`` notation, which is also pyserial's value."""
        return self.value[0].upper()

    @classmethod
    def parse(cls, value: object) -> Parity:
        """``Parity.EVEN``, ``"even"``, ``"Even"`` or ``"E"`` -> ``Parity.EVEN``."""
        if isinstance(value, Parity):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            for parity in cls:
                if text in (parity.value, parity.value[0]):
                    return parity
        allowed = ", ".join(p.value for p in cls)
        raise SerialSettingsError("parity", f"must be one of {allowed} (got {value!r})")


@dataclass(frozen=True)
class SerialSettings:
    """One port's settings. ``dtr``/``rts`` None leaves the line as pyserial opens it (asserted)."""

    port: str
    baud: int = 115200
    data_bits: int = 8
    parity: Parity = Parity.NONE
    stop_bits: float = 1
    rtscts: bool = False
    xonxoff: bool = False
    dtr: bool | None = None
    rts: bool | None = None

    def __post_init__(self) -> None:
        port = self.port.strip() if isinstance(self.port, str) else self.port
        if not isinstance(port, str) or not port:
            raise SerialSettingsError(
                "port", "choose a serial port (for example /dev/ttyUSB0 or COM3)"
            )
        if "\0" in port:
            raise SerialSettingsError("port", "the device path contains a NUL character")
        object.__setattr__(self, "port", port)
        if isinstance(self.baud, bool) or not isinstance(self.baud, int) or self.baud <= 0:
            raise SerialSettingsError(
                "baud",
                f"must be a positive whole number such as 9600 or 115200 (got {self.baud!r})",
            )
        if (
            not isinstance(self.data_bits, int)
            or isinstance(self.data_bits, bool)
            or (self.data_bits not in DATA_BITS)
        ):
            raise SerialSettingsError("data_bits", f"must be 5, 6, 7 or 8 (got {self.data_bits!r})")
        object.__setattr__(self, "parity", Parity.parse(self.parity))
        if isinstance(self.stop_bits, bool) or self.stop_bits not in STOP_BITS:
            raise SerialSettingsError("stop_bits", f"must be 1, 1.5 or 2 (got {self.stop_bits!r})")
        object.__setattr__(self, "stop_bits", float(self.stop_bits))
        for name in ("rtscts", "xonxoff"):
            if not isinstance(getattr(self, name), bool):
                raise SerialSettingsError(name, "must be on or off (True or False)")
        for name in ("dtr", "rts"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise SerialSettingsError(name, "must be on, off or left alone (True, False, None)")
        if self.rtscts and self.rts is not None:
            raise SerialSettingsError(
                "rts", "RTS/CTS flow control drives RTS; leave RTS alone when it is on"
            )

    @property
    def frame(self) -> str:
        """Data bits, parity letter and stop bits: ``8N1``, ``7E2``, ``5N1.5``."""
        return f"{self.data_bits}{self.parity.letter}{self.stop_bits:g}"

    def describe(self) -> str:
        """For people: ``/dev/ttyUSB0 9600 8N1 RTS/CTS`` (flow control and set lines at the end)."""
        parts = [self.port, str(self.baud), self.frame]
        if self.rtscts:
            parts.append("RTS/CTS")
        if self.xonxoff:
            parts.append("XON/XOFF")
        if self.dtr is not None:
            parts.append(f"DTR {'on' if self.dtr else 'off'}")
        if self.rts is not None:
            parts.append(f"RTS {'on' if self.rts else 'off'}")
        return " ".join(parts)

    def same_line_settings(self, other: SerialSettings) -> bool:
        """True when only the port differs (or nothing does)."""
        return dataclasses.replace(other, port=self.port) == self

    def pyserial_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``serial.Serial`` / ``apply_settings`` (not the port or lines)."""
        return {
            "baudrate": self.baud,
            "bytesize": self.data_bits,
            "parity": self.parity.letter,
            "stopbits": self.stop_bits,
            "rtscts": self.rtscts,
            "xonxoff": self.xonxoff,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain values for saving in settings files."""
        data = dataclasses.asdict(self)
        data["parity"] = self.parity.value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SerialSettings:
        """The inverse of :meth:`to_dict`; unknown keys are ignored, missing ones take defaults."""
        names = {f.name for f in dataclasses.fields(cls)}
        if "port" not in data:
            raise SerialSettingsError("port", "missing from the saved settings")
        return cls(**{k: v for k, v in data.items() if k in names})
