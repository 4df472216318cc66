"""CloudSim: the simulated iTwin IoT cloud (IMS, REST, JSON-RPC socket) on one loopback port.

One aiohttp application serves ``/connect/*`` (IMS), ``/api/*`` (iTwin IoT REST), ``/sensor-data/*``
(iTwin Platform), ``/rpc`` (JSON-RPC WebSocket) and ``/_sim/cloud/*`` (test control). The state lives
outside the listener, so :meth:`CloudSim.go_offline` / :meth:`CloudSim.come_back` simulate an outage
on the same port without forgetting anything.

Usage::

    async with CloudSim(seed=1) as cloud:
        profile = simulator_profile(cloud.url)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from commissioner.core.lifecycle import AsyncService
from commissioner.sim.cloud.auth import Authenticator
from commissioner.sim.cloud.data import DataApi
from commissioner.sim.cloud.errors import ResponseError, platform_error, rate_limited, unavailable
from commissioner.sim.cloud.faults import PREFIX as CONTROL_PREFIX
from commissioner.sim.cloud.faults import CloudFaults, ControlApi
from commissioner.sim.cloud.ims import Ims
from commissioner.sim.cloud.integrate import IntegrateApi
from commissioner.sim.cloud.rpc import RpcHub
from commissioner.sim.cloud.state import CloudState
from commissioner.sim.listening import bind_listener, http_url

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SHUTDOWN_TIMEOUT_S = 1.0
API_PREFIXES = ("/api/", "/sensor-data/")
SECRET_FIELDS = frozenset({"client_secret", "code", "code_verifier", "refresh_token"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sim saw it; the Authorization value is reduced to its scheme."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class CloudSim(AsyncService):
    """The simulated cloud listening on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | None = None,
        token_lifetime_s: float = 3600.0,
        accessible_window_s: float = 900.0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.state = CloudState(seed, accessible_window_s=accessible_window_s)
        self.faults = CloudFaults()
        self.ims = Ims(self.state, self.faults, token_lifetime_s)
        self.auth = Authenticator(self.state, self.faults, self.ims)
        self.rpc = RpcHub(self.state, self.auth)
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the cloud simulator is not started")
        return self._port

    @property
    def url(self) -> str:
        return http_url(self.host, self.port)

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http") + "/rpc"

    @property
    def online(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("already started")
        await self._listen(self._port if self._port is not None else self._requested_port)
        log.info("cloud simulator at %s", self.url)

    async def aclose(self) -> None:
        """Stop listening; safe to call twice (and after go_offline)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await self.rpc.close_all()
            await runner.cleanup()

    async def go_offline(self) -> None:
        """Stop listening (connections refused) but keep the port number and all state."""
        await self.aclose()

    async def come_back(self) -> None:
        """Listen again on the same port with the same state."""
        if self._runner is None:
            await self._listen(self.port)

    def counts(self) -> dict[str, int]:
        return {
            "nodes": len(self.state.nodes),
            "devices": len(self.state.devices),
            "sensors": len(self.state.sensors),
            "observations": self.state.observation_count(),
            "requests": len(self.requests),
        }

    # -- internals -------------------------------------------------------------------------------

    async def _listen(self, port: int) -> None:
        runner = web.AppRunner(self._build_app(), shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            sock = bind_listener(self.host, port)
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(sock.getsockname()[1])

    def _build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._record, self._faults_mw, _errors], client_max_size=8 * 1024 * 1024
        )
        app.add_routes(ControlApi(self.faults, self.counts).routes())
        app.add_routes(self.ims.routes())
        for prefix in ("/api", "/sensor-data"):
            app.add_routes(IntegrateApi(self.state, self.auth).routes(prefix))
            app.add_routes(DataApi(self.state, self.auth).routes(prefix))
        app.router.add_get("/rpc", self.rpc.handle)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(CONTROL_PREFIX):
            self.requests.append(await _recorded(request))
        return await handler(request)

    @web.middleware
    async def _faults_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIXES):
            return await handler(request)
        if self.faults.take_rate_limit():
            return rate_limited(self.faults.retry_after_s)
        if self.faults.take_server_error():
            return unavailable()
        writes = request.path.endswith(("/integrations/integrate", "/data/upload"))
        delay = self.faults.take_delay() if writes and request.method == "POST" else 0.0
        response = await handler(request)
        if delay > 0:
            await asyncio.sleep(delay)  # processed and stored; only the answer is late
        return response


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ResponseError as exc:
        return exc.response
    except web.HTTPNotFound:
        return platform_error(404, "ResourceNotFound", f"No such path: {request.path}")
    except web.HTTPMethodNotAllowed:
        return platform_error(405, "MethodNotAllowed", f"{request.method} is not allowed here.")


async def _recorded(request: web.Request) -> RecordedRequest:
    headers = {k: v for k, v in request.headers.items()}
    for key in list(headers):
        if key.lower() == "authorization":
            headers[key] = headers[key].split(" ", 1)[0]
    raw = await request.read() if request.can_read_body else b""
    body: Any = None
    if raw:
        text = raw.decode("utf-8", "replace")
        if request.content_type == "application/x-www-form-urlencoded":
            body = {k: ("***" if k in SECRET_FIELDS else v) for k, v in parse_qsl(text)}
        else:
            try:
                body = json.loads(text)
            except ValueError:
                body = text
    return RecordedRequest(request.method, request.path, dict(request.query), headers, body)
