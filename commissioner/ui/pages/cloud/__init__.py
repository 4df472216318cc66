"""The Cloud page: sign-in, port-to-template mapping, preview, register, queue and verification."""

from __future__ import annotations

from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.pages.cloud.page import CloudPage

__all__ = ["CloudModel", "CloudPage"]
