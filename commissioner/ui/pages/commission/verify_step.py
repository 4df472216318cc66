"""Step 5: the proof. Settings read back, voltages measured, sensors heard, values plausible.

When a serial sensor is silent and the scan found the framing it does speak at, a banner offers
to use it; accepting writes that framing and verifies the port again, so the table then shows
the port's new evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.commissioning.run_model import ChannelTrace, CheckResult
from commissioner.core.commissioning.scan import Framing, ScanResult
from commissioner.core.commissioning.session import RunEvent
from commissioner.ui.pages.commission.checks_table import ChecksTable
from commissioner.ui.pages.commission.trace_plots import ROW_HEIGHT, TracePlots
from commissioner.ui.widgets.inline_status import COLOURS, Level

INTRO = (
    "Every setting is read back and compared with the plan, each powered port's voltage is "
    "measured, and each sensor is listened to: its data must arrive, parse, stay in range and "
    "come at the expected interval. A silent serial sensor is scanned for its baud rate."
)


def profile_framing(profile: CommissioningProfile | None, port: int) -> str:
    """The framing the profile asks of ``port``, as "9600 8N1"."""
    spec = profile.port(port) if profile is not None else None
    serial = spec.serial if spec is not None else None
    if serial is None or serial.baud is None:
        return "no framing"
    parity = serial.parity.value if serial.parity is not None else "NONE"
    return Framing(serial.baud, serial.data_bits or 8, parity).label()


class ScanBanner(QFrame):
    """ "Port 1 speaks at 4800 8N1 (profile says 9600 8N1). Apply it?" with its button."""

    def __init__(self, port: int, text: str, offer: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.port = port
        colour = COLOURS[Level.WARNING if offer else Level.ERROR]
        self.setObjectName("scanBanner")
        self.setStyleSheet(f"#scanBanner {{ border: 1px solid {colour}; border-radius: 4px; }}")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.apply_button = QPushButton("Apply it")
        self.apply_button.setVisible(offer)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.apply_button)


class VerifyStep(QWidget):
    sig_accept_scan = Signal(int)  # port
    sig_verify_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.activity = QLabel()
        self.activity.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        self.summary = QLabel()
        self.again_button = QPushButton("Verify again")
        self.again_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.again_button)
        self.banners_box = QVBoxLayout()
        self.banners: dict[int, ScanBanner] = {}
        self.actions_enabled = True
        self.table = ChecksTable()
        self.table.setMinimumHeight(120)
        self.plots = TracePlots()
        self.plots_area = QScrollArea()
        self.plots_area.setWidgetResizable(True)
        self.plots_area.setFrameShape(QFrame.Shape.NoFrame)
        self.plots_area.setWidget(self.plots)
        self.plots_area.setMinimumHeight(ROW_HEIGHT)
        self.plots_area.hide()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.plots_area)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([3, 2])

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.activity)
        layout.addWidget(self.busy)
        layout.addLayout(self.banners_box)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.again_button.clicked.connect(self.sig_verify_again.emit)

    def set_running(self, running: bool, text: str = "") -> None:
        self.busy.setVisible(running)
        self.activity.setText(text)
        self.activity.setVisible(bool(text))

    def set_actions_enabled(self, enabled: bool) -> None:
        """Verify again and the scan offers: only while this is the run's step and it is idle."""
        self.actions_enabled = enabled
        for banner in self.banners.values():
            banner.apply_button.setEnabled(enabled)
        self.again_button.setEnabled(enabled)

    def on_event(self, event: RunEvent) -> None:
        suffix = f" ({event.done} of {event.total})" if event.total else ""
        self.activity.setText(event.message + suffix)
        self.activity.show()

    def show_checks(self, checks: Sequence[CheckResult]) -> None:
        """Port by port (a port verified again after a scan comes back to its place)."""
        self.table.set_checks(sorted(checks, key=lambda c: (c.port is None, c.port or 0)))
        self.summary.setText(f"{len(checks)} checks: {self.table.summary()}.")
        self.again_button.show()

    def show_traces(self, traces: Sequence[ChannelTrace]) -> None:
        self.plots.show_traces(sorted(traces, key=lambda t: t.port))
        self.plots_area.setVisible(bool(self.plots.traces))
        self.plots_area.setMaximumHeight(max(ROW_HEIGHT, self.plots.height()) + 4)

    def show_scans(
        self, scans: Mapping[int, ScanResult], profile: CommissioningProfile | None
    ) -> None:
        for banner in self.banners.values():
            banner.deleteLater()
        self.banners.clear()
        for port, scan in sorted(scans.items()):
            wanted = profile_framing(profile, port)
            if scan.found is not None:
                text = (
                    f"Port {port} speaks at {scan.found.label()} (profile says {wanted}). "
                    "Apply it? The port is then verified again."
                )
            else:
                text = f"Port {port} is silent: {scan.summary()}. Check the wiring and the sensor."
            banner = ScanBanner(port, text, scan.found is not None)
            banner.apply_button.setEnabled(self.actions_enabled)
            banner.apply_button.clicked.connect(
                lambda _c=False, p=port: self.sig_accept_scan.emit(p)
            )
            self.banners[port] = banner
            self.banners_box.addWidget(banner)
