"""The THREAD Edge REST API under ``/api/``, as ``commissioner.core.edge.paths`` documents it.

Every input is checked with the same functions the client uses (``commissioner.core.edge.rules``),
so the simulator rejects exactly what the client refuses to send; a rule broken anyway is answered
HTTP 400 ``{"error": "<field>: <what is wrong>"}``. Like the seed's curl examples, bodies are read
as JSON whatever the Content-Type, and booleans may be JSON booleans or "true"/"false" strings.

One behaviour the seed leaves open: ``deviceRsSel`` with RS232, RS485 or USB also stores that
value as the port's ``COMM_TYPE``, so selecting the interface is enough to talk to a sensor;
setting a different ``COMM_TYPE`` afterwards (``PUT configure``) makes the two disagree, and the
port then passes no data.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web

from commissioner.core.edge import paths as P
from commissioner.core.edge import rules
from commissioner.core.edge.errors import EdgeValidationError
from commissioner.sim.clock import format_iso, parse_iso
from commissioner.sim.device import SimDevice

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COMM_TYPES = frozenset(c.value for c in rules.CommType)
_JAR_VERSION = re.compile(r"-(\d+(?:\.\d+){1,3})\.jar$")


def error_response(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({P.K_ERROR: message}, status=status, headers=headers or None)


def _validated(handler: Handler) -> Handler:
    """Answer a broken rule with 400 and the rule's sentence."""

    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except EdgeValidationError as exc:
            return error_response(400, str(exc))

    return wrapper


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a validation error saying what is wrong with it."""
    raw = await request.read()
    if not raw.strip():
        raise EdgeValidationError("body", "expected a JSON object, got an empty body")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EdgeValidationError("body", f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise EdgeValidationError("body", f"must be a JSON object, got {type(data).__name__}")
    return data


def _ok(data: dict[str, Any]) -> web.Response:
    return web.json_response(data)


class RestApi:
    """Handlers of ``/api/*`` bound to one simulated device."""

    def __init__(self, device: SimDevice) -> None:
        self.device = device
        self.state = device.state

    def routes(self) -> list[web.RouteDef]:
        get, post, put, delete = web.get, web.post, web.put, web.delete
        table: list[tuple[Callable[..., web.RouteDef], str, Handler]] = [
            (get, P.SERIAL_NUMBER, self.serial_number),
            (get, P.TIME, self.get_time),
            (post, P.TIME, self.set_time),
            (get, P.TIME_ACCURATE, self.time_accurate),
            (get, P.CHARGE_INPUT_VOLTAGE, self.charge_input_voltage),
            (get, P.CHARGE_INPUT_CURRENT, self.charge_input_current),
            (get, P.BATTERY_VOLTAGE, self.battery_voltage),
            (get, P.STATE_OF_CHARGE, self.state_of_charge),
            (get, P.BATTERY_SAVER, self.get_battery_saver),
            (put, P.BATTERY_SAVER, self.set_battery_saver),
            (get, P.DEVICE_ADC_READ, self.adc_read),
            (post, P.DEVICE_VOLTAGE, self.device_voltage),
            (post, P.SLEEP, self.sleep),
            (get, P.TEMP_READ, self.temp_read),
            (get, P.PRESS_READ, self.press_read),
            (get, P.DEVICE_ADC_READ_420, self.adc_read_420),
            (post, P.DEVICE_RS_SEL, self.rs_sel),
            (post, P.OBSERVATION, self.observation),
            (get, P.CONFIGURE, self.get_configure),
            (put, P.CONFIGURE, self.put_configure),
            (delete, P.CONFIGURE, self.delete_configure),
            (get, P.INTERFACE_PRIORITY, self.get_interface),
            (put, P.INTERFACE_PRIORITY + "/{name}", self.put_interface),
            (post, P.MESSAGE, self.message),
            (get, P.VERSION, self.version),
            (get, P.FIRMWARE, self.firmware),
            (get, P.HARDWARE, self.hardware),
            (post, P.UPDATE, self.update),
            (post, P.ACCESSIBLE, self.accessible),
            (get, P.CLOUD_CONNECTION, self.get_cloud),
            (put, P.CLOUD_CONNECTION, self.put_cloud),
            (get, P.DEVICE_CONNECTION, self.get_device_connection),
            (put, P.DEVICE_CONNECTION, self.put_device_connection),
        ]
        return [method(P.API_PREFIX + path, _validated(handler)) for method, path, handler in table]

    # -- identity and clock ----------------------------------------------------------------------

    async def serial_number(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.identity.serial_number})

    async def get_time(self, request: web.Request) -> web.Response:
        return _ok({P.K_TIME: self.state.clock.iso()})

    async def set_time(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        text = rules.iso_time(body.get(P.K_TIME))
        self.state.clock.set(parse_iso(text))
        return _ok({P.K_TIME: format_iso(self.state.clock.now())})

    async def time_accurate(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.time_accurate()})

    async def version(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.identity.application})

    async def firmware(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.identity.firmware})

    async def hardware(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.identity.hardware})

    # -- power and environment -------------------------------------------------------------------

    def _now(self) -> float:
        return time.monotonic()

    async def charge_input_voltage(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: round(self.state.battery.input_v(), 4)})

    async def charge_input_current(self, request: web.Request) -> web.Response:
        current = self.state.battery.input_current_a()
        noise = self.device.rng.gauss(0.0, 0.0004) if current > 0 else 0.0
        return _ok({P.K_VALUE: round(max(0.0, current + noise), 4)})

    async def battery_voltage(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: round(self.state.battery.battery_v(self._now()), 4)})

    async def state_of_charge(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: round(self.state.battery.soc)})

    def _saver(self) -> dict[str, Any]:
        p = self.state.persistent
        return {P.K_VALUE: p.battery_saver, P.K_LOW: p.saver_low, P.K_HIGH: p.saver_high}

    async def get_battery_saver(self, request: web.Request) -> web.Response:
        return _ok(self._saver())

    async def set_battery_saver(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        enabled, low, high = rules.battery_saver(
            body.get(P.K_VALUE), body.get(P.K_LOW), body.get(P.K_HIGH)
        )
        p = self.state.persistent
        p.battery_saver, p.saver_low, p.saver_high = enabled, low, high
        return _ok(self._saver())

    async def temp_read(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: round(self.state.environment.temperature_c(self._now()), 2)})

    async def press_read(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: round(self.state.pressure_reading(self._now()), 6)})

    async def sleep(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        duration = rules.sleep_duration(body.get(P.K_DURATION))
        self.device.sleep(duration)
        return _ok({P.K_DURATION: duration})

    async def observation(self, request: web.Request) -> web.Response:
        e = self.state.ephemeral
        e.led_flashes += 1
        e.last_flash = self.state.clock.iso()
        return _ok({P.K_VALUE: True})

    # -- ports -----------------------------------------------------------------------------------

    async def adc_read(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        option = rules.adc_option(request.query.get("option"))
        link = self.device.links[port]
        value = link.adc_voltage() if option is rules.AdcOption.VOLTAGE else link.adc_current()
        return _ok({P.K_VALUE: value})

    async def adc_read_420(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        return _ok({P.K_VALUE: self.device.links[port].loop_current()})

    async def device_voltage(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        port = rules.port(body.get(P.K_PORT_NUMBER), P.K_PORT_NUMBER)
        voltage = rules.port_voltage(body.get(P.K_VALUE))
        self.state.port(port).voltage = voltage
        return _ok({P.K_PORT_NUMBER: port, P.K_VALUE: int(voltage)})

    async def rs_sel(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        port = rules.port(body.get(P.K_PORT_NUMBER), P.K_PORT_NUMBER)
        mode = rules.port_mode(port, body.get(P.K_CONTENT))
        config = self.state.port(port)
        config.mode = mode
        if mode.value in COMM_TYPES:
            # Selecting a serial interface also sets the port's COMM_TYPE to it (a later PUT
            # configure can still set a different one, which then blocks the data).
            config.properties["COMM_TYPE"] = mode.value
        return _ok({P.K_PORT_NUMBER: port, P.K_CONTENT: mode.value})

    async def get_configure(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        return _ok(dict(self.state.port(port).properties))

    async def put_configure(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        props = rules.port_properties(port, await json_body(request))
        config = self.state.port(port)
        config.properties.update(props)
        return _ok(dict(config.properties))

    async def delete_configure(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        body = await json_body(request)
        names = rules.property_names(body.get(P.K_RESOURCES))
        config = self.state.port(port)
        for name in names:
            config.properties.pop(name, None)
        return _ok(dict(config.properties))

    async def message(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        port = rules.port(body.get(P.K_PORT_NUMBER), P.K_PORT_NUMBER)
        text = rules.message_text(body.get(P.K_MESSAGE))
        self.device.links[port].send_to_device(text.encode("utf-8"))
        return _ok({P.K_PORT_NUMBER: port, P.K_MESSAGE: text})

    async def get_device_connection(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        return _ok({P.K_VALUE: self.state.port(port).device_connection})

    async def put_device_connection(self, request: web.Request) -> web.Response:
        port = rules.port(request.query.get("port"), "port")
        value = rules.boolean((await json_body(request)).get(P.K_VALUE), P.K_VALUE)
        self.state.port(port).device_connection = value
        return _ok({P.K_VALUE: value})

    # -- network, cloud, LED, update -------------------------------------------------------------

    async def get_interface(self, request: web.Request) -> web.Response:
        return _ok({P.K_CONTENT: self.state.persistent.interface.route})

    async def put_interface(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            interface = rules.NetworkInterface(name.lower())
        except ValueError:
            allowed = ", ".join(i.value for i in rules.NetworkInterface)
            raise EdgeValidationError(
                "interfacePriority", f"unknown interface {name!r} (use {allowed})"
            ) from None
        self.state.persistent.interface = interface
        return _ok({P.K_CONTENT: interface.route})

    async def accessible(self, request: web.Request) -> web.Response:
        value = rules.boolean((await json_body(request)).get(P.K_VALUE), P.K_VALUE)
        self.state.ephemeral.accessible = value
        return _ok({P.K_VALUE: value})

    async def get_cloud(self, request: web.Request) -> web.Response:
        return _ok({P.K_VALUE: self.state.persistent.cloud_connection})

    async def put_cloud(self, request: web.Request) -> web.Response:
        value = rules.boolean((await json_body(request)).get(P.K_VALUE), P.K_VALUE)
        self.state.persistent.cloud_connection = value
        return _ok({P.K_VALUE: value})

    async def update(self, request: web.Request) -> web.Response:
        query = request.query
        if "version" in query and "file" in query:
            raise EdgeValidationError("version/file", "give ?version or ?file, not both")
        if "version" in query:
            version = rules.update_version(query["version"])
            source = f"cloud {version}"
        elif "file" in query:
            path = rules.update_file(query["file"])
            match = _JAR_VERSION.search(path)
            version = match.group(1) if match else path.rsplit("/", 1)[-1].removesuffix(".jar")
            source = path
        else:
            version = self.device.scenario.device.latest_application
            source = "cloud latest"
        self.device.start_update(version, source)
        return _ok({P.K_VALUE: "updating", "version": version})
