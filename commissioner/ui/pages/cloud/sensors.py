"""What the Verify tab needs to know of a sent registration's sensors: cloud ids and metrics.

Kept apart from the widgets so the mapping rules (which metric a CSV channel feeds, which test
value is plausible) are plain functions that read the registration as it was sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from commissioner.core.cloud.journal import QueuedRegistration
from commissioner.core.cloud.registration import parse_ref_id
from commissioner.core.cloud.verify import entries
from commissioner.core.sensor_catalogue import SensorModel


@dataclass(frozen=True)
class SentSensor:
    ref_id: str
    cloud_id: str
    port: int | None
    name: str
    metrics: tuple[tuple[str, str], ...]  # (metric, unit)

    @property
    def label(self) -> str:
        where = f"port {self.port}" if self.port is not None else self.ref_id
        return f"{where}: {self.name or self.ref_id} ({self.cloud_id})"


def _index_values(value: object) -> list[str]:
    if not isinstance(value, Mapping):
        return []
    return [str(value[k]) for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0)]


def sent_sensors(item: QueuedRegistration, cloud_ids: Mapping[str, str]) -> list[SentSensor]:
    """The registration's sensors that have a cloud id, with the metrics they were sent with."""
    out = []
    for kind, entry, _parent in entries(item.request):
        ref = str(entry.get("refId", ""))
        if kind != "sensor" or ref not in cloud_ids or entry.get("changeState") == "remove":
            continue
        props = entry.get("props", {}) or {}
        metrics = _index_values(props.get("KNOWN_METRICS") or props.get("UNKNOWN_METRICS"))
        units = _index_values(props.get("KNOWN_UNITS") or props.get("UNKNOWN_UNITS"))
        parsed = parse_ref_id(ref)
        out.append(
            SentSensor(
                ref,
                cloud_ids[ref],
                parsed[1] if parsed else None,
                str(props.get("NAME", "")),
                tuple(zip(metrics, units, strict=False)),
            )
        )
    return out


def sample_value(metric: str, models: Iterable[SensorModel]) -> float:
    """A plausible value: the middle of the catalogue range of the channel with ``metric``."""
    for model in models:
        for channel in model.channels:
            if channel.metric == metric:
                low, high = channel.minimum, channel.maximum
                if low > -1e300 and high < 1e300:
                    return round((low + high) / 2, 3)
    return 1.0


def channel_metrics(
    channels: Sequence[str], sensor: SentSensor, models: Iterable[SensorModel]
) -> dict[str, str]:
    """CSV channel -> metric of ``sensor``: by metric name, or through the catalogue channel name."""
    metrics = {m for m, _u in sensor.metrics}
    by_channel = {c.name: c.metric for m in models for c in m.channels if c.metric in metrics}
    out = {}
    for channel in channels:
        if channel in metrics:
            out[channel] = channel
        elif channel in by_channel:
            out[channel] = by_channel[channel]
    return out
