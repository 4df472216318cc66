"""Cards of tiles (Power, Clock, Port 1, ...) and a flow that re-arranges them to the width.

Why not a fixed grid: the page lives next to the navigation in windows from a small laptop
screen to a wide monitor. A fixed five-tile row either truncates values or scrolls sideways, so
the flow fits as many tile-widths per row as there is room for (at most six, so wide windows get
wider tiles rather than a ragged layout), and cards with more tiles than that wrap them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QVBoxLayout, QWidget

from commissioner.ui.pages.dashboard.tile import ReadingTile

TILE_WIDTH = 170  # pixels per tile column, spacing and card frame included
MAX_UNITS = 6
MIN_UNITS = 2


class Card(QGroupBox):
    """A titled group of tiles, with optional widgets (a button, a status) spanning below."""

    def __init__(
        self,
        title: str,
        tiles: Sequence[ReadingTile],
        extras: Sequence[QWidget] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title.replace("&", "&&"), parent)  # "&" would make a mnemonic
        self.tiles = list(tiles)
        self.extras = list(extras)
        self._grid = QGridLayout(self)
        self._grid.setSpacing(8)
        self.columns = 0
        self.set_columns(len(self.tiles))

    @property
    def units(self) -> int:
        return len(self.tiles)

    # Height-for-width stops here. Nested box layouts mis-size word-wrapped labels when they
    # propagate height-for-width (tiles were squeezed until texts overlapped), so the card
    # instead reports the height its texts need at its current width as its minimum, and
    # re-measures whenever its width changes.

    def hasHeightForWidth(self) -> bool:
        return False

    def minimumSizeHint(self) -> QSize:
        return self._fitted(super().minimumSizeHint())

    def sizeHint(self) -> QSize:
        return self._fitted(super().sizeHint())

    def _fitted(self, base: QSize) -> QSize:
        layout = self.layout()
        if self.width() <= 0 or layout is None or not layout.hasHeightForWidth():
            return base
        return QSize(base.width(), max(base.height(), layout.totalHeightForWidth(self.width())))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()

    def set_columns(self, columns: int) -> None:
        columns = max(1, min(columns, len(self.tiles)))
        if columns == self.columns:
            return
        for widget in [*self.tiles, *self.extras]:
            self._grid.removeWidget(widget)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        for row in range(self._grid.rowCount()):
            self._grid.setRowStretch(row, 0)
        for index, tile in enumerate(self.tiles):
            self._grid.addWidget(tile, index // columns, index % columns)
        for column in range(columns):
            self._grid.setColumnStretch(column, 1)
        row = (len(self.tiles) + columns - 1) // columns
        for offset, extra in enumerate(self.extras):
            self._grid.addWidget(extra, row + offset, 0, 1, columns)
        # Tiles keep their natural height when a neighbouring card makes the row taller.
        self._grid.setRowStretch(row + len(self.extras), 1)
        self.columns = columns


class CardFlow(QWidget):
    """Lays cards out in rows of at most ``units`` tile-widths, re-flowed on resize."""

    def __init__(self, cards: Sequence[Card], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = list(cards)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self.units = 0
        self._row_cards: list[list[Card]] = []
        self.reflow(MAX_UNITS)

    def units_for(self, width: int) -> int:
        return max(MIN_UNITS, min(MAX_UNITS, width // TILE_WIDTH))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.reflow(self.units_for(event.size().width()))

    def remeasure(self) -> None:
        """Texts changed: let every card re-measure its height at its width."""
        for card in self.cards:
            card.updateGeometry()

    def reflow(self, units: int) -> None:
        if units == self.units:
            return
        self.units = units
        while (item := self._rows.takeAt(0)) is not None:
            row = item.layout()
            if row is not None:
                while row.takeAt(0) is not None:
                    pass
                row.deleteLater()
        line: QHBoxLayout | None = None
        used = 0
        self._row_cards = []
        for card in self.cards:
            width = min(card.units, units)
            card.set_columns(width)
            if line is None or used + width > units:
                line = QHBoxLayout()
                self._rows.addLayout(line)
                self._row_cards.append([])
                used = 0
            line.addWidget(card, width)
            self._row_cards[-1].append(card)
            used += width
        self._rows.addStretch(1)

    def rows(self) -> list[list[Card]]:
        """The cards of each row, for tests and for checking the layout."""
        return [list(row) for row in self._row_cards]
