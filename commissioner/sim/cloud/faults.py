"""Fault knobs of the simulated cloud and its control endpoints (``/_sim/cloud/*``).

Tests turn these on to see the client handle what the real cloud does on a bad day: expired
tokens, a missing role, refused consent, rate limiting, outages and answers that arrive too late.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from aiohttp import web

from commissioner.sim.cloud.errors import json_response

PREFIX = "/_sim/cloud/"
_stamps = itertools.count(1)


def next_stamp() -> int:
    """A strictly increasing number; tokens carry one so expire_tokens can tell old from new."""
    return next(_stamps)


@dataclass
class CloudFaults:
    """Mutable fault knobs; setting ``expire_tokens`` expires every token issued so far.

    Tokens issued after the knob was turned on work (the client's refresh must succeed), so
    ``expire_tokens`` means "every *current* access token is treated as expired".
    """

    expire_tokens: bool = False
    missing_role: bool = False
    deny_consent: bool = False
    rate_limit: int = 0
    retry_after_s: int = 2
    server_errors: int = 0
    delay_after_accept_s: float = 0.0

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "expire_tokens" and value:
            object.__setattr__(self, "_expired_before", next_stamp())
        object.__setattr__(self, name, value)

    def token_expired(self, stamp: int) -> bool:
        """Whether the fault makes a token issued with ``stamp`` count as expired."""
        return self.expire_tokens and stamp < int(getattr(self, "_expired_before", 0))

    def take_rate_limit(self) -> bool:
        if self.rate_limit > 0:
            self.rate_limit -= 1
            return True
        return False

    def take_server_error(self) -> bool:
        if self.server_errors > 0:
            self.server_errors -= 1
            return True
        return False

    def take_delay(self) -> float:
        delay, self.delay_after_accept_s = self.delay_after_accept_s, 0.0
        return max(0.0, delay)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, data: dict[str, Any]) -> list[str]:
        """Apply known fields with the right types; returns the problems (nothing applied then)."""
        types = {f.name: f.type for f in fields(self)}
        problems: list[str] = []
        clean: dict[str, Any] = {}
        for key, value in data.items():
            kind = types.get(key)
            if kind is None:
                problems.append(f"unknown fault {key!r}")
            elif kind == "bool" and not isinstance(value, bool):
                problems.append(f"{key} must be true or false")
            elif kind == "int" and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                problems.append(f"{key} must be a non-negative integer")
            elif kind == "float" and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                problems.append(f"{key} must be a non-negative number")
            else:
                clean[key] = float(value) if kind == "float" else value
        if not problems:
            for key, value in clean.items():
                setattr(self, key, value)
        return problems


class ControlApi:
    """``GET /_sim/cloud/state``, ``GET|PUT /_sim/cloud/faults``: no auth, simulator only."""

    def __init__(self, faults: CloudFaults, counts: Callable[[], dict[str, int]]) -> None:
        self._faults = faults
        self._counts = counts

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(PREFIX + "state", self.state),
            web.get(PREFIX + "faults", self.get_faults),
            web.put(PREFIX + "faults", self.put_faults),
        ]

    async def state(self, request: web.Request) -> web.Response:
        return json_response(200, self._counts())

    async def get_faults(self, request: web.Request) -> web.Response:
        return json_response(200, self._faults.as_json())

    async def put_faults(self, request: web.Request) -> web.Response:
        try:
            data = json.loads(await request.text() or "{}")
        except ValueError:
            return json_response(400, {"error": "body is not valid JSON"})
        if not isinstance(data, dict):
            return json_response(400, {"error": "body must be a JSON object"})
        problems = self._faults.update(data)
        if problems:
            return json_response(400, {"error": "; ".join(problems)})
        return json_response(200, self._faults.as_json())
