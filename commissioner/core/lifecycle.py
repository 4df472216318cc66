"""The start/aclose lifecycle every long-lived service shares, with ``async with`` support.

Services (simulators, streams, clients) are started and closed by the composition root or by a
test; one mixin keeps the context-manager plumbing in one place.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class AsyncService:
    """Subclasses implement :meth:`start` and :meth:`aclose` (which must be safe to call twice)."""

    async def start(self) -> None:
        """Begin serving; the base does nothing."""

    async def aclose(self) -> None:
        """Stop and release everything; the base does nothing."""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
