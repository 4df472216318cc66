"""Local serial ports (pyserial) behind the same stream interface as THREAD device ports.

- :mod:`.ports`: list ports with their descriptions, and watch adapters come and go.
- :mod:`.settings`: validated port settings (baud, framing, flow control, DTR/RTS).
- :mod:`.stream`: :class:`SerialStream`, a reconnecting byte stream that records its gaps.
- :mod:`.errors`: typed errors carrying the sentence a person should read.
"""

from __future__ import annotations

from commissioner.core.serial.errors import (
    SerialConfigRejected,
    SerialLinesUnsupported,
    SerialPermissionDenied,
    SerialPortBusy,
    SerialPortError,
    SerialPortGone,
    SerialPortMissing,
    SerialPortSwitched,
    SerialSettingsError,
    SerialWriteTimeout,
)
from commissioner.core.serial.ports import (
    PortChange,
    PortInfo,
    PortWatcher,
    list_ports,
    list_ports_async,
)
from commissioner.core.serial.settings import (
    COMMON_BAUD_RATES,
    DATA_BITS,
    STOP_BITS,
    Parity,
    SerialSettings,
)
from commissioner.core.serial.stream import ModemLines, SerialStream

__all__ = [
    "COMMON_BAUD_RATES",
    "DATA_BITS",
    "STOP_BITS",
    "ModemLines",
    "Parity",
    "PortChange",
    "PortInfo",
    "PortWatcher",
    "SerialConfigRejected",
    "SerialLinesUnsupported",
    "SerialPermissionDenied",
    "SerialPortBusy",
    "SerialPortError",
    "SerialPortGone",
    "SerialPortMissing",
    "SerialPortSwitched",
    "SerialSettings",
    "SerialSettingsError",
    "SerialStream",
    "SerialWriteTimeout",
    "list_ports",
    "list_ports_async",
]
