"""THREAD telemetry as plot samples: the gateway's own voltages, currents, battery, temperature
and pressure, polled at a chosen interval (Qt-free; the Plots page and the CLI share it)."""

from __future__ import annotations

from commissioner.core.telemetry.channels import (
    TELEMETRY_CHANNELS,
    TelemetryChannel,
    samples_from_snapshot,
    telemetry_channels,
)
from commissioner.core.telemetry.poller import SOURCE_NAME, SampleListener, TelemetryPoller

__all__ = [
    "SOURCE_NAME",
    "TELEMETRY_CHANNELS",
    "SampleListener",
    "TelemetryChannel",
    "TelemetryPoller",
    "samples_from_snapshot",
    "telemetry_channels",
]
