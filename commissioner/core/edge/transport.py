"""HTTP plumbing for the Edge client: timeouts, read-only retries, error mapping, exchange records.

Kept apart from the operations so every call gets the same treatment: a timeout, typed errors,
retries only where repeating the request cannot change the THREAD (GET), and one record per
exchange for the activity log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from commissioner.core.edge.errors import (
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeTimeout,
    EdgeUnreachable,
)
from commissioner.core.edge.paths import API_PREFIX

# Statuses worth a second try on a read: the THREAD was busy or restarting.
_RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Exchange:
    """One request to the THREAD and how it ended, for the activity log. Holds no secrets:
    the Edge API carries none (the USB HOST/PORT and serial data are configuration)."""

    started: float
    method: str
    path: str
    params: Mapping[str, Any] | None
    body: Any
    status: int | None
    elapsed_ms: float
    error: str | None
    attempt: int
    purpose: str = ""  # "heartbeat" for connection probes, so logs can fold them away


ExchangeListener = Callable[[Exchange], None]


class EdgeTransport:
    """Sends JSON requests to ``<base_url>/api/<path>`` and returns the parsed JSON answer."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 5.0,
        read_retries: int = 2,
        retry_backoff_s: float = 0.25,
        on_exchange: ExchangeListener | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.read_retries = read_retries
        self.retry_backoff_s = retry_backoff_s
        self._listeners: list[ExchangeListener] = [on_exchange] if on_exchange else []
        # trust_env=False: a proxy from the environment must never see THREAD traffic, and
        # loopback simulators must not be routed through one.
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            timeout=httpx.Timeout(timeout_s),
            trust_env=False,
            transport=http_transport,
            headers={"Accept": "application/json"},
        )

    def add_listener(self, listener: ExchangeListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ExchangeListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        purpose: str = "",
    ) -> Any:
        """Send one request; GETs are retried on unreachable, timeout and 5xx, writes never are."""
        attempts = 1 + (self.read_retries if method == "GET" else 0)
        last_error: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                return await self._send_once(method, path, params, body, attempt, purpose)
            except EdgeRejected as exc:
                if exc.status not in _RETRYABLE_STATUS or attempt == attempts:
                    raise
                last_error = exc
            except EdgeUnreachable as exc:
                if attempt == attempts:
                    raise
                last_error = exc
            await asyncio.sleep(self.retry_backoff_s * attempt)
        raise AssertionError(f"unreachable retry loop end: {last_error}")  # pragma: no cover

    async def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        attempt: int,
        purpose: str = "",
    ) -> Any:
        url = f"{self.base_url}{API_PREFIX}{path}"
        started = time.time()
        t0 = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            try:
                response = await self._http.request(
                    method,
                    path,
                    params=dict(params) if params else None,
                    json=body if body is not None else None,
                )
            except httpx.TimeoutException as exc:
                raise EdgeTimeout(url, self.timeout_s) from exc
            except (httpx.TransportError, OSError) as exc:
                raise EdgeUnreachable(url, _describe_transport_error(exc)) from exc
            status = response.status_code
            text = response.text
            if status >= 400:
                raise EdgeRejected(method, url, status, text)
            return _parse_json(url, text)
        except Exception as exc:
            error = str(exc)
            raise
        finally:
            self._emit(
                Exchange(
                    started=started,
                    method=method,
                    path=path,
                    params=dict(params) if params else None,
                    body=body,
                    status=status,
                    elapsed_ms=(time.perf_counter() - t0) * 1000,
                    error=error,
                    attempt=attempt,
                    purpose=purpose,
                )
            )

    def _emit(self, exchange: Exchange) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a failing close or log view must not break I/O
                listener(exchange)


def _parse_json(url: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        snippet = text[:80].replace("\n", " ")
        raise EdgeMalformedResponse(url, f"body is not JSON ({snippet!r})", text) from exc


def _describe_transport_error(exc: BaseException) -> str:
    """Name the real cause: httpx wraps a refusal as "All connection attempts failed"."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection dropped"
    lowered = " ".join(str(c) for c in chain).lower()
    if "refused" in lowered:
        return "connection refused"
    if "reset" in lowered or "disconnected" in lowered or "closed" in lowered:
        return "connection dropped"
    if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
        return "host name not found"
    if "unreachable" in lowered or "no route" in lowered:
        return "network unreachable"
    return str(exc) or type(exc).__name__
