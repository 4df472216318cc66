"""The small types of a commissioning run's engine: options, progress events and outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field

from commissioner.core.commissioning.actions import Action
from commissioner.core.commissioning.run_model import CheckResult, Stage
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.ports.device_state import VOLTAGE_TOLERANCE_V


@dataclass(frozen=True)
class RunOptions:
    """How a run behaves; the defaults suit an installer on site."""

    data: DataWaitOptions = field(default_factory=DataWaitOptions)
    settle_s: float = 0.5  # after voltage changes, before measuring
    tolerance_v: float = VOLTAGE_TOLERANCE_V
    scan: bool = True  # scan a silent serial port for the baud rate and framing it speaks at
    scan_listen_s: float = 1.5
    queue_only: bool = False  # journal the registration for later instead of sending it now
    queue_reason: str = "queued by choice"  # said in the report when queue_only
    confirm_timeout_s: float = 10.0
    upload_evidence: bool = True  # upload captured readings to prove the cloud path


@dataclass(frozen=True)
class RunEvent:
    """Progress for the wizard and the fleet table; ``done``/``total`` count the stage's items."""

    stage: Stage
    message: str
    done: int = 0
    total: int = 0
    result: str = ""


@dataclass(frozen=True)
class ApplyOutcome:
    done: int
    total: int
    failed: Action | None = None
    error: str = ""
    advice: str = ""

    @property
    def ok(self) -> bool:
        return self.failed is None and self.done == self.total


@dataclass(frozen=True)
class RollbackOutcome:
    ok: bool
    checks: list[CheckResult]
    not_restorable: list[str]


class RunError(RuntimeError):
    """A step asked for out of order, or a resume that cannot continue; the text says why."""
