"""The PDF report: a real A4 PDF, written beside its HTML, that renders to a non-blank page."""

from __future__ import annotations

import importlib.util
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from commissioner.core.commissioning.report_html import report_basename
from commissioner.core.commissioning.report_sample import sample_record
from commissioner.core.commissioning.run_model import CheckResult, CheckStatus, RunStatus
from commissioner.reporting.pdf import (
    ReportFiles,
    ensure_gui_application,
    render_pdf_pages,
    write_pdf,
    write_report,
)

HAS_RENDERER = importlib.util.find_spec("PySide6.QtPdf") is not None or bool(
    shutil.which("pdftoppm")
)
needs_renderer = pytest.mark.skipif(
    not HAS_RENDERER, reason="no PDF renderer: neither PySide6.QtPdf nor pdftoppm (poppler-utils)"
)


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def _pixels(png: Path) -> np.ndarray:
    image = QImage(str(png)).convertToFormat(QImage.Format.Format_Grayscale8)
    assert not image.isNull()
    stride = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * image.height())
    return data.reshape(image.height(), stride)[:, : image.width()]


def test_ensure_gui_application_reuses_the_running_app(qapp: QApplication) -> None:
    ensure_gui_application()
    assert QApplication.instance() is qapp


def test_write_pdf_writes_an_a4_pdf(qapp: QApplication, tmp_path: Path) -> None:
    path = write_pdf(sample_record(), tmp_path / "deep" / "report.pdf")
    assert path == tmp_path / "deep" / "report.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert _pages(path) >= 1
    # A4 is 595 x 842 points.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    assert abs(float(box.group(1)) - 595.3) < 1 and abs(float(box.group(2)) - 841.9) < 1


def test_write_report_writes_html_and_pdf(qapp: QApplication, tmp_path: Path) -> None:
    record = sample_record(cloud_status="queued")
    files = write_report(record, tmp_path / "reports")
    assert isinstance(files, ReportFiles)
    base = report_basename(record)
    assert files.html == tmp_path / "reports" / f"{base}.html"
    assert files.pdf == tmp_path / "reports" / f"{base}.pdf"
    html = files.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and record.config_hash in html and "Queued" in html
    assert files.pdf.read_bytes().startswith(b"%PDF")


@needs_renderer
def test_page_one_renders_non_blank_at_a4_aspect(qapp: QApplication, tmp_path: Path) -> None:
    pdf = write_pdf(sample_record(status=RunStatus.FAILED), tmp_path / "report.pdf")
    pages = render_pdf_pages(pdf, tmp_path / "shot", dpi=60)
    assert len(pages) == _pages(pdf)
    assert [p.name for p in pages][:1] == ["shot-page1.png"]
    pixels = _pixels(pages[0])
    height, width = pixels.shape
    assert abs(height / width - 297 / 210) < 0.01
    assert pixels.std() > 20  # text, tables and the red banner, not an empty page
    # The verdict banner is near the top: a dark band across most of the width.
    top = pixels[: height // 5]
    assert (top.mean(axis=1) < 160).any()


@needs_renderer
def test_long_reports_flow_onto_more_pages(qapp: QApplication, tmp_path: Path) -> None:
    record = sample_record()
    extra = [
        CheckResult(
            f"range.port1.extra{i}", f"Extra check {i}", CheckStatus.PASS, "evidence " * 12, 1
        )
        for i in range(60)
    ]
    record.checks = record.checks + extra
    record.site = replace(record.site, notes="A very long note. " * 900)  # taller than a page
    pdf = write_pdf(record, tmp_path / "long.pdf")
    count = _pages(pdf)
    assert count >= 5
    pages = render_pdf_pages(pdf, tmp_path / "long", dpi=30)
    assert len(pages) == count
    assert all(_pixels(page).std() > 5 for page in pages)


def test_missing_renderer_is_a_clear_error(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_qtpdf(name: str, *args: object, **kwargs: object) -> object:
        if name == "PySide6.QtPdf":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_qtpdf)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(RuntimeError, match="poppler-utils"):
        render_pdf_pages(tmp_path / "none.pdf", tmp_path / "x")
