"""Which THREAD health values can be plotted, under which channel names, and how a health round
becomes plot samples.

Only numeric values are telemetry: input voltage and current, battery voltage and state of
charge, temperature, pressure (hPa) and each device port's voltage and current. The clock offset,
switches and names stay on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from commissioner.core.health import readings as R
from commissioner.core.health.readings import HealthSnapshot
from commissioner.core.streams.parsers import Channel, Sample


@dataclass(frozen=True)
class TelemetryChannel:
    """One plottable health value: its health key and the channel it is plotted as."""

    key: str
    name: str
    unit: str
    port: int | None = None

    @property
    def channel(self) -> Channel:
        return Channel(self.name, self.unit)


_GENERAL: tuple[TelemetryChannel, ...] = (
    TelemetryChannel(R.CHARGE_INPUT_V, "Input voltage", "V"),
    TelemetryChannel(R.CHARGE_INPUT_A, "Input current", "A"),
    TelemetryChannel(R.BATTERY_V, "Battery voltage", "V"),
    TelemetryChannel(R.BATTERY_SOC, "State of charge", "%"),
    TelemetryChannel(R.TEMPERATURE, "Temperature", "°C"),
    TelemetryChannel(R.PRESSURE, "Pressure", "hPa"),
)


def telemetry_channels(ports: Iterable[int] = R.PORTS) -> tuple[TelemetryChannel, ...]:
    """The general values, then each port's voltage and current, in display order."""
    per_port = tuple(
        channel
        for port in ports
        for channel in (
            TelemetryChannel(R.port_voltage_key(port), f"Port {port} voltage", "V", port),
            TelemetryChannel(R.port_current_key(port), f"Port {port} current", "A", port),
        )
    )
    return _GENERAL + per_port


TELEMETRY_CHANNELS: tuple[TelemetryChannel, ...] = telemetry_channels()


def samples_from_snapshot(
    snapshot: HealthSnapshot, channels: Iterable[TelemetryChannel], t: float
) -> list[Sample]:
    """The values read successfully in this round, all stamped ``t`` (wall-clock seconds).

    Failed reads give no sample (a gap in the plot, and in time a "stale" verdict), never a
    repeated old value that would look like a live one.
    """
    out: list[Sample] = []
    for channel in channels:
        reading = snapshot.readings.get(channel.key)
        if reading is None or reading.failed:
            continue
        number = reading.number
        if number is not None:
            out.append(Sample(channel.name, t, number))
    return out
