"""Tolerant reading of Edge API answers.

The seed documents only some response bodies, so the client accepts the documented or contract
shape (``{"value": ...}``), the value under another obvious key, or the bare JSON value, and raises
:class:`EdgeMalformedResponse` (never a KeyError or TypeError) for anything else.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from commissioner.core.edge.errors import EdgeMalformedResponse

_SCALAR_KEYS = ("value", "content", "result")


def field(url: str, payload: Any, *keys: str) -> Any:
    """The first of ``keys`` (then the generic keys) in a dict payload, or a bare scalar payload."""
    if isinstance(payload, dict):
        for key in (*keys, *_SCALAR_KEYS):
            if key in payload:
                return payload[key]
        raise EdgeMalformedResponse(
            url, f"expected one of {list(keys or _SCALAR_KEYS)}", _dump(payload)
        )
    if payload is None or isinstance(payload, list):
        raise EdgeMalformedResponse(url, "expected a value, got " + _kind(payload), _dump(payload))
    return payload


def number(url: str, payload: Any, *keys: str) -> float:
    value = field(url, payload, *keys)
    if isinstance(value, bool):
        raise EdgeMalformedResponse(url, "expected a number, got a boolean", _dump(payload))
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise EdgeMalformedResponse(
                url, f"expected a number, got {value!r}", _dump(payload)
            ) from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EdgeMalformedResponse(url, f"expected a finite number, got {value!r}", _dump(payload))
    return float(value)


def boolean(url: str, payload: Any, *keys: str) -> bool:
    value = field(url, payload, *keys)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise EdgeMalformedResponse(url, f"expected true or false, got {value!r}", _dump(payload))


def text(url: str, payload: Any, *keys: str) -> str:
    value = field(url, payload, *keys)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        result = str(value).strip()
        if result:
            return result
    raise EdgeMalformedResponse(url, f"expected text, got {value!r}", _dump(payload))


def mapping(url: str, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise EdgeMalformedResponse(
            url, "expected a JSON object, got " + _kind(payload), _dump(payload)
        )
    return payload


def timestamp(url: str, payload: Any) -> datetime:
    raw = field(url, payload, "time")
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed
    raise EdgeMalformedResponse(url, f"expected an ISO 8601 time, got {raw!r}", _dump(payload))


def _kind(payload: Any) -> str:
    return "nothing" if payload is None else type(payload).__name__


def _dump(payload: Any) -> str:
    try:
        return json.dumps(payload)[:500]
    except (TypeError, ValueError):
        return repr(payload)[:500]
