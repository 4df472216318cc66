"""Every Edge REST operation as a CLI subcommand: its arguments, the call, and readable output.

Each operation returns ``(text, data)``: ``text`` for people, ``data`` for ``--json``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import PROPERTY_KEYS, AdcOption, PortMode, PortVoltage

Result = tuple[str, Any]
Runner = Callable[[EdgeClient, argparse.Namespace], Awaitable[Result]]


@dataclass(frozen=True)
class Operation:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Runner


OPERATIONS: dict[str, Operation] = {}


def operation(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None] | None = None
) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        OPERATIONS[name] = Operation(name, help, configure or (lambda _p: None), run)
        return run

    return register


def _port_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("port", type=int, help="device port, 1-3")


def _on_off(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("state", nargs="?", choices=["on", "off"], help="omit to read")


_VOLTAGES = {
    "off": PortVoltage.OFF,
    "0": PortVoltage.OFF,
    "12": PortVoltage.V12,
    "15": PortVoltage.V15,
}


# -- identity and clock -----------------------------------------------------------------------


@operation("serial-number", "the THREAD Connect Code (serialNumber)")
async def _serial(client: EdgeClient, _a: argparse.Namespace) -> Result:
    serial = await client.serial_number()
    return f"Serial number (THREAD Connect Code): {serial}", {"serialNumber": serial}


def _time_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--set", metavar="ISO", help="set the clock, e.g. 2026-11-22T10:00:00Z")
    group.add_argument("--sync", action="store_true", help="set the clock to this computer's")


@operation("time", "read or set the THREAD's clock (time)", _time_args)
async def _time(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.set or a.sync:
        when = None
        if a.set:
            try:
                when = datetime.fromisoformat(a.set.replace("Z", "+00:00"))
            except ValueError:
                raise EdgeValidationError(
                    "time", f"is not an ISO 8601 date-time: {a.set!r}"
                ) from None
            if when.tzinfo is None:
                raise EdgeValidationError("time", "needs a time zone, e.g. a trailing Z for UTC")
        moment = await client.set_time(when)
        return f"THREAD clock set to {moment.isoformat()}", {"time": moment.isoformat()}
    clock = await client.get_time()
    text = f"THREAD time: {clock.device_time.isoformat()} (offset from this computer {clock.offset_s:+.2f} s)"
    return text, clock.as_json()


@operation("time-accurate", "whether RTC/OS clock sync has finished (timeAccurate)")
async def _time_accurate(client: EdgeClient, _a: argparse.Namespace) -> Result:
    accurate = await client.time_accurate()
    return f"Clock synchronised: {'yes' if accurate else 'not yet'}", {"value": accurate}


# -- power --------------------------------------------------------------------------------------


def _quantity_op(name: str, help: str, label: str, method: str) -> None:
    async def run(client: EdgeClient, _a: argparse.Namespace) -> Result:
        quantity = await getattr(client, method)()
        return f"{label}: {quantity}", quantity.as_json()

    operation(name, help)(run)


_quantity_op(
    "input-voltage",
    "charge input voltage (chargeInputVoltage)",
    "Input voltage",
    "charge_input_voltage",
)
_quantity_op(
    "input-current",
    "charge input current (chargeInputCurrent)",
    "Input current",
    "charge_input_current",
)
_quantity_op(
    "battery-voltage", "battery voltage (batteryVoltage)", "Battery voltage", "battery_voltage"
)
_quantity_op(
    "state-of-charge",
    "battery state of charge (stateOfCharge)",
    "State of charge",
    "state_of_charge",
)
_quantity_op("temperature", "device temperature (tempRead)", "Temperature", "temperature")


def _saver_args(parser: argparse.ArgumentParser) -> None:
    _on_off(parser)
    parser.add_argument("--low", type=int, help="%% charge to shut off (0-40)")
    parser.add_argument("--high", type=int, help="%% charge to stop charging (60-100)")


@operation("battery-saver", "read or set the battery saver (batterySaver)", _saver_args)
async def _battery_saver(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.state is None:
        if a.low is not None or a.high is not None:
            raise EdgeValidationError("battery-saver", "say on or off when giving --low/--high")
        saver = await client.get_battery_saver()
    else:
        saver = await client.set_battery_saver(a.state == "on", a.low, a.high)
    return f"Battery saver: {saver}", saver.as_json()


def _sleep_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("duration_ms", type=int, help="milliseconds of low-power mode")


@operation("sleep", "put the THREAD in low-power mode (sleep)", _sleep_args)
async def _sleep(client: EdgeClient, a: argparse.Namespace) -> Result:
    await client.sleep(a.duration_ms)
    text = f"THREAD sleeping for {a.duration_ms} ms; it will not answer until it wakes"
    return text, {"duration": a.duration_ms}


@operation("pressure", "atmospheric pressure, normalised to pascals (pressRead)")
async def _pressure(client: EdgeClient, _a: argparse.Namespace) -> Result:
    pressure = await client.pressure()
    text = (
        f"Pressure: {pressure} ({pressure.pascals:.1f} Pa; device reported "
        f"{pressure.raw_value:g} {pressure.raw_unit.value} on hardware {pressure.hardware})"
    )
    return text, pressure.as_json()


# -- ports ----------------------------------------------------------------------------------------


def _adc_args(parser: argparse.ArgumentParser) -> None:
    _port_arg(parser)
    parser.add_argument("what", nargs="?", choices=["voltage", "current", "both"], default="both")


@operation("port-adc", "measured port voltage and/or current (deviceAdcRead)", _adc_args)
async def _port_adc(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.what == "both":
        reading = await client.port_measurement(a.port)
        text = f"Port {a.port}: {reading.voltage}, {reading.current}"
        return text, reading.as_json()
    option = AdcOption.VOLTAGE if a.what == "voltage" else AdcOption.CURRENT
    quantity = await client.port_adc(a.port, option)
    return f"Port {a.port} {a.what}: {quantity}", quantity.as_json()


def _voltage_args(parser: argparse.ArgumentParser) -> None:
    _port_arg(parser)
    parser.add_argument("voltage", help="off, 12 or 15")


@operation("port-voltage", "set a port's output voltage (deviceVoltage)", _voltage_args)
async def _port_voltage(client: EdgeClient, a: argparse.Namespace) -> Result:
    code = _VOLTAGES.get(str(a.voltage).lower().removesuffix("v"))
    if code is None:
        raise EdgeValidationError("voltage", f"must be off, 12 or 15, got {a.voltage!r}")
    await client.set_port_voltage(a.port, code)
    return f"Port {a.port} output set to {code.label}", {"portNumber": a.port, "value": int(code)}


@operation("current-420", "4-20 mA loop current of a port (deviceAdcRead420)", _port_arg)
async def _current_420(client: EdgeClient, a: argparse.Namespace) -> Result:
    quantity = await client.loop_current_420(a.port)
    text = f"Port {a.port} loop current: {quantity.value * 1000:.3f} mA"
    return text, quantity.as_json()


def _mode_args(parser: argparse.ArgumentParser) -> None:
    _port_arg(parser)
    parser.add_argument("mode", help=", ".join(m.value for m in PortMode) + " (USB only on port 1)")


@operation("port-mode", "set a port's interface mode (deviceRsSel)", _mode_args)
async def _port_mode(client: EdgeClient, a: argparse.Namespace) -> Result:
    mode = await client.set_port_mode(a.port, a.mode)
    return f"Port {a.port} mode set to {mode.value}", {"portNumber": a.port, "content": mode.value}


@operation("flash-led", "flash the THREAD's LED to find it (observation)")
async def _flash(client: EdgeClient, _a: argparse.Namespace) -> Result:
    await client.flash_led()
    return "LED flashed", {"value": True}


def _configure_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["get", "set", "delete"])
    _port_arg(parser)
    parser.add_argument(
        "items",
        nargs="*",
        metavar="KEY[=VALUE]",
        help=f"set: KEY=VALUE pairs; delete: KEY names. Keys: {', '.join(PROPERTY_KEYS)}. "
        "DELIMITERS_HEX takes a comma-separated list, e.g. DELIMITERS_HEX=0D0A,0D",
    )


def _parse_property(item: str) -> tuple[str, Any]:
    key, sep, value = item.partition("=")
    key = key.strip().upper()
    if not sep:
        raise EdgeValidationError(key or "property", "write it as KEY=VALUE")
    if key in ("BAUD_RATE", "DATA_BITS"):
        if not value.strip().isdigit():
            raise EdgeValidationError(key, f"must be a whole number, got {value!r}")
        return key, int(value)
    if key == "DELIMITERS_HEX":
        return key, [part.strip() for part in value.split(",") if part.strip()]
    return key, value.strip()


@operation(
    "configure", "get, set or delete a port's serial properties (configure)", _configure_args
)
async def _configure(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.action == "get":
        props = await client.get_port_properties(a.port)
    elif a.action == "set":
        props = await client.set_port_properties(a.port, dict(map(_parse_property, a.items)))
    else:
        props = await client.delete_port_properties(a.port, [i.strip().upper() for i in a.items])
    payload = props.to_payload()
    lines = [f"Port {a.port} properties:"] + [f"  {k} = {v}" for k, v in payload.items()]
    if not payload:
        lines.append("  (none set)")
    return "\n".join(lines), payload


def _priority_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "interface", nargs="?", choices=["ethernet", "cellular"], help="omit to read"
    )


@operation(
    "interface-priority", "read or set the preferred network (interfacePriority)", _priority_args
)
async def _priority(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.interface:
        await client.prioritise_interface(a.interface)
    priority = await client.get_interface_priority()
    return f"Preferred network: {priority}", {
        "content": priority.route,
        "interface": priority.interface.value,
    }


def _message_args(parser: argparse.ArgumentParser) -> None:
    _port_arg(parser)
    parser.add_argument("message", help="text to send to the device on the port")


@operation("message", "send a message to the device on a port (message)", _message_args)
async def _message(client: EdgeClient, a: argparse.Namespace) -> Result:
    await client.send_message(a.port, a.message)
    return f"Sent {len(a.message)} characters to port {a.port}", {
        "portNumber": a.port,
        "message": a.message,
    }


@operation("version", "application version (version)")
async def _version(client: EdgeClient, _a: argparse.Namespace) -> Result:
    version = await client.application_version()
    return f"Application version: {version}", {"value": version}


@operation("firmware", "firmware version (firmware)")
async def _firmware(client: EdgeClient, _a: argparse.Namespace) -> Result:
    version = await client.firmware_version()
    return f"Firmware version: {version}", {"value": version}


@operation("hardware", "hardware version (hardware)")
async def _hardware(client: EdgeClient, _a: argparse.Namespace) -> Result:
    version = await client.hardware_version()
    return f"Hardware version: {version}", {"value": version}


def _update_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--version", dest="to_version", help="a specific cloud version, e.g. 7.18.0")
    group.add_argument("--file", help="absolute path of a .jar on the THREAD's filesystem")


@operation("update", "update the application: latest, --version or --file (update)", _update_args)
async def _update(client: EdgeClient, a: argparse.Namespace) -> Result:
    announced = await client.update(version=a.to_version, file=a.file)
    target = announced or a.to_version or a.file or "the latest version"
    text = f"Update to {target} started; the THREAD restarts and is unreachable for a while"
    return text, {"started": True, "version": announced}


def _led_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("colour", choices=["green", "red"])


@operation("led", "set the exterior LED green or red (accessible)", _led_args)
async def _led(client: EdgeClient, a: argparse.Namespace) -> Result:
    await client.set_led_green(a.colour == "green")
    note = " (the cloud connection's health overrides it while cloud connection is on)"
    return f"LED set to {a.colour}{note}", {"value": a.colour == "green"}


@operation(
    "cloud-connection", "read or set the iTwin IoT cloud connection (cloudConnection)", _on_off
)
async def _cloud(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.state is None:
        enabled = await client.get_cloud_connection()
    else:
        enabled = await client.set_cloud_connection(a.state == "on")
    return f"Cloud connection: {'enabled' if enabled else 'disabled'}", {"value": enabled}


def _device_connection_args(parser: argparse.ArgumentParser) -> None:
    _port_arg(parser)
    _on_off(parser)


@operation(
    "device-connection",
    "read or set a port's device connection (deviceConnection)",
    _device_connection_args,
)
async def _device_connection(client: EdgeClient, a: argparse.Namespace) -> Result:
    if a.state is None:
        enabled = await client.get_device_connection(a.port)
    else:
        enabled = await client.set_device_connection(a.port, a.state == "on")
    return f"Port {a.port} device connection: {'enabled' if enabled else 'disabled'}", {
        "value": enabled
    }


@operation("status", "identity, health and every port's settings in one read")
async def _status(client: EdgeClient, _a: argparse.Namespace) -> Result:
    serial, versions, clock, accurate = await asyncio.gather(
        client.serial_number(), client.versions(), client.get_time(), client.time_accurate()
    )
    vin, iin, vbat, soc, temp, pressure, saver, priority, cloud = await asyncio.gather(
        client.charge_input_voltage(),
        client.charge_input_current(),
        client.battery_voltage(),
        client.state_of_charge(),
        client.temperature(),
        client.pressure(),
        client.get_battery_saver(),
        client.get_interface_priority(),
        client.get_cloud_connection(),
    )
    ports = []
    for port in (1, 2, 3):
        props, measurement, connection = await asyncio.gather(
            client.get_port_properties(port),
            client.port_measurement(port),
            client.get_device_connection(port),
        )
        ports.append((port, props, measurement, connection))
    lines = [
        f"THREAD {serial}  application {versions.application}  firmware {versions.firmware}  hardware {versions.hardware}",
        f"Clock {clock.device_time.isoformat()} (offset {clock.offset_s:+.2f} s, synchronised: {'yes' if accurate else 'no'})",
        f"Input {vin} {iin}  battery {vbat} {soc}  saver {saver}",
        f"Temperature {temp}  pressure {pressure}  network {priority}  cloud {'on' if cloud else 'off'}",
    ]
    for port, props, measurement, connection in ports:
        lines.append(
            f"Port {port}: {props.comm_type.value if props.comm_type else '-'} {props.framing}  "
            f"measured {measurement.voltage} {measurement.current}  device connection {'on' if connection else 'off'}"
        )
    data = {
        "serialNumber": serial,
        "versions": versions.as_json(),
        "clock": clock.as_json(),
        "timeAccurate": accurate,
        "inputVoltage": vin.as_json(),
        "inputCurrent": iin.as_json(),
        "batteryVoltage": vbat.as_json(),
        "stateOfCharge": soc.as_json(),
        "temperature": temp.as_json(),
        "pressure": pressure.as_json(),
        "batterySaver": saver.as_json(),
        "interfacePriority": priority.route,
        "cloudConnection": cloud,
        "ports": [
            {
                "port": p,
                "properties": pr.to_payload(),
                "measurement": m.as_json(),
                "deviceConnection": c,
            }
            for p, pr, m, c in ports
        ],
    }
    return "\n".join(lines), data
