"""Turning lines into named numeric channels: CSV columns, label:value pairs, regex, JSON lines.

Every parser has two entry points: :meth:`Parser.parse` for one :class:`Line` (what a UI or a test
calls) and :meth:`Parser.parse_many` for all the lines of one received chunk at once (what the
pipeline calls). ``parse_many`` returns the values column by column (one numpy array per channel)
so the caller does O(1) work per channel, not per sample; :class:`CsvParser` fills those columns
with C-level slicing and ``float`` calls when every line of the chunk has the same shape, and falls
back to line by line otherwise so each bad line is found and reported.

Whatever the bytes, parsing raises :class:`ParseError` and nothing else.
"""

from __future__ import annotations

import abc
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from commissioner.core.streams.framing import Line

FloatArray = npt.NDArray[np.float64]

#: Auto-discovering parsers stop adding channels after this many (garbage must not grow the list).
MAX_AUTO_CHANNELS = 64


@dataclass(frozen=True, slots=True)
class Channel:
    """A named value from a line; ``convert`` applies ``raw * scale + offset``."""

    name: str
    unit: str = ""
    scale: float = 1.0
    offset: float = 0.0

    def convert(self, raw: float) -> float:
        return raw * self.scale + self.offset

    @property
    def identity(self) -> bool:
        return self.scale == 1.0 and self.offset == 0.0


@dataclass(frozen=True, slots=True)
class Sample:
    channel: str
    t: float
    value: float


class ParseError(ValueError):
    """A line that does not fit the parser; the message says why in words."""


@dataclass
class ParseResult:
    """What :meth:`Parser.parse_many` found in one chunk's lines (all stamped ``t``).

    ``values`` holds one float64 array per channel that got values, in line order;
    ``errors`` holds ``(position in the given lines, reason)`` for each line that failed.
    Blank lines are neither parsed nor errors.
    """

    t: float
    values: dict[str, FloatArray] = field(default_factory=dict)
    parsed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def sample_count(self) -> int:
        return sum(map(len, self.values.values()))

    def samples(self) -> list[Sample]:
        """The values as :class:`Sample` objects (grouped by channel; costs one object each)."""
        t = self.t
        return [Sample(name, t, v) for name, arr in self.values.items() for v in arr.tolist()]


class Parser(abc.ABC):
    """Turns a line into samples; raises :class:`ParseError` (only) for lines that do not fit."""

    kind: ClassVar[str] = ""

    def __init__(self, channels: Iterable[Channel]) -> None:
        self.channels: list[Channel] = list(channels)
        self._by_name: dict[str, Channel] = {}
        for ch in self.channels:
            _check_channel(ch)
            if ch.name in self._by_name:
                raise ValueError(f"channel {ch.name!r} appears twice")
            self._by_name[ch.name] = ch

    @abc.abstractmethod
    def _raw_values(self, data: bytes) -> list[tuple[Channel, float]]:
        """The (channel, raw value) pairs in one non-blank line, or raise ParseError."""

    def _values(self, data: bytes) -> list[tuple[Channel, float]]:
        try:
            return self._raw_values(data)
        except ParseError:
            raise
        except Exception as exc:  # whatever the bytes, only ParseError leaves a parser
            raise ParseError(f"cannot read this line: {type(exc).__name__}: {exc}") from None

    def parse(self, line: Line) -> list[Sample]:
        """The samples in ``line`` (none for a blank line)."""
        if not line.data.strip():
            return []
        return [Sample(ch.name, line.t, ch.convert(raw)) for ch, raw in self._values(line.data)]

    def parse_many(self, lines: Sequence[bytes], t: float) -> ParseResult:
        """Parse the lines of one chunk; never raises for bad lines (they are in ``errors``)."""
        columns: dict[str, list[float]] = {}
        result = ParseResult(t)
        errors = result.errors
        parsed = 0
        for pos, data in enumerate(lines):
            if not data.strip():
                continue
            try:
                pairs = self._values(data)
            except ParseError as exc:
                errors.append((pos, str(exc)))
                continue
            parsed += 1
            for ch, raw in pairs:
                column = columns.get(ch.name)
                if column is None:
                    column = columns[ch.name] = []
                column.append(raw)
        result.parsed = parsed
        result.values = {
            name: _converted(self._by_name[name], column) for name, column in columns.items()
        }
        return result

    def channel(self, name: str) -> Channel | None:
        return self._by_name.get(name)

    def _auto_channel(self, name: str) -> Channel | None:
        """The channel called ``name``, added if this parser discovers channels."""
        ch = self._by_name.get(name)
        if ch is None and len(self.channels) < MAX_AUTO_CHANNELS and name:
            ch = Channel(name)
            self.channels.append(ch)
            self._by_name[name] = ch
        return ch


def _converted(ch: Channel, raw: list[float]) -> FloatArray:
    arr = np.array(raw, dtype=np.float64)
    if ch.scale != 1.0:
        arr *= ch.scale
    if ch.offset != 0.0:
        arr += ch.offset
    return arr


def _check_channel(ch: Channel) -> None:
    if not ch.name or not ch.name.strip():
        raise ValueError("every channel needs a name")
    if not (math.isfinite(ch.scale) and math.isfinite(ch.offset)):
        raise ValueError(f"channel {ch.name!r}: scale and offset must be finite numbers")


def _number(raw: bytes | str, what: str) -> float:
    try:
        return float(raw)
    except (ValueError, OverflowError):
        shown = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
        raise ParseError(f"{what}: {shown.strip()[:40]!r} is not a number") from None


# -- CSV ------------------------------------------------------------------------------------------


class CsvParser(Parser):
    """Columns separated by ``separator``; ``None`` skips a column, extra columns are ignored."""

    kind = "csv"

    def __init__(self, channels: Sequence[Channel | None], separator: str = ",") -> None:
        if not separator:
            raise ValueError("the CSV separator cannot be empty")
        self.columns: list[Channel | None] = list(channels)
        super().__init__(ch for ch in self.columns if ch is not None)
        if not self.channels:
            raise ValueError("a CSV parser needs at least one named column")
        self.separator = separator
        self._sep = separator.encode("utf-8")
        self._wanted = [(i, ch) for i, ch in enumerate(self.columns) if ch is not None]
        self._min_fields = self._wanted[-1][0] + 1

    def _raw_values(self, data: bytes) -> list[tuple[Channel, float]]:
        fields = data.split(self._sep)
        if len(fields) < self._min_fields:
            raise ParseError(f"{len(fields)} columns, expected at least {self._min_fields}")
        return [(ch, _number(fields[i], f"column {i + 1} ({ch.name})")) for i, ch in self._wanted]

    def parse_many(self, lines: Sequence[bytes], t: float) -> ParseResult:
        if not lines:
            return ParseResult(t)
        sep = self._sep
        first = lines[0].count(sep)
        if first + 1 >= self._min_fields and all(
            n == first for n in map(bytes.count, lines, [sep] * len(lines))
        ):
            fields = sep.join(lines).split(sep)
            width = first + 1
            wanted = self._wanted
            needed: list[bytes] = []
            for i, _ in wanted:
                needed += fields[i::width]
            try:
                table = np.array(list(map(float, needed)), dtype=np.float64)
            except (ValueError, OverflowError):
                pass  # a bad field somewhere: go line by line to find it
            else:
                table = table.reshape(len(wanted), len(lines))
                values: dict[str, FloatArray] = {}
                for row, (_, ch) in enumerate(wanted):
                    column = table[row]
                    if ch.scale != 1.0:
                        column *= ch.scale
                    if ch.offset != 0.0:
                        column += ch.offset
                    values[ch.name] = column
                return ParseResult(t, values, len(lines))
        return super().parse_many(lines, t)


# -- label:value / key=value ---------------------------------------------------------------------

_PAIR = re.compile(rb"([A-Za-z_][A-Za-z0-9_.\-/%]*)\s*[:=]\s*([^\s,;]*)")
_NUMBER_PREFIX = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.I)


class KeyValueParser(Parser):
    """``label:value`` and ``key=value`` pairs separated by ``,`` ``;`` space or tab.

    A unit stuck to the number (``T:23.4C``) is ignored. With ``auto`` unseen keys with numeric
    values become channels; without it, keys that are not channels are ignored.
    """

    kind = "keyvalue"

    def __init__(self, channels: Sequence[Channel] = (), auto: bool = True) -> None:
        super().__init__(channels)
        self.auto = auto
        if not auto and not self.channels:
            raise ValueError("without auto, a label:value parser needs at least one channel")

    def _raw_values(self, data: bytes) -> list[tuple[Channel, float]]:
        pairs = _PAIR.findall(data)
        if not pairs:
            raise ParseError("no label:value or key=value pairs")
        out: list[tuple[Channel, float]] = []
        for key_b, value_b in pairs:
            key = key_b.decode("ascii")
            match = _NUMBER_PREFIX.match(value_b)
            ch = self._by_name.get(key)
            if match is None:
                if ch is not None:
                    shown = value_b[:40].decode("utf-8", "backslashreplace")
                    raise ParseError(f"{key}: {shown!r} is not a number")
                continue  # a text field such as status=OK
            if ch is None and self.auto:
                ch = self._auto_channel(key)
            if ch is not None:
                out.append((ch, _number(match.group(), key)))
        if not out:
            raise ParseError("no numeric value for any channel")
        return out


# -- regex ----------------------------------------------------------------------------------------


class RegexParser(Parser):
    """Named groups of ``pattern`` (searched in the line's text) become channels of that name."""

    kind = "regex"

    def __init__(self, pattern: str, channels: Sequence[Channel] = ()) -> None:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"the pattern is not a valid regular expression: {exc}") from None
        groups = list(compiled.groupindex)
        if not groups:
            raise ValueError("the pattern needs named groups, like (?P<temperature>[-\\d.]+)")
        given = {ch.name: ch for ch in channels}
        unknown = sorted(set(given) - set(groups))
        if unknown:
            raise ValueError(f"no group in the pattern for channel(s) {', '.join(unknown)}")
        super().__init__(given.get(name, Channel(name)) for name in groups)
        self.pattern = pattern
        self._regex = compiled

    def _raw_values(self, data: bytes) -> list[tuple[Channel, float]]:
        match = self._regex.search(data.decode("utf-8", "backslashreplace"))
        if match is None:
            raise ParseError("the pattern does not match")
        out: list[tuple[Channel, float]] = []
        for ch in self.channels:
            raw = match.group(ch.name)
            if raw is not None:
                out.append((ch, _number(raw, ch.name)))
        if not out:
            raise ParseError("the pattern matched but no named group captured a value")
        return out


# -- JSON lines -----------------------------------------------------------------------------------

_MAX_DEPTH = 8


class JsonLinesParser(Parser):
    """Numeric fields of one JSON object per line; nested objects as ``outer.inner``."""

    kind = "json"

    def __init__(self, channels: Sequence[Channel] = (), auto: bool = True) -> None:
        super().__init__(channels)
        self.auto = auto
        if not auto and not self.channels:
            raise ValueError("without auto, a JSON parser needs at least one channel")

    def _raw_values(self, data: bytes) -> list[tuple[Channel, float]]:
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise ParseError(f"not a JSON object but {type(obj).__name__}")
        out: list[tuple[Channel, float]] = []
        for name, value in _numeric_fields(obj, "", 0):
            ch = self._auto_channel(name) if self.auto else self._by_name.get(name)
            if ch is not None:
                out.append((ch, value))
        if not out:
            raise ParseError("no numeric field for any channel")
        return out


def _numeric_fields(obj: Mapping[str, Any], prefix: str, depth: int) -> Iterable[tuple[str, float]]:
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            try:
                yield name, float(value)
            except OverflowError:
                continue
        elif isinstance(value, dict) and depth < _MAX_DEPTH:
            yield from _numeric_fields(value, name + ".", depth + 1)


# -- specs (for saving) ---------------------------------------------------------------------------


def channel_to_spec(ch: Channel) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": ch.name}
    if ch.unit:
        spec["unit"] = ch.unit
    if ch.scale != 1.0:
        spec["scale"] = ch.scale
    if ch.offset != 0.0:
        spec["offset"] = ch.offset
    return spec


def channel_from_spec(spec: Any) -> Channel:
    if isinstance(spec, str):
        return Channel(spec)
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise ValueError(f"a channel needs a name: {spec!r}")
    try:
        return Channel(
            spec["name"],
            str(spec.get("unit", "")),
            float(spec.get("scale", 1.0)),
            float(spec.get("offset", 0.0)),
        )
    except (TypeError, ValueError):
        raise ValueError(f"channel {spec['name']!r}: scale and offset must be numbers") from None


def parser_to_spec(p: Parser) -> dict[str, Any]:
    """A JSON-friendly description of ``p`` that :func:`parser_from_spec` turns back into it."""
    if isinstance(p, CsvParser):
        return {
            "kind": p.kind,
            "separator": p.separator,
            "channels": [None if ch is None else channel_to_spec(ch) for ch in p.columns],
        }
    spec: dict[str, Any] = {"kind": p.kind, "channels": [channel_to_spec(c) for c in p.channels]}
    if isinstance(p, KeyValueParser | JsonLinesParser):
        spec["auto"] = p.auto
    elif isinstance(p, RegexParser):
        spec["pattern"] = p.pattern
    else:
        raise ValueError(f"cannot describe parser {type(p).__name__}")
    return spec


def parser_from_spec(spec: Mapping[str, Any]) -> Parser:
    """Build a parser from :func:`parser_to_spec`'s output; ``ValueError`` says what is wrong."""
    if not isinstance(spec, Mapping):
        raise ValueError("a parser spec is a table with a 'kind'")
    kind = spec.get("kind")
    raw_channels = spec.get("channels", [])
    if not isinstance(raw_channels, list | tuple):
        raise ValueError("'channels' must be a list")
    auto = bool(spec.get("auto", True))
    if kind == "csv":
        columns = [None if c is None else channel_from_spec(c) for c in raw_channels]
        return CsvParser(columns, str(spec.get("separator", ",")))
    channels = [channel_from_spec(c) for c in raw_channels]
    if kind == "keyvalue":
        return KeyValueParser(channels, auto=auto)
    if kind == "json":
        return JsonLinesParser(channels, auto=auto)
    if kind == "regex":
        pattern = spec.get("pattern")
        if not isinstance(pattern, str):
            raise ValueError("a regex parser needs a 'pattern'")
        return RegexParser(pattern, channels)
    raise ValueError(f"unknown parser kind {kind!r} (csv, keyvalue, regex or json)")
