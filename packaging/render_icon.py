"""Render resources/icons/commissioner.svg to commissioner.png (256x256) with Qt's SVG renderer.

Run from anywhere: ``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icon.py``.
Qt is used rather than ImageMagick because ImageMagick's built-in SVG renderer drops gradients.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, png: Path, size: int = 256) -> None:
    """Draw ``svg`` onto a transparent ``size`` x ``size`` image and save it as ``png``."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png)):
        raise SystemExit(f"could not write {png}")


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter needs an application object
    render(ICONS / "commissioner.svg", ICONS / "commissioner.png")
    print(ICONS / "commissioner.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
