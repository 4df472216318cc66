"""A port's parser and channels: the sensor model's, with the profile's overrides by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commissioner.core.commissioning.profile_model import (
    PARSER_KINDS,
    ChannelSpec,
    ParserSettings,
)
from commissioner.core.commissioning.profile_read import Reader, join, suggestion
from commissioner.core.edge.rules import PortMode
from commissioner.core.sensor_catalogue import SensorModel

PARSER_KEYS: tuple[str, ...] = ("kind", "separator", "pattern", "auto")
CHANNEL_KEYS: tuple[str, ...] = (
    *("name", "metric", "unit", "known"),
    *("min", "max", "interval_s", "column"),
)


def read_parser(
    r: Reader, p: Mapping[str, Any], path: str, mode: PortMode | None, model: SensorModel | None
) -> ParserSettings | None:
    path = join(path, "parser")
    if "parser" in p:
        raw = r.table(p["parser"], path, PARSER_KEYS) or {}
    elif model is not None:
        raw = {"kind": model.parser}
    else:
        return None
    kind = r.text(raw, "kind", path, "csv")
    if kind not in PARSER_KINDS:
        r.add(
            join(path, "kind"),
            f"must be one of {', '.join(PARSER_KINDS)}, got {kind!r}{suggestion(kind, PARSER_KINDS)}",
        )
    if kind == "regex" and not raw.get("pattern"):
        r.add(join(path, "pattern"), "a regex parser needs a pattern with named groups")
    if mode is PortMode.ANALOG and kind != "none":
        r.add(join(path, "kind"), 'an ANALOG port is read as a current, not parsed: use "none"')
    return ParserSettings(
        kind,
        r.text(raw, "separator", path, ","),
        r.text(raw, "pattern", path),
        bool(r.flag(raw, "auto", path, False)),
    )


def read_channels(
    r: Reader, raw: object, path: str, model: SensorModel | None
) -> tuple[ChannelSpec, ...]:
    base = {
        c.name: ChannelSpec(
            c.name,
            c.metric,
            c.unit,
            c.known,
            None if c.minimum == -float("inf") else c.minimum,
            None if c.maximum == float("inf") else c.maximum,
            c.interval_s,
        )
        for c in (model.channels if model is not None else ())
    }
    result = dict(base)
    for index, entry in enumerate(r.tables(raw, path)):
        where = join(path, index)
        c = r.table(entry, where, CHANNEL_KEYS)
        if c is None or not r.require(c, "name", where, "the channel's name"):
            continue
        name = r.text(c, "name", where)
        if model is not None and name not in base:
            names = ", ".join(base)
            r.add(
                join(where, "name"),
                f"{name!r} is not a channel of sensor {model.id}{suggestion(name, base)}; "
                f"its channels: {names}",
            )
            continue
        old = base.get(name) or ChannelSpec(name, name, "")
        low, high = r.number(c, "min", where), r.number(c, "max", where)
        interval, column = r.number(c, "interval_s", where), r.integer(c, "column", where)
        spec = ChannelSpec(
            name,
            r.text(c, "metric", where, old.metric),
            r.text(c, "unit", where, old.unit),
            bool(r.flag(c, "known", where, old.known)),
            old.minimum if low is None else low,
            old.maximum if high is None else high,
            old.interval_s if interval is None else interval,
            old.column if column is None else column,
        )
        if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
            r.add(where, f"min {spec.minimum:g} is above max {spec.maximum:g}")
        if spec.interval_s is not None and spec.interval_s <= 0:
            r.add(join(where, "interval_s"), "must be more than 0 seconds")
        if spec.column is not None and spec.column < 1:
            r.add(join(where, "column"), "CSV columns count from 1")
        result[name] = spec
    return tuple(result.values())
