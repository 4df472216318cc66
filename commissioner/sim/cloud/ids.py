"""Identifiers and timestamps shaped like the real service's, drawn from one seeded generator.

Every id the simulator invents (node/device/sensor hex ids, project internal ids, SERIAL_NO uuids)
comes from one ``random.Random(seed)`` so a test run with a seed is reproducible.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime


class IdSource:
    """Seeded source of the ids the cloud assigns."""

    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed)

    def hex6(self) -> str:
        """6 upper-case hex digits, as in ``/api/95A09D/node``."""
        return f"{self._rng.getrandbits(24):06X}"

    def hex24(self) -> str:
        """A project's internal id, 24 upper-case hex digits (``6295B89C93266401FA614392``)."""
        return f"{self._rng.getrandbits(96):024X}"

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def iso_ms(ts: float) -> str:
    """``2024-03-05T10:27:22.553+00:00``: the CREATION_DATE format of the integrate responses."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def iso_z(ts: float) -> str:
    """``2016-10-18T22:26:24.818Z``: the socket API's timestamp format."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: object) -> datetime | None:
    """An aware datetime from an ISO string (``Z`` or offset), or None when it is not one."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
