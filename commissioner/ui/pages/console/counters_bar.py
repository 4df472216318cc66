"""The console's counters, always on screen: received, lines, parsed, errors, reconnects, gaps, drops.

Refreshed a few times a second from plain numbers (the pipeline's counters); never per byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

WARN = "#c77d00"


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


@dataclass(frozen=True)
class CounterValues:
    bytes_in: int = 0
    bytes_out: int = 0
    lines: int = 0
    parsed: int = 0
    parse_errors: int = 0
    reconnects: int = 0
    gaps: int = 0
    display_dropped_bytes: int = 0
    rate_bps: float = 0.0


FIELDS: tuple[tuple[str, str, str], ...] = (
    # (field, label, tooltip)
    ("bytes_in", "Received", "Bytes received from the device, and the current rate"),
    ("lines", "Lines", "Complete lines received"),
    ("parsed", "Parsed", "Lines the parser turned into values"),
    ("parse_errors", "Parse errors", "Lines the parser could not read (Inspect… shows them)"),
    ("reconnects", "Reconnects", "Times the link came back after being lost"),
    ("gaps", "Gaps", "Periods the link was down (marked in the view and the capture)"),
    (
        "display_dropped_bytes",
        "Dropped from display",
        "Bytes not shown because they came "
        "faster than the screen can draw; parsing and capture still got every byte",
    ),
    ("bytes_out", "Sent", "Bytes sent to the device"),
)


class CountersBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for field, _title, tip in FIELDS:
            label = QLabel()
            label.setToolTip(tip)
            label.setObjectName(f"counter_{field}")
            layout.addWidget(label)
            self.labels[field] = label
        layout.addStretch(1)
        self.values = CounterValues()
        self.show_values(self.values)

    def show_values(self, values: CounterValues) -> None:
        self.values = values
        for field, title, _tip in FIELDS:
            value = getattr(values, field)
            if field == "bytes_in":
                text = f"{title} <b>{human_bytes(value)}</b> ({human_bytes(values.rate_bps)}/s)"
            elif field in ("bytes_out", "display_dropped_bytes"):
                text = f"{title} <b>{human_bytes(value)}</b>"
            else:
                text = f"{title} <b>{value:,}</b>"
            warn = value > 0 and field in ("parse_errors", "gaps", "display_dropped_bytes")
            label = self.labels[field]
            label.setStyleSheet(f"color: {WARN};" if warn else "")
            label.setText(text)

    def text(self) -> str:
        """All counters as plain text (tests, copy)."""
        return "  ".join(
            self.labels[f].text().replace("<b>", "").replace("</b>", "") for f, _t, _tip in FIELDS
        )
