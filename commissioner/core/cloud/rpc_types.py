"""Plain types of the iTwin IoT JSON-RPC socket client: states, errors, subscriptions, routes.

Kept apart from the connection loop so the presence helpers and the UI can import the types
without pulling in ``websockets``. A *route* is what a request id is bound to while its answers
arrive: a one-shot future (most methods), a future plus a push handler (subscriptions, whose
pushes reuse the subscribe request's id), or a queue (``getData`` streams chunks, then
``requestStatus: finished``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from commissioner.core.cloud.errors import CloudError


class SocketState(StrEnum):
    """Connection states; allowed transitions::

    IDLE -> CONNECTING -> CONNECTED -> RECONNECTING -> CONNECTED -> ...
    CONNECTING -> CONNECTING (retry before the first success); any state -> CLOSED (aclose,
    or a refused code, which retrying cannot fix)
    """

    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


class RpcError(CloudError):
    """The server answered a request with a JSON-RPC error object (``code``, ``message``)."""

    def __init__(self, code: int, message: str, method: str = "") -> None:
        what = f"{method!r}" if method else "the request"
        super().__init__(f"The cloud socket API refused {what}: {message} (code {code})")
        self.code = code
        self.message = message
        self.method = method


class SubscriptionKind(StrEnum):
    """What a subscription watches; the value completes ``subscribe*``/``unsubscribe*``."""

    NODES = "Nodes"
    DEVICES = "Devices"
    SENSORS = "Sensors"
    DATA = "Data"


@dataclass(frozen=True)
class DataUpdate:
    """One ``subscribeData`` push: new points of one sensor, timestamp (ISO) -> value."""

    sensor_id: str
    points: dict[str, float]


@dataclass(eq=False)
class Subscription:
    """A live subscription; survives reconnects (the client subscribes again on each new socket).

    ``subscription_id`` is the server's id on the *current* socket and changes after a
    reconnect; ``error`` holds why re-subscribing failed, if it did.
    """

    kind: SubscriptionKind
    params: dict[str, Any]
    callback: Callable[[Any], None]
    subscription_id: int | None = None
    request_id: int | None = None
    active: bool = True
    pushes: int = 0
    error: Exception | None = field(default=None, repr=False)


class OneShot:
    """A request answered once; with ``on_push`` it stays bound for later pushes (subscriptions)."""

    def __init__(
        self,
        future: asyncio.Future[Any],
        lost_error: Callable[[str], CloudError],
        on_push: Callable[[Any], None] | None = None,
    ) -> None:
        self.future = future
        self.lost_error = lost_error
        self.on_push = on_push

    @property
    def finished(self) -> bool:
        return self.future.done() and self.on_push is None

    def on_result(self, result: Any) -> None:
        if self.future.done() or (self.on_push is not None and _is_push(result)):
            if self.on_push is not None:
                self.on_push(result)
            return
        self.future.set_result(result)

    def on_error(self, error: CloudError) -> None:
        if not self.future.done():
            self.future.set_exception(error)
        self.on_push = None  # a failed subscription gets no pushes

    def on_lost(self, reason: str) -> None:
        if not self.future.done():
            self.future.set_exception(self.lost_error(reason))


def _is_push(result: Any) -> bool:
    return isinstance(result, dict) and "data" in result and "subscriptionId" not in result


class Stream:
    """A request answered in chunks until ``requestStatus: finished`` (``getData``)."""

    def __init__(self, lost_error: Callable[[str], CloudError]) -> None:
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.lost_error = lost_error
        self.finished = False

    def on_result(self, result: Any) -> None:
        self.queue.put_nowait(("result", result))
        if isinstance(result, dict) and result.get("requestStatus") == "finished":
            self.finished = True

    def on_error(self, error: CloudError) -> None:
        self.finished = True
        self.queue.put_nowait(("error", error))

    def on_lost(self, reason: str) -> None:
        self.finished = True
        self.queue.put_nowait(("error", self.lost_error(reason)))


Route = OneShot | Stream


def iso_ms(moment: datetime | str) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, the form the API documents and returns.

    A naive datetime is taken to be UTC already (captures store UTC); strings pass unchanged.
    """
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_iso(text: object) -> datetime | None:
    """A timestamp from the API (``...Z`` or with an offset) as an aware UTC datetime, or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def numeric_points(data: object) -> dict[str, float]:
    """``{timestamp: number}`` from a result's ``data``, dropping anything that is not a number."""
    points: dict[str, float] = {}
    if not isinstance(data, dict):
        return points
    for stamp, value in data.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number):
                points[str(stamp)] = number
    return points
