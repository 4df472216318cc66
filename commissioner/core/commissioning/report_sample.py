"""A realistic, fixed :class:`RunRecord` of a three-port install: the report's test and demo input.

Why: the report has to be looked at (the README image, the screenshot script) and tested without
running a whole commissioning against the simulators each time. The values mirror what the runner
records for the ``mixed-three-port`` profile on the default simulated THREAD: a weather probe on
port 1, a displacement transducer on port 2 and a 4-20 mA level transmitter on port 3. Nothing here
is random, so the rendered report is the same on every run.
"""

from __future__ import annotations

import math
from dataclasses import replace

from commissioner.core.commissioning.config_hash import config_hash
from commissioner.core.commissioning.run_model import (
    ChannelTrace,
    CheckResult,
    CheckStatus,
    CloudRecord,
    PortSnapshot,
    RunRecord,
    RunStatus,
    SettingChange,
    SiteFields,
    Stage,
    ThreadIdentity,
    ThreadSnapshot,
)

STARTED_AT = 1_767_862_800.0  # 2026-01-08 09:00 UTC: fixed, so the sample renders identically
_NODE = "/api/5c2e9a/node"
_SERIAL_PROPS = {"COMM_TYPE": "RS232", "BAUD_RATE": 9600, "DATA_BITS": 8, "PARITY_BIT": "NONE"}


def sample_record(
    *,
    status: RunStatus = RunStatus.PASSED,
    cloud_status: str = "registered",
    technician: str = "Dana Whitfield",
) -> RunRecord:
    """A finished run; ``status`` FAILED/ROLLED_BACK makes port 2's range check fail.

    ``cloud_status`` is "registered" (ids filled in), "queued" (registration #12 waiting for a
    connection) or "skipped". IN_PROGRESS leaves ``finished_at`` empty and stops at verification.
    """
    failed = status in (RunStatus.FAILED, RunStatus.ROLLED_BACK)
    before = _snapshot(STARTED_AT + 4.0, commissioned=False)
    after = _snapshot(STARTED_AT + 251.0, commissioned=True)
    as_left = before if status is RunStatus.ROLLED_BACK else after
    record = RunRecord(
        run_id=42,
        identity=ThreadIdentity(
            serial="A1B2C3",
            address="192.168.8.1",
            application="7.18.0",
            firmware="4.2.1",
            hardware="V12",
        ),
        site=SiteFields(
            site="North Embankment, Section B",
            location="Cabinet NE-B3, chainage 1+240",
            technician=technician,
            notes="Weather probe mounted on the mast at 2.5 m. Transducer anchor re-torqued.",
        ),
        profile_name="Mixed three-port install",
        status=status,
        stage=Stage.DONE if status is not RunStatus.IN_PROGRESS else Stage.VERIFY,
        started_at=STARTED_AT,
        finished_at=None if status is RunStatus.IN_PROGRESS else STARTED_AT + 318.0,
        snapshot=before,
        as_left=as_left,
        changes=_changes(),
        checks=_checks(failed),
        traces=_traces(failed),
        cloud=None if failed else _cloud(cloud_status),
        config_hash=config_hash(as_left),
    )
    if failed:
        record.failure = (
            "Port 2 displacement out of the expected range (-50 to 50 mm): 4 of 24 samples "
            "above 50 mm, the highest 63.4 mm."
        )
        if status is RunStatus.ROLLED_BACK:
            record.failure += " The THREAD was rolled back to the snapshot taken before the run."
    return record


def _port(
    number: int, mode: str | None, voltage: int, measured: float, **props: object
) -> PortSnapshot:
    return PortSnapshot(
        port=number,
        mode=mode,
        mode_source="last applied by this app" if mode else "unknown",
        voltage=voltage,
        voltage_source=f"inferred from {measured:.2f} V measured",
        measured_v=measured,
        device_connection=voltage != 0,
        properties=dict(props),
    )


def _snapshot(taken_at: float, *, commissioned: bool) -> ThreadSnapshot:
    if not commissioned:
        ports = (
            _port(1, None, 0, 0.02, **_SERIAL_PROPS, DELIMITERS_HEX=["0D0A"]),
            _port(2, None, 0, 0.01, **{**_SERIAL_PROPS, "COMM_TYPE": "RS485"}),
            _port(3, None, 0, 0.03),
        )
        return ThreadSnapshot(
            taken_at, False, "ethernet", {"enabled": False, "low": 10, "high": 100}, ports
        )
    rs485 = {**_SERIAL_PROPS, "COMM_TYPE": "RS485", "BAUD_RATE": 19200}
    ports = (
        _port(1, "RS232", 1, 12.02, **_SERIAL_PROPS, DELIMITERS_HEX=["0D0A"]),
        _port(2, "RS485", 1, 11.97, **rs485, DELIMITERS_HEX=["0D0A"]),
        _port(3, "ANALOG", 1, 12.05),
    )
    ports = (*ports[:2], replace(ports[2], mode_source="read back after apply"))
    return ThreadSnapshot(
        taken_at, True, "cellular", {"enabled": True, "low": 10, "high": 100}, ports
    )


def _changes() -> list[SettingChange]:
    rows = [
        ("thread.cloud_connection", "Cloud connection", "off", "on", None),
        ("thread.interface_priority", "Interface priority", "ethernet", "cellular", None),
        ("thread.battery_saver", "Battery saver", "off", "on (10 % / 100 %)", None),
        ("port1.mode", "Port 1 mode", "unknown", "RS232", 1),
        ("port1.voltage", "Port 1 supply", "off", "12 V", 1),
        ("port1.BAUD_RATE", "Port 1 baud rate", "9600", "9600", 1),
        ("port2.mode", "Port 2 mode", "unknown", "RS485", 2),
        ("port2.voltage", "Port 2 supply", "off", "12 V", 2),
        ("port2.BAUD_RATE", "Port 2 baud rate", "9600", "19200", 2),
        ("port2.DELIMITERS_HEX", "Port 2 delimiters", "none", "0D0A", 2),
        ("port3.mode", "Port 3 mode", "unknown", "ANALOG", 3),
        ("port3.voltage", "Port 3 supply", "off", "12 V", 3),
    ]
    return [SettingChange(k, label, b, a, b != a, port) for k, label, b, a, port in rows]


# stage | key | label | status | evidence  (the port is read from the key)
_CHECKS = """
verify|setting.thread.cloud_connection|Cloud connection|pass|read back: on
verify|setting.port1.BAUD_RATE|Port 1 serial settings|pass|read back: 9600 baud, 8 data bits, \
parity NONE, delimiter 0D0A
verify|setting.port2.BAUD_RATE|Port 2 serial settings|pass|read back: 19200 baud, 8 data bits, \
parity NONE, delimiter 0D0A
verify|voltage.port1|Port 1 supply voltage|pass|measured 12.02 V (expected 12 V ±1 V)
verify|voltage.port2|Port 2 supply voltage|pass|measured 11.97 V (expected 12 V ±1 V)
verify|voltage.port3|Port 3 supply voltage|pass|measured 12.05 V (expected 12 V ±1 V)
verify|data.port1|Port 1 data arriving|pass|30 lines in 60 s, parsed as CSV with 3 columns
verify|range.port1.temperature|Port 1 temperature in range|pass|30 of 30 samples within -40 to \
60 °C (18.2 to 19.6 °C)
verify|range.port1.humidity|Port 1 humidity in range|pass|30 of 30 samples within 0 to 100 % \
(61.0 to 64.8 %)
verify|range.port1.pressure|Port 1 pressure in range|pass|30 of 30 samples within 800 to \
1100 hPa (1011.5 to 1013.7 hPa)
verify|interval.port1.temperature|Port 1 reporting interval|warn|median 2.3 s, expected 2.0 s \
(within 25 %)
verify|data.port2|Port 2 data arriving|pass|24 lines in 120 s after poll 01R
verify|range.port2.displacement|Port 2 displacement in range|pass|24 of 24 samples within -50 to \
50 mm (-3.1 to 4.6 mm)
verify|range.port3.loop_current|Port 3 loop current in range|pass|5 of 5 readings within 4 to \
20 mA (11.8 to 12.1 mA)
register|cloud.registered|Registered in the cloud|pass|node, 3 devices and 5 sensors created
confirm|cloud.data|Data seen in the cloud|skipped|confirmation skipped: the installer chose not \
to wait
"""


def _checks(failed: bool) -> list[CheckResult]:
    checks = []
    for line in _CHECKS.strip().splitlines():
        stage, key, label, status, evidence = line.split("|")
        port = next((int(part[4:]) for part in key.split(".") if part.startswith("port")), None)
        check = CheckResult(key, label, CheckStatus(status), evidence, port, Stage(stage))
        if failed and check.key == "range.port2.displacement":
            check = replace(
                check,
                status=CheckStatus.FAIL,
                evidence="4 of 24 samples above 50 mm (highest 63.4 mm)",
            )
        if not (failed and check.stage is not Stage.VERIFY):
            checks.append(check)
    return checks


def _wave(
    n: int, step: float, base: float, amp: float, period: float, jitter: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    times = tuple(round(i * step, 2) for i in range(n))
    values = tuple(
        round(base + amp * math.sin(t / period) + jitter * math.sin(7.3 * i), 3)
        for i, t in enumerate(times)
    )
    return times, values


def _traces(failed: bool) -> list[ChannelTrace]:
    t1, temp = _wave(30, 2.0, 18.9, 0.6, 14.0, 0.08)
    _, hum = _wave(30, 2.0, 62.9, 1.7, 11.0, 0.3)
    _, pres = _wave(30, 2.0, 1012.6, 0.9, 20.0, 0.15)
    t2, disp = _wave(24, 5.0, 0.8, 3.5, 18.0, 0.4)
    if failed:
        disp = tuple(
            v + (58.0 + i % 3 * 2.4 if i in (15, 16, 17, 19) else 0.0) for i, v in enumerate(disp)
        )
    t3, loop = _wave(5, 24.0, 11.95, 0.12, 30.0, 0.02)
    return [
        ChannelTrace(1, "temperature", "°C", t1, temp, -40.0, 60.0),
        ChannelTrace(1, "humidity", "%", t1, hum, 0.0, 100.0),
        ChannelTrace(1, "pressure", "hPa", t1, pres, 800.0, 1100.0),
        ChannelTrace(2, "displacement", "mm", t2, disp, -50.0, 50.0),
        ChannelTrace(3, "loop_current", "mA", t3, loop, 4.0, 20.0),
    ]


def _cloud(status: str) -> CloudRecord:
    if status == "queued":
        return CloudRecord("queued", "Site operations", "Embankment monitoring", 12)
    if status != "registered":
        return CloudRecord("skipped", reason="the profile does not register this THREAD")
    dev = {
        n: f"{_NODE}/dynamic/{h}/device" for n, h in ((1, "a41f07"), (2, "b7720c"), (3, "c0d913"))
    }
    sensors = {
        1: [f"{dev[1]}/{h}/sensor" for h in ("e10a2b", "e10a2c", "e10a2d")],
        2: [f"{dev[2]}/f38b41/sensor"],
        3: [f"{dev[3]}/9d06e5/sensor"],
    }
    return CloudRecord(
        "registered", "Site operations", "Embankment monitoring", 12, _NODE, dev, sensors
    )
