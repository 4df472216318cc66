"""The records of a commissioning run: what the THREAD was, what was done to it, what was proven.

Everything here is plain data with ``to_json``/``from_json``, because each piece is written to the
SQLite journal as it happens (so a crashed run can resume and an audit can replay it) and read
back by the report, the support bundle, the wizard and the fleet summary. No I/O lives here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    """The guided run's steps, in order. A run's ``stage`` is the step it is in or stopped at."""

    CONNECT = "connect"
    SNAPSHOT = "snapshot"
    PLAN = "plan"
    APPLY = "apply"
    VERIFY = "verify"
    REGISTER = "register"
    CONFIRM = "confirm"
    REPORT = "report"
    DONE = "done"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.CONNECT: "Connect and identify",
    Stage.SNAPSHOT: "Snapshot",
    Stage.PLAN: "Plan",
    Stage.APPLY: "Apply",
    Stage.VERIFY: "Verify",
    Stage.REGISTER: "Register in the cloud",
    Stage.CONFIRM: "Confirm in the cloud",
    Stage.REPORT: "Report",
    Stage.DONE: "Done",
}


class RunStatus(StrEnum):
    """Where a run ended (IN_PROGRESS: not ended; it can be resumed)."""

    IN_PROGRESS = "in progress"
    PASSED = "passed"
    FAILED = "failed"
    ROLLED_BACK = "rolled back"
    ABANDONED = "abandoned"


class EventKind(StrEnum):
    """What a journal event records."""

    STAGE = "stage"  # a stage began or ended
    READ = "read"  # a value read from the THREAD (snapshot, read-back)
    ACTION = "action"  # one write to the THREAD
    ROLLBACK = "rollback"  # one write that restores the snapshot
    CHECK = "check"  # one verification item
    SCAN = "scan"  # one baud/framing candidate tried
    CLOUD = "cloud"  # registration, queueing, confirmation
    NOTE = "note"  # anything else a reader of the audit should know


class ActionResult(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    PENDING = "pending"  # planned, not yet run (written before the call, so a crash is visible)


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"  # not a failure, but a person should look (e.g. not readable)
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SiteFields:
    """What the installer types in the plan step; ``site`` fills the profile's ``{site}``."""

    site: str = ""
    location: str = ""
    technician: str = ""
    notes: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteFields:
        return cls(**{k: str(data.get(k, "")) for k in ("site", "location", "technician", "notes")})


@dataclass(frozen=True)
class ThreadIdentity:
    """Who the THREAD is: read in the connect step, printed on the report."""

    serial: str
    address: str
    application: str = ""
    firmware: str = ""
    hardware: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThreadIdentity:
        return cls(**{k: str(data.get(k, "")) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class PortSnapshot:
    """One port as read (mode and voltage carry how they are known: the Edge API cannot read them).

    ``mode`` is None when unknown; ``mode_source``/``voltage_source`` are the words shown
    ("read", "inferred from COMM_TYPE", "inferred from 12.02 V measured", "last applied by this
    app", "unknown"). ``voltage`` is the code value of :class:`PortVoltage` (0, 1, 2) or None.
    """

    port: int
    mode: str | None
    mode_source: str
    voltage: int | None
    voltage_source: str
    measured_v: float | None
    device_connection: bool
    properties: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PortSnapshot:
        return cls(
            port=int(data["port"]),
            mode=data.get("mode"),
            mode_source=str(data.get("mode_source", "")),
            voltage=None if data.get("voltage") is None else int(data["voltage"]),
            voltage_source=str(data.get("voltage_source", "")),
            measured_v=None if data.get("measured_v") is None else float(data["measured_v"]),
            device_connection=bool(data.get("device_connection", False)),
            properties=dict(data.get("properties") or {}),
        )


@dataclass(frozen=True)
class ThreadSnapshot:
    """Every setting of a THREAD at one moment: taken before the first write, so it can be undone.

    ``interface_priority`` is the ``NetworkInterface`` value ("cellular"/"ethernet");
    ``battery_saver`` is ``{"enabled", "low", "high"}``.
    """

    taken_at: float
    cloud_connection: bool
    interface_priority: str
    battery_saver: dict[str, Any]
    ports: tuple[PortSnapshot, ...]

    def port(self, number: int) -> PortSnapshot | None:
        return next((p for p in self.ports if p.port == number), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at,
            "cloud_connection": self.cloud_connection,
            "interface_priority": self.interface_priority,
            "battery_saver": dict(self.battery_saver),
            "ports": [p.to_json() for p in self.ports],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThreadSnapshot:
        return cls(
            taken_at=float(data.get("taken_at", 0.0)),
            cloud_connection=bool(data.get("cloud_connection", False)),
            interface_priority=str(data.get("interface_priority", "")),
            battery_saver=dict(data.get("battery_saver") or {}),
            ports=tuple(PortSnapshot.from_json(p) for p in data.get("ports", [])),
        )


@dataclass(frozen=True)
class SettingChange:
    """One line of the plan's diff: a setting, what the THREAD has now and what the profile wants.

    ``key`` is stable and machine-readable (``thread.cloud_connection``, ``port1.mode``,
    ``port2.BAUD_RATE``); ``before``/``after`` are display texts. ``changes`` is False for lines
    that already match (shown greyed, so the installer sees the whole desired state).
    """

    key: str
    label: str
    before: str
    after: str
    changes: bool
    port: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ChannelTrace:
    """A channel's values captured during verification: the report's small plot and its evidence.

    ``times`` are seconds since the capture started.
    """

    port: int
    channel: str
    unit: str
    times: tuple[float, ...]
    values: tuple[float, ...]
    minimum: float | None = None
    maximum: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "channel": self.channel,
            "unit": self.unit,
            "times": list(self.times),
            "values": list(self.values),
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChannelTrace:
        return cls(
            port=int(data["port"]),
            channel=str(data["channel"]),
            unit=str(data.get("unit", "")),
            times=tuple(float(t) for t in data.get("times", [])),
            values=tuple(float(v) for v in data.get("values", [])),
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
        )


@dataclass(frozen=True)
class CheckResult:
    """One verification item with its evidence (the sentence a reader of the report checks).

    ``key`` is stable: ``setting.port1.BAUD_RATE``, ``voltage.port1``, ``data.port2``,
    ``range.port1.temperature``, ``interval.port1.temperature``, ``cloud.registered``, ...
    """

    key: str
    label: str
    status: CheckStatus
    evidence: str
    port: int | None = None
    stage: Stage = Stage.VERIFY

    @property
    def passed(self) -> bool:
        return self.status in (CheckStatus.PASS, CheckStatus.WARN, CheckStatus.SKIPPED)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status.value,
            "evidence": self.evidence,
            "port": self.port,
            "stage": self.stage.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            key=str(data["key"]),
            label=str(data.get("label", data["key"])),
            status=CheckStatus(data["status"]),
            evidence=str(data.get("evidence", "")),
            port=data.get("port"),
            stage=Stage(data.get("stage", Stage.VERIFY.value)),
        )


@dataclass(frozen=True)
class CloudRecord:
    """Where the registration stands: ``status`` is "registered", "queued", "failed" or "skipped".

    ``registration_id`` is the cloud journal's row (``commissioner cloud queue``), so a queued
    registration delivered later can be looked up and its ids added to a later report.
    """

    status: str
    profile: str = ""
    project: str = ""
    registration_id: int | None = None
    node_id: str | None = None
    device_ids: dict[int, str] = field(default_factory=dict)
    sensor_ids: dict[int, list[str]] = field(default_factory=dict)
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "profile": self.profile,
            "project": self.project,
            "registration_id": self.registration_id,
            "node_id": self.node_id,
            "device_ids": {str(k): v for k, v in self.device_ids.items()},
            "sensor_ids": {str(k): list(v) for k, v in self.sensor_ids.items()},
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CloudRecord:
        return cls(
            status=str(data.get("status", "skipped")),
            profile=str(data.get("profile", "")),
            project=str(data.get("project", "")),
            registration_id=data.get("registration_id"),
            node_id=data.get("node_id"),
            device_ids={int(k): str(v) for k, v in (data.get("device_ids") or {}).items()},
            sensor_ids={int(k): list(v) for k, v in (data.get("sensor_ids") or {}).items()},
            reason=str(data.get("reason", "")),
        )


@dataclass
class RunRecord:
    """Everything a finished (or stopped) run knows; the report and the fleet summary read this.

    ``as_left`` is the THREAD read back at the end (after verification or rollback);
    ``config_hash`` is :func:`commissioner.core.commissioning.config_hash.config_hash` of it.
    """

    run_id: int
    identity: ThreadIdentity
    site: SiteFields
    profile_name: str
    status: RunStatus
    stage: Stage
    started_at: float
    finished_at: float | None = None
    snapshot: ThreadSnapshot | None = None
    as_left: ThreadSnapshot | None = None
    changes: list[SettingChange] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    traces: list[ChannelTrace] = field(default_factory=list)
    cloud: CloudRecord | None = None
    config_hash: str = ""
    failure: str = ""  # the reason a run failed or was rolled back, in words

    @property
    def passed(self) -> bool:
        return self.status is RunStatus.PASSED

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "identity": self.identity.to_json(),
            "site": self.site.to_json(),
            "profile_name": self.profile_name,
            "status": self.status.value,
            "stage": self.stage.value,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "snapshot": self.snapshot.to_json() if self.snapshot else None,
            "as_left": self.as_left.to_json() if self.as_left else None,
            "changes": [c.to_json() for c in self.changes],
            "checks": [c.to_json() for c in self.checks],
            "traces": [t.to_json() for t in self.traces],
            "cloud": self.cloud.to_json() if self.cloud else None,
            "config_hash": self.config_hash,
            "failure": self.failure,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            run_id=int(data["run_id"]),
            identity=ThreadIdentity.from_json(data["identity"]),
            site=SiteFields.from_json(data.get("site") or {}),
            profile_name=str(data.get("profile_name", "")),
            status=RunStatus(data.get("status", RunStatus.IN_PROGRESS.value)),
            stage=Stage(data.get("stage", Stage.CONNECT.value)),
            started_at=float(data.get("started_at", 0.0)),
            finished_at=data.get("finished_at"),
            snapshot=ThreadSnapshot.from_json(data["snapshot"]) if data.get("snapshot") else None,
            as_left=ThreadSnapshot.from_json(data["as_left"]) if data.get("as_left") else None,
            changes=[SettingChange(**c) for c in data.get("changes", [])],
            checks=[CheckResult.from_json(c) for c in data.get("checks", [])],
            traces=[ChannelTrace.from_json(t) for t in data.get("traces", [])],
            cloud=CloudRecord.from_json(data["cloud"]) if data.get("cloud") else None,
            config_hash=str(data.get("config_hash", "")),
            failure=str(data.get("failure", "")),
        )
