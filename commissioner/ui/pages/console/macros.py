"""Named macros: a saved command, sent once or repeated at an interval, from any console.

:class:`MacroStore` holds the macros of the page (shared by every console, saved to a JSON file
when the page is given one). :class:`MacroRunner` sends one console's macros, each repeat as its
own asyncio task that stops on the first failure and says why. :class:`MacroBar` shows one
button per macro; a repeating macro's button stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from commissioner.ui.pages.console.send_bar import LineEnding, encode_input

log = logging.getLogger(__name__)

DEFAULT_MACROS: tuple[dict[str, Any], ...] = (
    {"name": "Read 01", "text": "01R", "ending": "crlf"},
    {"name": "Identify 01", "text": "01I", "ending": "crlf"},
)


@dataclass(frozen=True)
class Macro:
    name: str
    text: str
    ending: LineEnding = LineEnding.CRLF
    hex: bool = False
    repeat_s: float = 0.0  # 0: send once
    count: int = 0  # with repeat_s: how many times (0: until stopped)

    def payload(self) -> bytes:
        """The bytes one send puts on the wire; ValueError for bad hex."""
        return encode_input(self.text, self.ending, self.hex)

    @property
    def repeats(self) -> bool:
        return self.repeat_s > 0

    def describe(self) -> str:
        what = f"{self.text!r} + {self.ending.label}" if not self.hex else f"hex {self.text}"
        if not self.repeats:
            return f"Send {what}"
        times = f"{self.count} times" if self.count else "until stopped"
        return f"Send {what} every {self.repeat_s:g} s, {times}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ending"] = self.ending.value
        return data

    @classmethod
    def from_json(cls, data: object) -> Macro | None:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        try:
            return cls(
                name=data["name"],
                text=str(data.get("text", "")),
                ending=LineEnding(data.get("ending", "crlf")),
                hex=bool(data.get("hex", False)),
                repeat_s=max(0.0, float(data.get("repeat_s", 0.0))),
                count=max(0, int(data.get("count", 0))),
            )
        except (ValueError, TypeError):
            return None


class MacroStore(QObject):
    """The page's macros; saved on every change when ``path`` is set."""

    sig_changed = Signal()

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.macros: list[Macro] = self._load()

    def _load(self) -> list[Macro]:
        raw: object = list(DEFAULT_MACROS)
        if self.path is not None and self.path.exists():
            try:
                raw = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                log.warning("macros file %s unreadable (%s); using the defaults", self.path, exc)
        items = raw if isinstance(raw, list) else []
        return [m for m in map(Macro.from_json, items) if m is not None]

    def set_macros(self, macros: list[Macro]) -> None:
        self.macros = list(macros)
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps([m.as_json() for m in self.macros], indent=2), "utf-8")
                tmp.replace(self.path)
            except OSError as exc:
                log.warning("could not save macros to %s: %s", self.path, exc)
        self.sig_changed.emit()

    def get(self, name: str) -> Macro | None:
        return next((m for m in self.macros if m.name == name), None)


class MacroRunner:
    """Runs macros through ``send``; ``on_change`` is told when one starts, sends or stops."""

    def __init__(
        self,
        send: Callable[[bytes], Awaitable[None]],
        on_change: Callable[[str, str], None],  # (macro name, outcome in words or "")
    ) -> None:
        self._send = send
        self._on_change = on_change
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.sent: dict[str, int] = {}

    def running(self, name: str) -> bool:
        task = self.tasks.get(name)
        return task is not None and not task.done()

    def start(self, macro: Macro) -> asyncio.Task[None]:
        self.stop(macro.name)
        self.sent[macro.name] = 0
        task = asyncio.ensure_future(self._run(macro))
        self.tasks[macro.name] = task
        return task

    async def _run(self, macro: Macro) -> None:
        outcome = ""
        try:
            payload = macro.payload()
            n = 0
            while True:
                await self._send(payload)
                n += 1
                self.sent[macro.name] = n
                if not macro.repeats or (macro.count and n >= macro.count):
                    break
                self._on_change(macro.name, "")
                await asyncio.sleep(macro.repeat_s)
            outcome = f"{macro.name}: sent {n} time" + ("" if n == 1 else "s") + "."
        except asyncio.CancelledError:
            n = self.sent.get(macro.name, 0)
            outcome = f"{macro.name}: stopped after {n} send" + ("" if n == 1 else "s") + "."
            raise
        except Exception as exc:
            outcome = f"{macro.name} stopped: {exc}"
        finally:
            self.tasks.pop(macro.name, None)
            self._on_change(macro.name, outcome)

    def stop(self, name: str) -> None:
        task = self.tasks.get(name)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class MacroBar(QWidget):
    """A button per macro, and "Edit macros…"; the console decides what a click does."""

    def __init__(
        self,
        store: MacroStore,
        on_click: Callable[[Macro], None],
        on_edit: Callable[[], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._on_click = on_click
        self.buttons: dict[str, QPushButton] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(QLabel("Macros"))
        self.edit_button = QPushButton("Edit macros…")
        self.edit_button.clicked.connect(on_edit)
        store.sig_changed.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        for button in self.buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons.clear()
        self._layout.removeWidget(self.edit_button)
        while self._layout.count() > 1:  # the stretch
            self._layout.takeAt(1)
        for macro in self.store.macros:
            button = QPushButton(macro.name)
            button.setToolTip(macro.describe())
            button.clicked.connect(lambda _c=False, name=macro.name: self._clicked(name))
            self._layout.addWidget(button)
            self.buttons[macro.name] = button
        self._layout.addWidget(self.edit_button)
        self._layout.addStretch(1)

    def _clicked(self, name: str) -> None:
        macro = self.store.get(name)
        if macro is not None:
            self._on_click(macro)

    def show_running(self, name: str, running: bool, sent: int) -> None:
        button = self.buttons.get(name)
        if button is not None:
            button.setText(f"■ {name} ({sent})" if running else name)
            button.setToolTip(
                "Click to stop"
                if running
                else (m.describe() if (m := self.store.get(name)) else "")
            )
