"""Plain-text tables and small formatting helpers for ``commissioner cloud`` output.

Kept apart from the operations so every command prints ages, problems and tables the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from commissioner.core.cloud.errors import FieldProblem

# (text, JSON data, exit code) of one operation; the data never holds a secret.
Result = tuple[str, Any, int]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    body = [[str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in body
    ]
    return "\n".join(lines)


def age_text(age: timedelta | None) -> str:
    """ "3 min ago" style age of a cache; "never" when there is none."""
    if age is None:
        return "never fetched"
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def problem_text(problem: FieldProblem) -> str:
    return f"{problem.target}: {problem.message}" if problem.target else problem.message


def problems_json(problems: Iterable[FieldProblem]) -> list[dict[str, str]]:
    return [{"message": p.message, "target": p.target, "code": p.code} for p in problems]
