"""The Ports page: stage, compare, apply and verify the three device ports of a THREAD."""

from __future__ import annotations

from commissioner.ui.pages.ports.page import PortsPage

__all__ = ["PortsPage"]
