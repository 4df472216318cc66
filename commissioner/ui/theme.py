"""Light and dark palettes, following the system unless the user chose one.

Fusion renders the same on every platform and honours the palette fully, so one pair of palettes
covers Windows, macOS and Linux. Semantic colours (ok, warning, error) are fixed hues chosen to
read on both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

_CHECK_INDICATORS = (
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck,
)


class _VisibleCheckBoxes(QProxyStyle):
    """Fusion with check box frames that show on dark backgrounds.

    Fusion derives a check box's frame from the window colour made darker, which on a dark palette
    is nearly black on a nearly black field: unticked boxes (Register columns, toggles) vanished.
    On dark palettes the frame is redrawn in the placeholder-text grey; light palettes are untouched.
    """

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _CHECK_INDICATORS or option.palette.window().color().lightness() >= 128:
            return
        painter.save()
        painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = option.rect.adjusted(0, 0, -1, -1)
        side = min(rect.width(), rect.height())
        painter.drawRect(rect.x(), rect.y() + (rect.height() - side) // 2, side, side)
        painter.restore()


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#26282b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1d1f21",
        QPalette.ColorRole.AlternateBase: "#2b2e31",
        QPalette.ColorRole.ToolTipBase: "#33363a",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#303336",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#6aa9ff",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8c8c8c",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: str) -> None:
    """``theme`` is system, light or dark."""
    fusion = QStyleFactory.create("Fusion")
    app.setStyle(_VisibleCheckBoxes(fusion) if fusion is not None else "Fusion")
    dark = theme == "dark" or (theme == "system" and system_prefers_dark())
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def follow_system(app: QApplication, get_theme: callable) -> None:  # type: ignore[valid-type]
    """Re-apply when the desktop switches between light and dark, if the user chose "system"."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _scheme: apply_theme(app, get_theme()) if get_theme() == "system" else None
    )
