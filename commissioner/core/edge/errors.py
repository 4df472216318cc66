"""Typed errors of the Edge client.

Each carries the sentence a person should read, so the CLI and the GUI can show ``str(error)``
as it is, and callers can branch on the type (bad input, unreachable, rejected, malformed).
"""

from __future__ import annotations

from typing import Any


class EdgeError(Exception):
    """Base of every error the Edge client raises."""


class EdgeValidationError(EdgeError, ValueError):
    """The caller's input breaks a documented rule; nothing was sent to the THREAD."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class EdgeUnreachable(EdgeError):
    """The THREAD could not be reached (refused, reset, no route, asleep or restarting)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"THREAD at {url} is unreachable ({reason}). Check the cable or network, "
            "and whether the THREAD is asleep or restarting, then try again."
        )
        self.url = url
        self.reason = reason


class EdgeTimeout(EdgeUnreachable):
    """The THREAD did not answer within the call's timeout."""

    def __init__(self, url: str, timeout_s: float) -> None:
        EdgeError.__init__(
            self,
            f"THREAD at {url} did not answer within {timeout_s:g} s. It may be busy, asleep or "
            "restarting; try again, or raise the timeout.",
        )
        self.url = url
        self.reason = f"timed out after {timeout_s:g} s"
        self.timeout_s = timeout_s


class EdgeRejected(EdgeError):
    """The THREAD answered with an error status; its status and body are kept for support."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        detail = _error_detail(body)
        super().__init__(
            f"THREAD rejected {method} {url}: HTTP {status}" + (f": {detail}" if detail else "")
        )
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        self.detail = detail


class EdgeMalformedResponse(EdgeError):
    """The THREAD answered 2xx but the body is not what the documented API returns."""

    def __init__(self, url: str, problem: str, body: str) -> None:
        super().__init__(f"THREAD at {url} sent an unexpected answer: {problem}")
        self.url = url
        self.problem = problem
        self.body = body


def _error_detail(body: str) -> str:
    """Pull the human sentence out of an error body, whatever its shape, without failing."""
    import json

    text = body.strip()
    if not text:
        return ""
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(parsed, dict):
        for key in ("error", "message", "detail", "description"):
            value = parsed.get(key)
            if isinstance(value, str) and value:
                return value
    return text[:300]
