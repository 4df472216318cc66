"""ThreadServer: one simulated THREAD gateway on one TCP port, REST and WebSocket together.

Like a real THREAD, one HTTP port serves the REST API (``/api/...``) and the port streams
(``/ws/port/N``); the simulator adds its control endpoints (``/_sim/...``). It binds only to the
address it is given (loopback by default) and never connects anywhere.

Requests pass three layers, outermost first:

1. availability: while the device is away (asleep, updating, rebooting, made unreachable) every
   connection except ``/_sim/`` is reset, so clients see what they would see in the field;
2. faults: added latency, HTTP 500s and cut-short JSON on ``/api/`` (never on ``/_sim/``);
3. JSON errors: 404, 405 and unexpected failures answer ``{"error": ...}`` like the API does.

Usage::

    async with ThreadServer(load_scenario("default")) as thread:
        print(thread.url)          # http://127.0.0.1:<port>
"""

from __future__ import annotations

import asyncio
import logging
import random

from aiohttp import web

from commissioner.core.edge import paths as P
from commissioner.core.lifecycle import AsyncService
from commissioner.sim.control import PREFIX as CONTROL_PREFIX
from commissioner.sim.control import ControlApi
from commissioner.sim.device import SimDevice
from commissioner.sim.faults import Faults
from commissioner.sim.listening import bind_listener, http_url
from commissioner.sim.rest import Handler, RestApi, error_response
from commissioner.sim.scenario import Scenario, load_scenario
from commissioner.sim.state import DeviceState
from commissioner.sim.transport import abort_connection

log = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT_S = 2.0


def random_serial(rng: random.Random) -> str:
    """A THREAD Connect Code: 6 upper-case hex characters."""
    return f"{rng.getrandbits(24):06X}"


class ThreadServer(AsyncService):
    """A simulated THREAD listening on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        serial_number: str | None = None,
        time_scale: float = 1.0,
        seed: int | None = None,
        update_restart_s: float | None = None,
        sensor_interval_s: float | None = None,
        time_sync_s: float | None = None,
    ) -> None:
        self.scenario = scenario if scenario is not None else load_scenario("default")
        self.host = host
        self._requested_port = port
        if seed is None and faults is not None:
            seed = faults.seed
        serial = serial_number or self.scenario.device.serial_number
        if not serial:
            serial = random_serial(random.Random(seed) if seed is not None else random.Random())
        self.device = SimDevice(
            self.scenario,
            serial_number=serial.upper(),
            seed=seed,
            faults=faults,
            time_scale=time_scale,
            update_restart_s=update_restart_s,
            sensor_interval_s=sensor_interval_s,
            time_sync_s=time_sync_s,
        )
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- public ----------------------------------------------------------------------------------

    @property
    def state(self) -> DeviceState:
        return self.device.state

    @property
    def serial_number(self) -> str:
        return self.device.serial

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def url(self) -> str:
        return http_url(self.host, self.port)

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")

    async def start(self) -> None:
        """Bind, serve, and start the device's background activity."""
        if self._runner is not None:
            raise RuntimeError("already started")
        app = self._build_app()
        runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            sock = bind_listener(self.host, self._requested_port)
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        await self.device.start()
        log.info("simulated THREAD %s at %s", self.serial_number, self.url)

    async def aclose(self) -> None:
        """Stop everything started by :meth:`start`; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self.device.aclose()
        await runner.cleanup()

    # -- internals -------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._availability, self._faults, _json_errors],
            client_max_size=256 * 1024,
        )
        app.add_routes(RestApi(self.device).routes())
        app.add_routes(ControlApi(self.device).routes())
        app.router.add_get(P.WS_PORT_PATH, self.device.sockets.handle)
        return app

    @web.middleware
    async def _availability(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(CONTROL_PREFIX) and self.device.is_down():
            abort_connection(request)
            return web.Response(status=503)  # never delivered: the connection is gone
        return await handler(request)

    @web.middleware
    async def _faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(P.API_PREFIX):
            return await handler(request)
        injector = self.device.faults
        if injector.latency_s > 0:
            await asyncio.sleep(injector.latency_s)
        if injector.roll_error():
            return error_response(500, "simulated internal fault")
        response = await handler(request)
        if (
            isinstance(response, web.Response)
            and 200 <= response.status < 300
            and injector.roll_malformed()
        ):
            body = response.body if isinstance(response.body, bytes) else b"{}"
            cut = body[: max(1, len(body) // 2)]
            return web.Response(status=200, body=cut, content_type="application/json")
        return response


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        return error_response(
            405,
            f"method {request.method} is not allowed on {request.path} (allowed: {allowed})",
            Allow=allowed,
        )
    except web.HTTPNotFound as exc:
        reason = exc.reason if exc.reason != "Not Found" else f"no such path: {request.path}"
        return error_response(404, reason)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason)
    except (asyncio.CancelledError, ConnectionError):
        raise
    except Exception:
        log.exception("simulator failed on %s %s", request.method, request.path)
        return error_response(500, "internal error in the simulator")
