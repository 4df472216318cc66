"""Pending edits of a port, and their review against the THREAD: targets, changes and errors.

Edits are kept as the user gave them (a half-typed delimiter stays as typed) and only reviewed,
never sent, so they survive a lost THREAD, a reconnect and a re-read. :func:`review` is pure: the
same edits and device state always give the same diff and the same error sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from commissioner.core.edge.errors import EdgeValidationError
from commissioner.core.edge.rules import PortMode
from commissioner.core.ports.device_state import PortDeviceState
from commissioner.core.ports.fields import (
    EDITABLE_FIELDS,
    FIELD_ORDER,
    REMOVABLE_FIELDS,
    REMOVE,
    SERIAL_MODES,
    USB_FIELDS,
    PortField,
    normalise,
)


@dataclass(frozen=True)
class FieldChange:
    """A field whose target differs from the device (or whose device value is unknown)."""

    field: PortField
    device: Any
    target: Any
    device_known: bool

    @property
    def is_removal(self) -> bool:
        return self.target is REMOVE


@dataclass(frozen=True)
class PortReview:
    """The outcome of reviewing a port's edits: what would be sent, and what is wrong."""

    port: int
    targets: dict[PortField, Any]
    changes: dict[PortField, FieldChange]
    errors: dict[PortField, str]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)


class PortStaging:
    """The user's pending edits of one port: raw values as given, or a removal. Nothing is sent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._edits: dict[PortField, Any] = {}

    @property
    def edits(self) -> dict[PortField, Any]:
        return dict(self._edits)

    def stage(self, which: PortField, value: Any) -> None:
        if which not in EDITABLE_FIELDS:
            raise ValueError(f"{which.value} follows the interface mode and cannot be edited")
        self._edits[which] = value

    def remove(self, which: PortField) -> None:
        if which not in REMOVABLE_FIELDS:
            raise ValueError(f"{which.value} cannot be removed")
        self._edits[which] = REMOVE

    def unstage(self, which: PortField) -> None:
        self._edits.pop(which, None)

    def revert(self) -> None:
        self._edits.clear()

    def keep_only(self, fields: Iterable[PortField]) -> None:
        """Drop every edit except those of ``fields`` (after an apply: keep what did not land)."""
        keep = set(fields)
        self._edits = {f: v for f, v in self._edits.items() if f in keep}

    def is_removed(self, which: PortField) -> bool:
        return self._edits.get(which) is REMOVE


def review(port: int, edits: Mapping[PortField, Any], device: PortDeviceState | None) -> PortReview:
    """Validate ``edits`` with the documented rules and diff them against ``device``.

    A serial mode also targets the same ``COMM_TYPE``, so the THREAD's properties agree with its
    interface whether or not ``deviceRsSel`` sets it. With no device state every valid edit is a
    change (the device values are unknown).
    """
    targets: dict[PortField, Any] = {}
    errors: dict[PortField, str] = {}
    for which, raw in edits.items():
        if raw is REMOVE:
            targets[which] = REMOVE
            continue
        try:
            targets[which] = normalise(port, which, raw)
        except EdgeValidationError as exc:
            errors[which] = exc.message
    mode = targets.get(PortField.MODE)
    if isinstance(mode, PortMode) and mode in SERIAL_MODES:
        targets[PortField.COMM_TYPE] = mode.value
    changes: dict[PortField, FieldChange] = {}
    for which in FIELD_ORDER:
        if which not in targets:
            continue
        target = targets[which]
        known = device is not None and device.is_known(which)
        current = device.value(which) if device is not None else None
        if target is REMOVE:
            changed = not known or current is not None
        else:
            changed = not known or current != target
        if changed:
            changes[which] = FieldChange(which, current, target, known)
    effective_mode = mode if mode is not None else (device.mode.value if device else None)
    for which in USB_FIELDS:
        change = changes.get(which)
        if change is None or change.is_removal or which in errors:
            continue
        if effective_mode is not PortMode.USB:
            errors[which] = "only used in USB mode: choose USB as the interface mode first"
    for which in errors:
        changes.pop(which, None)
    return PortReview(port, targets, changes, errors)
