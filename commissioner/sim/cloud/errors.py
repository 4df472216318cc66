"""Error bodies of the simulated cloud, in the exact shapes the real services answer.

The iTwin IoT REST API and the iTwin Platform sensor-data API use two different error shapes
(``{"errors": [{"message", "path"}]}`` and ``{"error": {"code", "message", ...}}``); the client must
parse both, so the simulator produces both, each where the documentation shows it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

RATE_LIMIT_MESSAGE = "More requests were received than the subscription rate-limit allows."
FORBIDDEN_MESSAGE = "The user has insufficient permissions for the requested operation."
MISSING_HEADER_MESSAGE = "Header Authorization was not found in the request. Access denied."


class ResponseError(Exception):
    """Raised deep inside a handler to answer with ``response`` at once (caught by middleware)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(f"HTTP {response.status}")
        self.response = response


def json_response(status: int, body: Any, **headers: str) -> web.Response:
    return web.json_response(body, status=status, headers=headers or None)


def platform_error(
    status: int,
    code: str,
    message: str,
    *,
    target: str | None = None,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """``{"error": {"code", "message", "target"?, "details"?}}`` (iTwin Platform shape)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    if details:
        error["details"] = details
    return json_response(status, {"error": error}, **(headers or {}))


def iiot_errors(status: int, problems: list[tuple[str, str]]) -> web.Response:
    """``{"errors": [{"message", "path"}]}`` (iTwin IoT REST shape); problems are (message, path)."""
    body = {"errors": [{"message": m, "path": p} for m, p in problems]}
    return json_response(status, body)


def forbidden() -> web.Response:
    return platform_error(403, "InsufficientPermissions", FORBIDDEN_MESSAGE)


def rate_limited(retry_after_s: int) -> web.Response:
    return platform_error(
        429, "TooManyRequests", RATE_LIMIT_MESSAGE, headers={"Retry-After": str(retry_after_s)}
    )


def unavailable() -> web.Response:
    return platform_error(
        503, "ServiceUnavailable", "The service is temporarily unavailable. Try again later."
    )


def not_found(code: str, message: str) -> web.Response:
    return platform_error(404, code, message)


def oauth_error(error: str, description: str, status: int = 400) -> web.Response:
    """RFC 6749 token endpoint error."""
    return json_response(status, {"error": error, "error_description": description})
