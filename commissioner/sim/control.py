"""Control endpoints under ``/_sim/``: what a test, a demo or support staff do *to* the gateway.

They are not part of the THREAD API and keep answering while the simulated device is away, so a
test can watch an update or make the device vanish on purpose:

=====================  ======  =================================  =================================
path                   method  body                               effect / answer
=====================  ======  =================================  =================================
/_sim/state            GET                                        full JSON state dump
/_sim/faults           GET                                        the fault knobs
/_sim/faults           PUT     any Faults fields                  changes them; answers all knobs
/_sim/reboot           POST    optional {"seconds": x}            reboot (away x s first, default 0)
/_sim/factory-reset    POST    optional {"seconds": x}            factory defaults, then reboot
/_sim/drop-websockets  POST                                       cut every port stream now
/_sim/unreachable      POST    {"seconds": x}                     the device is away for x s
/_sim/sensor           POST    {"port": n, "interval_s"?: s,      change a sensor's print interval,
                               "attached"?: bool}                 plug or unplug it
/_sim/power            POST    {"charge_input_v"?: v, "soc"?: %}  change the charger or the battery
=====================  ======  =================================  =================================

Bad input answers 400 ``{"error": ...}`` like the API does.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from commissioner.sim.device import SimDevice
from commissioner.sim.rest import Handler, error_response

PREFIX = "/_sim/"
MAX_AWAY_S = 7 * 24 * 3600.0


class ControlError(ValueError):
    """Bad input to a control endpoint."""


async def _body(request: web.Request, *, required: bool = False) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        if required:
            raise ControlError("expected a JSON object body")
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ControlError(f"body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _seconds(body: dict[str, Any], *, required: bool) -> float:
    value = body.get("seconds", None if required else 0)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= MAX_AWAY_S
    ):
        raise ControlError(f"seconds must be a number from 0 to {MAX_AWAY_S:g}, got {value!r}")
    return float(value)


class ControlApi:
    """Handlers of ``/_sim/*`` bound to one simulated device."""

    def __init__(self, device: SimDevice) -> None:
        self.device = device

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(PREFIX + "state", self.state),
            web.get(PREFIX + "faults", self.get_faults),
            web.put(PREFIX + "faults", self._guard(self.put_faults)),
            web.post(PREFIX + "reboot", self._guard(self.reboot)),
            web.post(PREFIX + "factory-reset", self._guard(self.factory_reset)),
            web.post(PREFIX + "drop-websockets", self.drop_websockets),
            web.post(PREFIX + "unreachable", self._guard(self.unreachable)),
            web.post(PREFIX + "sensor", self._guard(self.sensor)),
            web.post(PREFIX + "power", self._guard(self.power)),
        ]

    @staticmethod
    def _guard(handler: Handler) -> Handler:
        """Answer bad input with 400 and its sentence."""

        async def wrapper(request: web.Request) -> web.StreamResponse:
            try:
                response: web.StreamResponse = await handler(request)
            except (ControlError, ValueError) as exc:
                return error_response(400, str(exc))
            return response

        return wrapper

    async def state(self, request: web.Request) -> web.Response:
        return web.json_response(self.device.to_dict())

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.device.faults.faults.to_dict())

    async def put_faults(self, request: web.Request) -> web.Response:
        body = await _body(request, required=True)
        try:
            faults = self.device.faults.faults.updated(body)
        except TypeError as exc:
            raise ControlError(str(exc)) from None
        self.device.set_faults(faults)
        return web.json_response(faults.to_dict())

    async def reboot(self, request: web.Request) -> web.Response:
        seconds = _seconds(await _body(request), required=False)
        self.device.reboot(seconds)
        return web.json_response({"rebooting": True, "seconds": seconds})

    async def factory_reset(self, request: web.Request) -> web.Response:
        seconds = _seconds(await _body(request), required=False)
        self.device.factory_reset(seconds)
        return web.json_response({"factory_reset": True, "seconds": seconds})

    async def drop_websockets(self, request: web.Request) -> web.Response:
        return web.json_response({"dropped": self.device.sockets.drop_all()})

    async def unreachable(self, request: web.Request) -> web.Response:
        seconds = _seconds(await _body(request, required=True), required=True)
        self.device.go_down(seconds, "made unreachable")
        return web.json_response({"unreachable_s": seconds})

    async def sensor(self, request: web.Request) -> web.Response:
        body = await _body(request, required=True)
        number = body.get("port")
        link = self.device.links.get(number) if isinstance(number, int) else None
        if link is None or link.sensor is None:
            raise ControlError(f"port must name a port with a sensor (1, 2 or 3), got {number!r}")
        unknown = sorted(set(body) - {"port", "interval_s", "attached"})
        if unknown:
            raise ControlError(f"unknown key(s): {', '.join(unknown)}")
        if "interval_s" in body:
            interval = body["interval_s"]
            if isinstance(interval, bool) or not isinstance(interval, (int, float)):
                raise ControlError(f"interval_s must be a number, got {interval!r}")
            link.set_interval(float(interval))
        if "attached" in body:
            if not isinstance(body["attached"], bool):
                raise ControlError("attached must be true or false")
            link.attached = body["attached"]
        return web.json_response(link.to_dict())

    async def power(self, request: web.Request) -> web.Response:
        body = await _body(request, required=True)
        battery = self.device.state.battery
        unknown = sorted(set(body) - {"charge_input_v", "soc"})
        if unknown:
            raise ControlError(f"unknown key(s): {', '.join(unknown)}")
        for key, low, high in (("charge_input_v", 0.0, 40.0), ("soc", 0.0, 100.0)):
            if key in body:
                value = body[key]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not low <= value <= high
                ):
                    raise ControlError(
                        f"{key} must be a number from {low:g} to {high:g}, got {value!r}"
                    )
        if "charge_input_v" in body:
            battery.source_v = float(body["charge_input_v"])
        if "soc" in body:
            battery.soc = float(body["soc"])
        return web.json_response(self.device.to_dict()["power"])
