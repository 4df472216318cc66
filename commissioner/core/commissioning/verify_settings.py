"""Verification of settings: the THREAD read back after apply, item by item against the target.

Each item carries the sentence a reader checks. What the Edge API can read (properties, device
connections, gateway settings) is compared exactly; a powered port's voltage is the *measured*
voltage within a tolerance of its setting; a serial mode shows through ``COMM_TYPE``; other
modes cannot be read and are reported as such (WARN), never as verified.
"""

from __future__ import annotations

from typing import Any

from commissioner.core.commissioning.actions import (
    PortTarget,
    ThreadTarget,
    port_field_label,
    setting_text,
)
from commissioner.core.commissioning.run_model import (
    CheckResult,
    CheckStatus,
    PortSnapshot,
    ThreadSnapshot,
)
from commissioner.core.commissioning.snapshot import plain
from commissioner.core.ports.device_state import VOLTAGE_TOLERANCE_V
from commissioner.core.ports.fields import SERIAL_MODES, PortField, format_value


def settings_checks(
    target: ThreadTarget, readback: ThreadSnapshot, tolerance_v: float = VOLTAGE_TOLERANCE_V
) -> list[CheckResult]:
    """One check per target setting, in the order of the plan's diff."""
    checks: list[CheckResult] = []
    for port_target in target.ports:
        port = readback.port(port_target.port)
        if port is not None:
            checks.extend(_port_checks(port_target, port, tolerance_v))
    gateway: list[tuple[str, str, Any, Any]] = [
        (
            "interface_priority",
            "Interface priority",
            None if target.interface_priority is None else target.interface_priority.value,
            readback.interface_priority,
        ),
        ("battery_saver", "Battery saver", target.battery_saver, readback.battery_saver),
        (
            "cloud_connection",
            "Cloud connection",
            target.cloud_connection,
            readback.cloud_connection,
        ),
    ]
    for key, label, wanted, actual in gateway:
        if wanted is not None:
            checks.append(_equal(f"setting.thread.{key}", label, wanted, actual, None))
    return checks


def _port_checks(target: PortTarget, port: PortSnapshot, tolerance_v: float) -> list[CheckResult]:
    n = port.port
    out: list[CheckResult] = []
    if target.mode is not None:
        out.append(_mode_check(target, port))
    if target.voltage is not None:
        out.append(voltage_check(n, int(target.voltage), port.measured_v, tolerance_v))
    for key, wanted in target.properties.items():
        label = port_field_label(n, PortField(key))
        out.append(
            _equal(f"setting.port{n}.{key}", label, plain(wanted), port.properties.get(key), n)
        )
    for key in target.remove:
        present = key in port.properties
        out.append(
            CheckResult(
                f"setting.port{n}.{key}",
                f"{port_field_label(n, PortField(key))} removed",
                CheckStatus.FAIL if present else CheckStatus.PASS,
                f"still reads {port.properties[key]}" if present else "not set, as planned",
                n,
            )
        )
    if target.device_connection is not None:
        out.append(
            _equal(
                f"setting.port{n}.DEVICE_CONNECTION",
                f"Port {n} device connection",
                target.device_connection,
                port.device_connection,
                n,
            )
        )
    return out


def _mode_check(target: PortTarget, port: PortSnapshot) -> CheckResult:
    assert target.mode is not None
    n, mode = port.port, target.mode
    key, label = f"setting.port{n}.MODE", f"Port {n} interface mode"
    if mode not in SERIAL_MODES:
        return CheckResult(
            key,
            label,
            CheckStatus.WARN,
            f"the THREAD accepted {mode.value}; the Edge API cannot read the mode back "
            "(the data checks below prove the port works)",
            n,
        )
    comm = port.properties.get("COMM_TYPE")
    if comm == mode.value:
        return CheckResult(key, label, CheckStatus.PASS, f"COMM_TYPE reads {comm}", n)
    return CheckResult(
        key,
        label,
        CheckStatus.FAIL,
        f"COMM_TYPE reads {comm or 'nothing'}, not {mode.value}: the port passes no data",
        n,
    )


def voltage_check(
    port: int, voltage_code: int, measured_v: float | None, tolerance_v: float
) -> CheckResult:
    """The measured port voltage against the setting (0 V, 12 V or 15 V) ± ``tolerance_v``."""
    nominal = {0: 0.0, 1: 12.0, 2: 15.0}[voltage_code]
    key, label = f"voltage.port{port}", f"Port {port} output voltage"
    if measured_v is None:
        return CheckResult(
            key, label, CheckStatus.FAIL, "the port voltage could not be measured", port
        )
    ok = abs(measured_v - nominal) <= tolerance_v
    return CheckResult(
        key,
        label,
        CheckStatus.PASS if ok else CheckStatus.FAIL,
        f"measured {measured_v:.2f} V, set {nominal:g} V ± {tolerance_v:g} V"
        + ("" if ok else ": check for a short or an overloaded port"),
        port,
    )


def _equal(key: str, label: str, wanted: Any, actual: Any, port: int | None) -> CheckResult:
    ok = _same(wanted, actual)
    field = PortField(key.rsplit(".", 1)[1]) if port is not None and "." in key else None
    shown = format_value(field, actual) if field is not None else setting_text(actual)
    expected = format_value(field, wanted) if field is not None else setting_text(wanted)
    return CheckResult(
        key,
        label,
        CheckStatus.PASS if ok else CheckStatus.FAIL,
        f"reads {shown}" if ok else f"reads {shown}, expected {expected}",
        port,
    )


def _same(wanted: Any, actual: Any) -> bool:
    wanted, actual = plain(wanted), plain(actual)
    if isinstance(wanted, list) and isinstance(actual, list):
        return [str(w).upper() for w in wanted] == [str(a).upper() for a in actual]
    return bool(wanted == actual or str(wanted) == str(actual))
