"""The simulated THREAD, its Edge client and raw control HTTP, shared with the edge tests."""

from __future__ import annotations

from tests.core.edge.conftest import client, control, exchanges, thread

__all__ = ["client", "control", "exchanges", "thread"]
