"""THREAD Commissioner: commission Bentley iTwin IoT THREAD gateways."""

from __future__ import annotations

__version__ = "0.1.0"
