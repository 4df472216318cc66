"""Cutting a byte stream into lines, whole chunks at a time.

Devices end lines with CR LF, LF or CR (some with other bytes, given in hex in the UI). The framer
splits each received chunk with C-speed ``bytes`` methods, keeps the unfinished tail for the next
chunk and cuts lines that never end at ``max_line`` bytes so a device that sends no delimiter
cannot grow memory without bound. A delimiter that is the start of a longer one (CR of CR LF) ends
the line at once; if the rest of the longer delimiter arrives first in the next chunk it is
swallowed rather than read as an empty line.

Text is UTF-8; bytes that are not valid UTF-8 and control characters are shown as ``\\xNN``
escapes, so garbled data (wrong baud rate) is visible and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_DELIMITERS: tuple[bytes, ...] = (b"\r\n", b"\n", b"\r")

_CONTROL = [c for c in range(32) if c != 9] + [0x7F]
_VISIBLE: dict[int, str] = {c: f"\\x{c:02x}" for c in _CONTROL}
_VISIBLE_KEEP_BREAKS: dict[int, str] = {c: s for c, s in _VISIBLE.items() if c not in (10, 13)}


def visible_text(data: bytes, *, keep_line_breaks: bool = False) -> str:
    """UTF-8 text of ``data``; invalid bytes and control characters become ``\\xNN``. Never raises.

    Tabs are kept; CR and LF are kept only with ``keep_line_breaks``.
    """
    return visible_str(data.decode("utf-8", "backslashreplace"), keep_line_breaks=keep_line_breaks)


def visible_str(text: str, *, keep_line_breaks: bool = False) -> str:
    """``text`` with control characters (except tab, and CR/LF if kept) shown as ``\\xNN``."""
    if text.isprintable():
        return text
    return text.translate(_VISIBLE_KEEP_BREAKS if keep_line_breaks else _VISIBLE)


@dataclass(frozen=True, slots=True)
class Line:
    """One line without its delimiter; ``t`` is when its last byte arrived, ``index`` counts from 0."""

    data: bytes
    t: float
    index: int

    @property
    def text(self) -> str:
        return visible_text(self.data)


def delimiters_from_hex(items: Sequence[str]) -> tuple[bytes, ...]:
    """``["0D0A", "0A"]`` -> ``(b"\\r\\n", b"\\n")``; spaces and ``0x`` prefixes are allowed."""
    out: list[bytes] = []
    for item in items:
        cleaned = item.strip().replace("0x", "").replace("0X", "").replace(" ", "")
        try:
            value = bytes.fromhex(cleaned)
        except ValueError:
            raise ValueError(f"{item!r} is not a delimiter in hex (for example 0D0A)") from None
        if not value:
            raise ValueError("a delimiter needs at least one byte")
        out.append(value)
    if not out:
        raise ValueError("give at least one delimiter")
    return tuple(out)


class LineFramer:
    """Splits chunks of bytes into lines (delimiters removed)."""

    def __init__(
        self, delimiters: Sequence[bytes] = DEFAULT_DELIMITERS, max_line: int = 8192
    ) -> None:
        delims = tuple(dict.fromkeys(bytes(d) for d in delimiters))
        if not delims or any(not d for d in delims):
            raise ValueError("a line framer needs at least one non-empty delimiter")
        if max_line < 1:
            raise ValueError("max_line must be at least 1 byte")
        self.delimiters = delims
        self.max_line = max_line
        self.lines_emitted = 0
        self.lines_cut = 0  # places where a too-long line was cut
        self._pending = b""
        self._skip = b""
        # (delimiter, rest) where delimiter + rest is a longer delimiter: CR then LF.
        self._continuations = sorted(
            (
                (short, long[len(short) :])
                for short in delims
                for long in delims
                if len(long) > len(short) and long.startswith(short)
            ),
            key=lambda pair: -len(pair[1]),
        )
        self._split: Callable[[bytes], list[bytes]]
        if set(delims) == set(DEFAULT_DELIMITERS):
            self._split = self._split_lines
        elif len(delims) == 1:
            only = delims[0]
            self._split = lambda buf: buf.split(only)
        else:
            ordered = sorted(delims, key=len, reverse=True)
            pattern = re.compile(b"|".join(re.escape(d) for d in ordered))
            self._split = pattern.split

    @staticmethod
    def _split_lines(buf: bytes) -> list[bytes]:
        parts = buf.splitlines()  # bytes.splitlines splits on exactly CR LF, LF and CR
        if buf[-1] in (10, 13):
            parts.append(b"")
        return parts

    @property
    def pending(self) -> bytes:
        """Bytes received after the last delimiter (the unfinished line)."""
        return self._pending

    def split(self, data: bytes) -> list[bytes]:
        """The complete lines in ``data`` (with what was pending) as bytes; the fast path."""
        if type(data) is not bytes:
            data = bytes(data)
        if self._skip:
            if data.startswith(self._skip):
                data = data[len(self._skip) :]
            self._skip = b""
        if not data:
            return []
        buf = self._pending + data if self._pending else data
        parts = self._split(buf)
        pending = parts.pop()
        if not pending:
            for short, rest in self._continuations:
                if buf.endswith(short) and not buf.endswith(short + rest):
                    self._skip = rest
                    break
        limit = self.max_line
        if len(buf) > limit:
            if parts and max(map(len, parts)) > limit:
                parts = self._cut_long(parts)
            if len(pending) > limit:
                cut = len(pending) - len(pending) % limit
                if cut == len(pending):
                    cut -= limit
                parts.extend(pending[i : i + limit] for i in range(0, cut, limit))
                self.lines_cut += cut // limit
                pending = pending[cut:]
        self._pending = pending
        self.lines_emitted += len(parts)
        return parts

    def _cut_long(self, parts: list[bytes]) -> list[bytes]:
        limit = self.max_line
        out: list[bytes] = []
        for part in parts:
            if len(part) <= limit:
                out.append(part)
            else:
                pieces = [part[i : i + limit] for i in range(0, len(part), limit)]
                self.lines_cut += len(pieces) - 1
                out.extend(pieces)
        return out

    def feed(self, data: bytes, t: float) -> list[Line]:
        """The complete lines in ``data``, each stamped with ``t`` (the chunk's arrival time)."""
        first = self.lines_emitted
        return [Line(d, t, i) for i, d in enumerate(self.split(data), first)]

    def flush(self, t: float) -> Line | None:
        """Emit the unfinished line, if any (for example when the link dropped)."""
        self._skip = b""
        if not self._pending:
            return None
        line = Line(self._pending, t, self.lines_emitted)
        self._pending = b""
        self.lines_emitted += 1
        return line

    def flush_bytes(self) -> bytes:
        """Like :meth:`flush` for the fast path: the unfinished line's bytes (maybe empty)."""
        self._skip = b""
        pending, self._pending = self._pending, b""
        if pending:
            self.lines_emitted += 1
        return pending

    def reset(self) -> None:
        """Forget the unfinished line."""
        self._pending = b""
        self._skip = b""
