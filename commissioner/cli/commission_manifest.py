"""The site manifest of ``commissioner commission --targets FILE``: which THREADs, and their fields.

Format (TOML; a documented example ships as ``resources/fleet/example-site.toml``)::

    [site]                          # defaults for every unit (all optional)
    site = "Bridge 7"               # fills the profile's {site} placeholder
    location = "North abutment"
    technician = "A. Installer"
    notes = ""

    [[units]]                       # one table per THREAD, at least one
    address = "192.168.1.20"        # required: host[:port] or http(s)://host[:port]
    name = "pier-1"                 # label in the progress and summary tables (default: address)
    serial = "00D817"               # expected serial number (any case): if another THREAD
                                    # answers at the address, this unit fails before anything
                                    # is written to it
    site = "Bridge 7 east"          # site, location, technician, notes override [site]
    location = "Pier 1"

Which value wins for a site field: the unit's own, then ``--site-field KEY=VALUE`` on the
command line, then ``[site]``. Addresses are configuration, so any host is allowed; they are
normalised like the app's connection dialog does, and a THREAD (address or expected serial)
may appear only once, since two runs on one THREAD at the same time would fight.

Why problems carry line numbers: a manifest for a big site is long, and "units[17].adress:
unknown key" is much quicker to fix with "line 96" in front of it. Every problem is reported at
once, so a technician fixes the file in one go.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from commissioner.core.commissioning.run_model import SiteFields
from commissioner.core.connection.targets import base_url
from commissioner.core.edge.errors import EdgeValidationError

SITE_KEYS = ("site", "location", "technician", "notes")
UNIT_KEYS = ("address", "name", "serial", *SITE_KEYS)
TOP_KEYS = ("site", "units")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


Problem = Callable[[str, str | None, str], None]  # (table, key, message)


class ManifestError(ValueError):
    """A manifest that cannot be used; ``problems`` are ``line N: path: what`` texts."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        head = f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n  ".join([head, *problems]))


@dataclass(frozen=True)
class Unit:
    """One THREAD to commission: where it is, what it should be, what goes on its report."""

    index: int
    name: str
    address: str  # normalised base URL, e.g. http://127.0.0.1:8081
    serial: str | None
    site: SiteFields


@dataclass(frozen=True)
class Manifest:
    site: SiteFields
    units: tuple[Unit, ...]


def parse_site_fields(pairs: list[str]) -> dict[str, str]:
    """``--site-field KEY=VALUE`` options to a dict; ValueError names a bad one."""
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in SITE_KEYS:
            raise ValueError(
                f"--site-field {pair!r}: use KEY=VALUE with KEY one of {', '.join(SITE_KEYS)}"
            )
        fields[key] = value.strip()
    return fields


def load_manifest(path: Path | str, overrides: dict[str, str] | None = None) -> Manifest:
    """Read and check the manifest at ``path``; ManifestError lists every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(str(path), [f"cannot be read: {exc}"]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line N, column M)"
        raise ManifestError(str(path), [f"is not valid TOML: {exc}"]) from exc
    return manifest_from_dict(data, text, str(path), overrides or {})


def manifest_from_dict(
    data: dict[str, Any], text: str, source: str, overrides: dict[str, str]
) -> Manifest:
    lines = _Lines(text)
    problems: list[str] = []

    def problem(table: str, key: str | None, message: str) -> None:
        where = f"{table}.{key}" if key and table else (key or table or "file")
        line = lines.find(table, key)
        problems.append(f"{'line ' + str(line) + ': ' if line else ''}{where}: {message}")

    _unknown(data, TOP_KEYS, "", problem)
    site_table = data.get("site", {})
    if not isinstance(site_table, dict):
        problem("", "site", "must be a table: [site]")
        site_table = {}
    _unknown(site_table, SITE_KEYS, "site", problem)
    defaults = _site_fields(site_table, "site", problem)
    defaults.update(overrides)
    site = SiteFields(**defaults)

    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        problem("", "units", "list at least one THREAD as a [[units]] table with an address")
        raw_units = []
    units: list[Unit] = []
    for index, raw in enumerate(raw_units):
        table = f"units[{index}]"
        if not isinstance(raw, dict):
            problem(table, None, "must be a table with an address")
            continue
        _unknown(raw, UNIT_KEYS, table, problem)
        address = raw.get("address")
        if not isinstance(address, str) or not address.strip():
            problem(
                table, "address" if "address" in raw else None, "needs an address (host[:port])"
            )
            continue
        try:
            url = base_url(address)
        except EdgeValidationError as exc:
            problem(table, "address", exc.message)
            continue
        name = _text(raw, "name", table, problem) or address.strip()
        serial = (_text(raw, "serial", table, problem) or "").upper() or None  # hex, as read
        own = _site_fields(raw, table, problem)
        units.append(Unit(index, name, url, serial, replace(site, **own)))
    _duplicates(units, lines, problems)
    if problems:
        raise ManifestError(source, problems)
    return Manifest(site, tuple(units))


def _duplicates(units: list[Unit], lines: _Lines, problems: list[str]) -> None:
    """Each THREAD once (by address and by expected serial), and names that tell units apart."""
    reported: set[int] = set()
    for what in ("address", "serial", "name"):
        seen: dict[str, int] = {}
        for unit in units:
            value: str | None = getattr(unit, what)
            if value is None or unit.index in reported:
                continue
            if value in seen:
                line = lines.find(f"units[{unit.index}]", what) or lines.find(
                    f"units[{unit.index}]", None
                )
                prefix = f"line {line}: " if line else ""
                problems.append(
                    f"{prefix}units[{unit.index}].{what}: {value!r} is already units[{seen[value]}]"
                    " (each THREAD once)"
                )
                reported.add(unit.index)
            else:
                seen[value] = unit.index


def _site_fields(table: dict[str, Any], where: str, problem: Problem) -> dict[str, str]:
    return {
        key: value
        for key in SITE_KEYS
        if key in table and (value := _text(table, key, where, problem)) is not None
    }


def _text(table: dict[str, Any], key: str, where: str, problem: Problem) -> str | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        problem(where, key, f"must be text, not {type(value).__name__}")
        return None
    return str(value).strip()


def _unknown(table: dict[str, Any], known: tuple[str, ...], where: str, problem: Problem) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            problem(where, key, f"unknown key{hint}")


class _Lines:
    """Where a table's key is in the file: tomllib gives values, not positions."""

    def __init__(self, text: str) -> None:
        self._at: dict[tuple[str, str | None], int] = {}
        table, units = "", -1
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                name = header.group(2).strip().strip("\"'")
                if header.group(1) == "[[" and name == "units":
                    units += 1
                    table = f"units[{units}]"
                else:
                    table = name
                self._at.setdefault((table, None), number)
                continue
            key = _KEY.match(line)
            if key:
                self._at.setdefault((table, key.group(1)), number)

    def find(self, table: str, key: str | None) -> int | None:
        return self._at.get((table, key)) or (self._at.get((table, None)) if key else None)
