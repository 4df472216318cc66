"""What the console view shows, as plain data: display lines and their text in each view mode.

The pipeline hands the UI display items (chunks of received bytes, sent bytes, gaps, states).
This module cuts received chunks into lines *keeping* their delimiters (the hex view shows them),
stamps each line with the arrival time of its last byte, and formats lines as text (UTF-8 with
invalid bytes and control characters visible as ``\\xNN``), hex, or both. No Qt here, so it is cheap
to test and to reason about.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from commissioner.core.streams.framing import visible_text

HEX_ROW = 16
PARTIAL_FLUSH_S = 0.3  # a line without its delimiter is shown after this long without more bytes


class ViewMode(StrEnum):
    TEXT = "Text"
    HEX = "Hex"
    BOTH = "Text + hex"


class Kind(StrEnum):
    RX = "rx"
    TX = "tx"
    GAP = "gap"
    STATE = "state"


@dataclass(frozen=True, slots=True)
class ViewLine:
    """One line of the view: received or sent bytes (with delimiter), or a gap/state note."""

    kind: Kind
    t: float
    data: bytes = b""
    note: str = ""
    partial: bool = False  # shown before its delimiter arrived

    @property
    def size(self) -> int:
        return len(self.data) or len(self.note)


def strip_delimiter(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith((b"\n", b"\r")):
        return data[:-1]
    return data


_PRINTABLE = bytes(b if 0x20 <= b < 0x7F else 0x2E for b in range(256))  # others as "."


def hex_rows(data: bytes, row: int = HEX_ROW) -> list[str]:
    """``32 33 2E 34  |23.4|`` rows of ``row`` bytes, the printable ASCII on the right."""
    rows = []
    for start in range(0, len(data), row):
        chunk = data[start : start + row]
        hexes = chunk.hex(" ").upper().ljust(row * 3 - 1)
        ascii_ = chunk.translate(_PRINTABLE).decode("ascii")
        rows.append(f"{hexes}  |{ascii_}|")
    return rows or [""]


def timestamp(t: float) -> str:
    local = time.localtime(t)
    return time.strftime("%H:%M:%S", local) + f".{int((t % 1) * 1000):03d}"


ENDING_NAMES = {b"\r\n": "CR LF", b"\n": "LF", b"\r": "CR"}
TX_MARK = "» "  # sent lines are marked in text as well as by colour
GAP_MARK = "── "
STATE_MARK = "· "


def format_line(
    line: ViewLine, mode: ViewMode, stamps: bool, stamp: str | None = None
) -> list[str]:
    """The text rows one view line occupies in ``mode`` (several for hex of long lines).

    ``stamp`` is ``timestamp(line.t)`` when the caller already has it (lines of one chunk share it).
    """
    if stamps and stamp is None:
        stamp = timestamp(line.t)
    prefix = f"{stamp}  " if stamps else ""
    pad = " " * len(prefix)
    if line.kind is Kind.GAP:
        return [f"{prefix}{GAP_MARK}{line.note} ──"]
    if line.kind is Kind.STATE:
        return [f"{prefix}{STATE_MARK}{line.note}"]
    mark = TX_MARK if line.kind is Kind.TX else ""
    body = strip_delimiter(line.data)
    text = visible_text(body) + ("…" if line.partial else "")
    if line.kind is Kind.TX:  # what went out, exactly: the line ending is named
        ending = ENDING_NAMES.get(line.data[len(body) :], "")
        text += f"  [{ending}]" if ending else ""
    if mode is ViewMode.TEXT:
        return [f"{prefix}{mark}{text}"]
    rows = hex_rows(line.data)
    if mode is ViewMode.HEX:
        first = f"{prefix}{mark}{rows[0]}"
        indent = pad + " " * len(mark)
        return [first, *(indent + r for r in rows[1:])]
    indent = pad + "   "
    return [f"{prefix}{mark}{text}", *(indent + r for r in rows)]


class DisplayFramer:
    """Cuts received chunks into view lines, keeping delimiters; other items pass through.

    A line ends after ``\\n``, or after a ``\\r`` that is not followed by ``\\n``. Bytes without a
    delimiter wait until :meth:`flush_stale` shows them as a partial line (a prompt, a device that
    never ends its lines) so nothing stays invisible for long.
    """

    def __init__(self, max_line: int = 4096) -> None:
        self.max_line = max_line
        self._pending = bytearray()
        self._pending_t = 0.0

    def feed_rx(self, data: bytes, t: float) -> list[ViewLine]:
        buf = bytes(self._pending) + data if self._pending else data
        self._pending_t = t
        parts = buf.splitlines(keepends=True)  # C speed; splits after LF, CR LF and lone CR
        tail = parts.pop() if parts else b""
        if tail.endswith(b"\n"):
            parts.append(tail)
            tail = b""
        # otherwise the tail is unfinished; a CR at the very end may be the first half of CR LF
        limit = self.max_line
        lines = []
        for part in parts:
            if len(part) <= limit:
                lines.append(ViewLine(Kind.RX, t, part))
            else:
                lines.extend(
                    ViewLine(Kind.RX, t, part[i : i + limit]) for i in range(0, len(part), limit)
                )
        while len(tail) > limit:
            lines.append(ViewLine(Kind.RX, t, tail[:limit]))
            tail = tail[limit:]
        self._pending = bytearray(tail)
        return lines

    def flush(self, partial: bool = True) -> list[ViewLine]:
        if not self._pending:
            return []
        data = bytes(self._pending)
        ended = data.endswith(b"\r")  # a lone CR that simply had nothing after it yet
        line = ViewLine(Kind.RX, self._pending_t, data, partial=partial and not ended)
        self._pending.clear()
        return [line]

    def flush_stale(self, now: float, after_s: float = PARTIAL_FLUSH_S) -> list[ViewLine]:
        if self._pending and now - self._pending_t >= after_s:
            return self.flush()
        return []

    def feed(self, kind: str, t: float, data: bytes, text: str) -> list[ViewLine]:
        """One display item of the pipeline (kind rx, tx, gap or state)."""
        if kind == Kind.RX:
            return self.feed_rx(data, t)
        before = self.flush()  # keep the order on screen: what arrived first is shown first
        if kind == Kind.TX:
            return [*before, ViewLine(Kind.TX, t, data)]
        return [*before, ViewLine(Kind(kind), t, note=text or visible_text(data))]

    def clear(self) -> None:
        self._pending.clear()


def total_size(lines: Iterable[ViewLine]) -> int:
    return sum(line.size for line in lines)
