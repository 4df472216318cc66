"""The commissioning report as an A4 PDF (and its HTML twin), written with Qt's own painting.

Why QTextDocument + QPdfWriter: they ship with PySide6-Essentials, which the app already needs,
so the headless CLI writes the same PDF as the GUI without a browser or another dependency. The
document is laid out at 96 px per inch (the unit the HTML's sizes are written in) and painted page
by page through a scaled painter, which lets us draw a footer with page numbers on every page.
Plots are the report's SVG rendered by QtSvg into high-resolution images.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from commissioner.core.commissioning.report_html import (
    LOGO_RESOURCE,
    PLOT_HEIGHT,
    PLOT_WIDTH,
    UNIT_MARKER,
    app_version,
    logo_svg,
    plot_names,
    render_html,
    report_basename,
)
from commissioner.core.commissioning.report_plot import trace_svg
from commissioner.core.commissioning.run_model import RunRecord

LAYOUT_DPI = 96  # the HTML's px
PDF_DPI = 600
MARGIN_MM = 15.0
FOOTER_PX = 30.0  # reserved at the bottom of each page's printable area
IMAGE_SCALE = 4  # plot images at 4x their laid-out size: sharp on paper
FAMILIES = ["Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans"]

_app: QGuiApplication | None = None  # kept alive for the process when we had to create it


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path


def ensure_gui_application() -> None:
    """A QGuiApplication for fonts and painting; offscreen when there is no display (CLI, CI)."""
    global _app
    instance = QGuiApplication.instance()
    if isinstance(instance, QGuiApplication):
        return
    if instance is not None:
        raise RuntimeError("a non-GUI QCoreApplication is running: the PDF needs QGuiApplication")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication([sys.argv[0] if sys.argv else "commissioner"])


def write_report(record: RunRecord, folder: Path) -> ReportFiles:
    """The HTML and the PDF side by side in ``folder`` (created), named by ``report_basename``."""
    folder.mkdir(parents=True, exist_ok=True)
    base = report_basename(record)
    html = folder / f"{base}.html"
    html.write_text(render_html(record), encoding="utf-8")
    return ReportFiles(html=html, pdf=write_pdf(record, folder / f"{base}.pdf"))


def write_pdf(record: RunRecord, path: Path) -> Path:
    """Lay out the report on A4 with 15 mm margins and write it; returns ``path``."""
    ensure_gui_application()
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"Commissioning report, THREAD {record.identity.serial}, run {record.run_id}")
    writer.setCreator(f"THREAD Commissioner {app_version()}")
    scale = PDF_DPI / LAYOUT_DPI
    area = writer.pageLayout().paintRectPixels(PDF_DPI)
    width, height = area.width() / scale, area.height() / scale
    pages = _paginate(_units(record, width), height - FOOTER_PX)
    painter = QPainter(writer)
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)  # plots are line art: no JPEG
    try:
        for number, placements in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            painter.save()
            painter.scale(scale, scale)
            for placement in placements:
                painter.save()
                painter.translate(0, placement.y - placement.top)
                clip = QRectF(0, placement.top, width, placement.height)
                placement.unit.document.drawContents(painter, clip)
                painter.restore()
            _footer(painter, record, width, height, number, len(pages))
            painter.restore()
    finally:
        painter.end()
    return path


@dataclass
class _Unit:
    """One piece the report may not be split inside (see ``report_html``'s module doc)."""

    kind: str
    document: QTextDocument
    height: float
    lead: float  # the first block's top margin: Qt drops it, we add it unless at a page top


@dataclass
class _Placement:
    unit: _Unit
    y: float  # where on the page
    top: float = 0.0  # which part of the unit: from ``top``, ``height`` tall
    height: float = 0.0


def _units(record: RunRecord, width: float) -> list[_Unit]:
    html = render_html(record, for_pdf=True)
    start, end = html.index("<body>") + len("<body>"), html.rindex("</body>")
    prefix, pieces = html[:start], UNIT_MARKER.split(html[start:end])
    images = {
        name: _svg_image(trace_svg(t, PLOT_WIDTH, PLOT_HEIGHT), PLOT_WIDTH, PLOT_HEIGHT)
        for name, t in plot_names(record).items()
    }
    logo = logo_svg()
    if logo is not None:
        images[LOGO_RESOURCE] = _svg_image(logo, 46, 46)
    units = []
    for kind, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        document = QTextDocument()
        document.setDocumentMargin(0)
        font = QFont()
        font.setFamilies(FAMILIES)
        font.setPixelSize(12)
        document.setDefaultFont(font)
        for name, image in images.items():
            if name in piece:
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        document.setHtml(f"{prefix}{piece}</body></html>")
        document.setTextWidth(width)
        lead = document.begin().blockFormat().topMargin()
        units.append(_Unit(kind, document, document.size().height(), lead))
    return units


def _paginate(units: list[_Unit], page_height: float) -> list[list[_Placement]]:
    """Fill pages with whole units; headings stay with what follows, table headers repeat."""
    pages: list[list[_Placement]] = [[]]
    y, head = 0.0, None
    for index, unit in enumerate(units):
        head = unit if unit.kind == "head" else head if unit.kind == "row" else None
        need, last = unit.lead + unit.height, index
        while units[last].kind in ("keep", "head") and last + 1 < len(units):
            last += 1
            need += units[last].lead + units[last].height
        if y > 0 and y + min(need, page_height) > page_height:
            pages.append([])
            y = 0.0
            if unit.kind == "row" and head is not None:
                pages[-1].append(_Placement(head, 0.0, 0.0, head.height))
                y = head.height
        if y > 0:
            y += unit.lead
        if unit.height <= page_height - y:
            pages[-1].append(_Placement(unit, y, 0.0, unit.height))
            y += unit.height
            continue
        # Taller than a page (a very long note): let Qt break it into page-sized slices.
        unit.document.setPageSize(QSizeF(unit.document.textWidth(), page_height))
        for slice_index in range(unit.document.pageCount()):
            if slice_index:
                pages.append([])
            top = slice_index * page_height
            pages[-1].append(_Placement(unit, 0.0, top, page_height))
        y = page_height
    return pages


def _svg_image(svg: str, width: int, height: int) -> QImage:
    image = QImage(width * IMAGE_SCALE, height * IMAGE_SCALE, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    return image


def _footer(
    painter: QPainter, record: RunRecord, width: float, height: float, page: int, pages: int
) -> None:
    top = height - FOOTER_PX + 10
    painter.setPen(QPen(QColor("#c3cad4"), 0.75))
    painter.drawLine(QRectF(0, top, width, 0).topLeft(), QRectF(0, top, width, 0).topRight())
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPixelSize(9)
    painter.setFont(font)
    painter.setPen(QColor("#7b8794"))
    box = QRectF(0, top + 4, width, FOOTER_PX - 14)
    left = (
        f"THREAD Commissioner {app_version()}  \u00b7  THREAD {record.identity.serial}  \u00b7  "
        f"run {record.run_id}"
    )
    align = Qt.AlignmentFlag.AlignVCenter
    painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | align), left)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | align), f"Page {page} of {pages}")


def render_pdf_pages(pdf: Path, out_prefix: Path, dpi: int = 110) -> list[Path]:
    """Each page as ``<out_prefix>-page<N>.png``: QtPdf if installed, else poppler's pdftoppm.

    Why two ways: PySide6-Essentials has no QtPdf (it is in the Addons), and the picture of the
    report is what the README shows and what the tests look at.
    """
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        return _pdftoppm(pdf, out_prefix, dpi)
    ensure_gui_application()
    document = QPdfDocument()
    document.load(str(pdf))
    if document.pageCount() <= 0:
        raise RuntimeError(f"QtPdf could not open {pdf}")
    out = []
    for index in range(document.pageCount()):
        points = document.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        target = out_prefix.parent / f"{out_prefix.name}-page{index + 1}.png"
        page = QImage(size, QImage.Format.Format_RGB32)
        page.fill(QColor("white"))  # PDFium may leave the unpainted page transparent
        painter = QPainter(page)
        painter.drawImage(0, 0, document.render(index, size))
        painter.end()
        if not page.save(str(target)):
            raise RuntimeError(f"could not write {target}")
        out.append(target)
    return out


def _pdftoppm(pdf: Path, out_prefix: Path, dpi: int) -> list[Path]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError(
            "cannot render a PDF to PNG: PySide6.QtPdf is not installed (it comes with "
            "PySide6-Addons) and pdftoppm is not on PATH (Debian/Ubuntu: apt-get install "
            "poppler-utils)"
        )
    scratch = out_prefix.parent / f".{out_prefix.name}-render"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        subprocess.run(
            [tool, "-r", str(dpi), "-png", str(pdf), str(scratch / "page")],
            check=True,
            capture_output=True,
        )
        # pdftoppm pads the page number to the width of the page count: sort numerically.
        pages = sorted(scratch.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        out = []
        for number, page in enumerate(pages, start=1):
            target = out_prefix.parent / f"{out_prefix.name}-page{number}.png"
            page.replace(target)
            out.append(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not out:
        raise RuntimeError(f"pdftoppm wrote no page for {pdf}")
    return out
