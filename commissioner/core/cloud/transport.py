"""HTTP plumbing for the cloud APIs: credentials, retries and the mapping to typed errors.

Why one place: every cloud call must get the same rules. The credential is attached only after
the URL is checked against the profile's hosts; a 401 gets exactly one silent renewal; a 429 is
waited out with a visible countdown; a 5xx or a lost connection is retried only when repeating
cannot create anything twice (reads, or requests that never left), and otherwise reported as
:class:`CloudAmbiguous` so the caller reconciles before sending again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from commissioner.core.cloud.auth import CloudAuth
from commissioner.core.cloud.bodies import json_body
from commissioner.core.cloud.errors import (
    CloudAmbiguous,
    CloudAuthError,
    CloudConfigError,
    CloudForbidden,
    CloudHostNotAllowed,
    CloudRateLimited,
    CloudRejected,
    CloudUnavailable,
    CloudValidationError,
    FieldProblem,
)
from commissioner.core.cloud.ims import new_http_client
from commissioner.core.cloud.profiles import PLATFORM_ACCEPT, AuthMethod, CloudProfile

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
WaitListener = Callable[[float, str], None]
BACKOFF_S = (0.5, 1.0, 2.0)
RATE_LIMIT_RETRIES = 3
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures where the request certainly never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class CloudTransport:
    """Sends JSON requests with the profile's credential and returns the parsed JSON answer."""

    def __init__(
        self,
        profile: CloudProfile,
        auth: CloudAuth,
        *,
        timeout_s: float = 15.0,
        sleep: Sleep = asyncio.sleep,
        on_wait: WaitListener | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.profile = profile
        self.auth = auth
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self._sleep = sleep
        self._own_http = http is None
        self._http = http if http is not None else new_http_client(profile, timeout_s)

    def __repr__(self) -> str:
        return f"CloudTransport(profile={self.profile.name!r})"

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One API call; ``idempotent`` defaults from the method (POST is not)."""
        method = method.upper()
        if not self.profile.allows(url):
            raise CloudHostNotAllowed(url, self.profile.name)
        platform = _under(url, self.profile.sensor_data_url)
        if platform and self.auth.method is AuthMethod.API_KEY:
            raise CloudConfigError(
                f"The iTwin Platform sensor-data API ({self.profile.sensor_data_url}) accepts only "
                "Bearer tokens, not an API key. Sign in as a user or service application, or send "
                "integrations via the iTwin IoT API (integrate via: iiot) in the cloud profile."
            )
        safe = method in _IDEMPOTENT if idempotent is None else idempotent
        accept = PLATFORM_ACCEPT if platform else "application/json"
        renewed = False
        rate_limited = 0
        failures = 0
        while True:
            header = await self.auth.authorization_header()
            sent_headers = {"Accept": accept, **(headers or {}), "Authorization": header}
            try:
                query = dict(params) if params else None
                response = await self._http.request(
                    method, url, params=query, json=json, headers=sent_headers
                )
            except httpx.TransportError as exc:
                reason = _describe(exc)
                never_sent = isinstance(exc, _NOT_SENT)
                log.info("%s %s failed: %s", method, url, reason)
                if not (never_sent or safe):
                    raise CloudAmbiguous(url, reason) from exc
                if failures >= len(BACKOFF_S):
                    raise CloudUnavailable(url, reason) from exc
                await self._wait(BACKOFF_S[failures], f"cloud unreachable ({reason}), retrying")
                failures += 1
                continue
            status = response.status_code
            log.debug("%s %s -> HTTP %d", method, url, status)
            if 200 <= status < 300:
                return json_body(url, response)
            body = _body(response)
            if status == 401:
                if not renewed and await self.auth.on_unauthorized(header):
                    renewed = True
                    continue
                code, message = error_message(body)
                raise CloudAuthError(message or "the access was refused", code=code, status=401)
            if status == 403:
                raise CloudForbidden(error_message(body)[1], self.profile.project_id)
            if status in (400, 422):
                raise CloudValidationError(status, field_problems(body, response.text))
            if status == 429:
                wait_s = retry_after_s(response.headers.get("Retry-After"))
                if rate_limited >= RATE_LIMIT_RETRIES:
                    raise CloudRateLimited(wait_s)
                rate_limited += 1
                await self._wait(wait_s, "the cloud is rate limiting requests")
                continue
            if status >= 500:
                reason = f"HTTP {status}"
                if not safe:
                    raise CloudAmbiguous(url, reason, status=status)
                if failures >= len(BACKOFF_S):
                    raise CloudUnavailable(url, reason, status=status)
                await self._wait(BACKOFF_S[failures], f"the cloud answered {reason}, retrying")
                failures += 1
                continue
            raise CloudRejected(status, error_message(body)[1] or response.text[:200], url)

    async def _wait(self, seconds: float, reason: str) -> None:
        """Sleep ``seconds``, telling ``on_wait`` how long is left once per second."""
        left = max(0.0, seconds)
        while left > 0:
            if self.on_wait is not None:
                try:
                    self.on_wait(left, reason)
                except Exception:  # a broken countdown display must not break the request
                    log.exception("on_wait listener failed")
            step = min(1.0, left)
            await self._sleep(step)
            left = round(left - step, 6)


def _under(url: str, base: str) -> bool:
    base = base.rstrip("/")
    return bool(base) and (url == base or url.startswith(base + "/"))


def _body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.text) if response.text.strip() else None
    except ValueError:
        return None


def error_message(body: Any) -> tuple[str, str]:
    """(code, message) from either documented error shape, or ("", "") when there is none.

    Platform: ``{"error": {"code", "message"}}``; iTwin IoT: ``{"errors": [{"message", "path"}]}``;
    OAuth: ``{"error": "...", "error_description": "..."}``.
    """
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    if isinstance(error, str):
        return error, str(body.get("error_description", ""))
    errors = body.get("errors")
    if isinstance(errors, list):
        texts = [str(e.get("message", "")) for e in errors if isinstance(e, dict)]
        return "", "; ".join(t for t in texts if t)
    return "", str(body.get("message", ""))


def field_problems(body: Any, text: str) -> list[FieldProblem]:
    """The problems of a 400/422, each with the request field it names when there is one."""
    problems: list[FieldProblem] = []
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            details = error.get("details")
            problems.append(_problem(error))
            if isinstance(details, list):
                problems.extend(_problem(d) for d in details if isinstance(d, dict))
        errors = body.get("errors")
        if isinstance(errors, list):
            problems.extend(_problem(e) for e in errors if isinstance(e, dict))
    if not problems:
        code, message = error_message(body)
        problems.append(FieldProblem(message or text[:200] or "no detail given", code=code))
    return problems


def _problem(item: Mapping[str, Any]) -> FieldProblem:
    target = item.get("target") or item.get("path") or ""
    return FieldProblem(str(item.get("message", "")), str(target), str(item.get("code", "")))


def retry_after_s(value: str | None, default: float = 2.0) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date), bounded to 0..300."""
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return default
    return min(max(seconds, 0.0), 300.0)


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host unreachable"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection dropped"
    return type(exc).__name__
