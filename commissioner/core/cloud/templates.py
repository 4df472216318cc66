"""TemplateCatalogue: the device, sensor and metric templates, cached on disk for offline work.

Installers register sensors in the field, often offline, so the template lists last fetched from
the cloud are kept in a JSON file in the user-data folder with the time they were fetched; the UI
shows their age. A damaged cache file is moved aside (never deleted, never fatal) so the app starts
with no templates rather than not at all.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from commissioner.core.cloud.models import DeviceType, MetricType, SensorType

log = logging.getLogger(__name__)
CACHE_VERSION = 1
Now = Callable[[], datetime]


class TemplateSource(Protocol):
    """What :meth:`TemplateCatalogue.refresh` needs (SensorDataApi provides it)."""

    async def device_types(self) -> list[DeviceType]: ...
    async def sensor_types(self) -> list[SensorType]: ...
    async def metric_types(self) -> list[MetricType]: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TemplateCatalogue:
    """Templates of one cloud profile, from the cloud or from ``folder``'s cache file."""

    def __init__(self, folder: Path, profile_name: str = "default", *, now: Now = _utc_now) -> None:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", profile_name).strip("_") or "default"
        self.path = Path(folder) / f"templates-{slug}.json"
        self._now = now
        self.device_types: list[DeviceType] = []
        self.sensor_types: list[SensorType] = []
        self.metric_types: list[MetricType] = []
        self.fetched_at: datetime | None = None

    @property
    def loaded(self) -> bool:
        return self.fetched_at is not None

    @property
    def age(self) -> timedelta | None:
        """How old the templates are, or None when none were ever fetched."""
        return None if self.fetched_at is None else self._now() - self.fetched_at

    def is_stale(self, max_age: timedelta) -> bool:
        age = self.age
        return age is None or age > max_age

    def device_type(self, type_id: str) -> DeviceType | None:
        return next((t for t in self.device_types if t.id == type_id), None)

    def sensor_type(self, type_id: str) -> SensorType | None:
        return next((t for t in self.sensor_types if t.id == type_id), None)

    def metric(self, metric_id: str) -> MetricType | None:
        return next((m for m in self.metric_types if m.id == metric_id), None)

    async def refresh(self, api: TemplateSource) -> None:
        """Fetch all three lists, then replace the cache (nothing changes if a fetch fails)."""
        devices = await api.device_types()
        sensors = await api.sensor_types()
        metrics = await api.metric_types()
        self.device_types, self.sensor_types, self.metric_types = devices, sensors, metrics
        self.fetched_at = self._now()
        self.save()

    def save(self) -> None:
        """Write the cache atomically (a crash mid-write leaves the previous file)."""
        if self.fetched_at is None:
            return
        data = {
            "version": CACHE_VERSION,
            "fetched_at": self.fetched_at.isoformat(),
            "deviceTypes": [t.to_json() for t in self.device_types],
            "sensorTypes": [t.to_json() for t in self.sensor_types],
            "metrics": [m.to_json() for m in self.metric_types],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def load(self) -> bool:
        """Load the cache; False when there is none or it was damaged (then moved aside)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("Template cache %s unreadable: %s", self.path, exc)
            return False
        try:
            self._apply(json.loads(text))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._set_aside(exc)
            return False
        return True

    def _apply(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            raise ValueError("not a template cache of this version")
        fetched_at = datetime.fromisoformat(str(data["fetched_at"]))
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=UTC)
        devices = [DeviceType.parse(_obj(d)) for d in data["deviceTypes"]]
        sensors = [SensorType.parse(_obj(d)) for d in data["sensorTypes"]]
        metrics = [MetricType.parse(_obj(d)) for d in data["metrics"]]
        self.device_types, self.sensor_types, self.metric_types = devices, sensors, metrics
        self.fetched_at = fetched_at

    def _set_aside(self, exc: Exception) -> None:
        stamp = self._now().strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.stem}.corrupt-{stamp}.json")
        log.warning("Template cache %s is damaged (%s); moved to %s", self.path, exc, aside.name)
        try:
            os.replace(self.path, aside)
        except OSError as move_error:
            log.warning("Could not move the damaged cache aside: %s", move_error)


def _obj(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TypeError("template entry is not an object")
    return item
