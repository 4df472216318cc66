"""What a console is tied to: a THREAD port, a local serial port, or a capture file to replay."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from commissioner.core.serial.settings import SerialSettings

THREAD_PORTS = (1, 2, 3)


class SourceKind(StrEnum):
    THREAD = "thread"
    SERIAL = "serial"
    REPLAY = "replay"


@dataclass(frozen=True)
class ConsoleSource:
    kind: SourceKind
    thread_port: int = 0
    serial: SerialSettings | None = None
    capture: Path | None = None  # the capture's .log file
    speed: float = 1.0  # replay: 1 real time, 10 ten times faster, 0 as fast as possible

    @classmethod
    def thread(cls, port: int) -> ConsoleSource:
        if port not in THREAD_PORTS:
            raise ValueError(f"THREAD ports are 1, 2 and 3 (got {port})")
        return cls(SourceKind.THREAD, thread_port=port)

    @classmethod
    def local(cls, settings: SerialSettings) -> ConsoleSource:
        return cls(SourceKind.SERIAL, serial=settings)

    @classmethod
    def replay(cls, log_path: Path, speed: float = 1.0) -> ConsoleSource:
        return cls(SourceKind.REPLAY, capture=Path(log_path), speed=speed)

    @property
    def title(self) -> str:
        """Short, for the tab: ``Port 1``, ``ttyUSB0``, ``Replay bench.log``."""
        if self.kind is SourceKind.THREAD:
            return f"Port {self.thread_port}"
        if self.kind is SourceKind.SERIAL and self.serial is not None:
            return Path(self.serial.port).name
        return f"Replay {self.capture.name if self.capture else ''}".strip()

    @property
    def description(self) -> str:
        """Longer, for the console's header and the capture's START line."""
        if self.kind is SourceKind.THREAD:
            return f"THREAD port {self.thread_port}"
        if self.kind is SourceKind.SERIAL and self.serial is not None:
            return f"Local serial {self.serial.describe()}"
        return f"Replay of {self.capture}"

    @property
    def can_send(self) -> bool:
        return self.kind is not SourceKind.REPLAY
