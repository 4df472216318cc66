"""Reading a profile's tables: types, documented values and unknown keys, every problem collected.

:class:`Reader` never stops at the first problem: each helper records a :class:`ProfileProblem`
and returns None, so one pass over the file reports everything an installer has to fix. The
documented Edge values come from :mod:`commissioner.core.edge.rules`, never from a copy here.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from string import Formatter
from typing import Any, TypeVar

from commissioner.core.commissioning.profile_model import ProfileProblem
from commissioner.core.edge.errors import EdgeValidationError

T = TypeVar("T")


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Reader:
    """Typed access to raw TOML values that records problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[ProfileProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ProfileProblem(path, message))

    def table(self, data: object, path: str, known: Iterable[str]) -> dict[str, Any] | None:
        """``data`` as a table, reporting keys outside ``known`` with the nearest known key."""
        if not isinstance(data, Mapping):
            self.add(path, f"must be a table, got {_shown(data)}")
            return None
        names = tuple(known)
        for key in data:
            if key not in names:
                self.add(
                    join(path, key),
                    f"unknown key{suggestion(str(key), names)}; known keys: {', '.join(names)}",
                )
        return {k: v for k, v in data.items() if k in names}

    def tables(self, data: object, path: str) -> list[object]:
        """An array of tables (``[[ports]]``); anything else is one problem."""
        if not isinstance(data, list):
            self.add(path, f"must be an array of tables ([[{path}]]), got {_shown(data)}")
            return []
        return list(data)

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.add(join(path, key), f"must be text in quotes, got {_shown(value)}")
            return default
        return value

    def opt_text(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        return self.text(data, key, path) if key in data else None

    def flag(
        self, data: Mapping[str, Any], key: str, path: str, default: bool | None = None
    ) -> bool | None:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, bool):
            self.add(join(path, key), f"must be true or false (no quotes), got {_shown(value)}")
            return default
        return value

    def integer(self, data: Mapping[str, Any], key: str, path: str) -> int | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(join(path, key), f"must be a whole number, got {_shown(value)}")
            return None
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> float | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            self.add(join(path, key), f"must be a number, got {_shown(value)}")
            return None
        return float(value)

    def rule(self, path: str, check: Callable[[], T]) -> T | None:
        """The result of a ``rules`` function, or None with its message recorded at ``path``."""
        try:
            return check()
        except EdgeValidationError as exc:
            self.add(path, exc.message)
            return None

    def require(self, data: Mapping[str, Any], key: str, path: str, what: str) -> bool:
        if key in data:
            return True
        self.add(join(path, key), f"is missing: give {what}")
        return False

    def template(self, value: str, path: str, allowed: tuple[str, ...]) -> str:
        """Check a name template's ``{placeholders}``; unknown ones are problems."""
        try:
            fields = [f for _, f, _, _ in Formatter().parse(value) if f is not None]
            specs = [(s, c) for _, f, s, c in Formatter().parse(value) if f is not None]
        except ValueError as exc:
            self.add(path, f"is not a valid name template ({exc}); write {{{{ for a literal brace")
            return value
        for name, (spec, conversion) in zip(fields, specs, strict=True):
            if name not in allowed:
                where = "" if name in _ALL else suggestion(name, allowed)
                usable = ", ".join(f"{{{a}}}" for a in allowed)
                self.add(
                    path,
                    f"unknown placeholder {{{name}}}{where}; this name can use {usable}"
                    if name
                    else f"an empty placeholder {{}} is not allowed; use one of {usable}",
                )
            elif spec or conversion:
                self.add(path, f"placeholder {{{name}}} takes no format or conversion")
        return value


_ALL = ("serial", "port", "site", "sensor")


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)
